using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Text;
using NetTriage.Analysis;
using NetTriage.Live.Probes;

namespace NetTriage.Live.Tests.Probes;

/// <summary>The connection, TLS and HTTP steps against small servers on the loopback interface.</summary>
public sealed class WebProbeTests
{
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(5);

    private static LiveTarget Target(string url)
    {
        Assert.True(LiveTarget.TryParse(url, out var target, out var problem), problem);
        return target;
    }

    private static int ClosedPort()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        int port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }

    [Fact]
    public async Task A_closed_port_is_refused_by_a_rst()
    {
        var outcome = await WebProbe.ConnectAsync(IPAddress.Loopback, ClosedPort(), Limit, default);

        Assert.Equal(ProbeResults.Refused, outcome.Result);
        Assert.Null(outcome.Socket);
        Assert.Contains("RST", outcome.Detail, StringComparison.Ordinal);
    }

    /// <summary>Serves one connection with <paramref name="serve"/>; returns the port and the serving task.</summary>
    private static (int Port, Task Served) Serve(Func<NetworkStream, Task> serve)
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        int port = ((IPEndPoint)listener.LocalEndpoint).Port;
        var served = Task.Run(async () =>
        {
            try
            {
                using var client = await listener.AcceptTcpClientAsync();
                await serve(client.GetStream());
            }
            finally
            {
                listener.Stop();
            }
        });
        return (port, served);
    }

    private static async Task<(ConnectOutcome Connect, HttpOutcome Http)> Fetch(string url, Func<NetworkStream, Task> serve)
    {
        var (port, served) = Serve(serve);
        var connect = await WebProbe.ConnectAsync(IPAddress.Loopback, port, Limit, default);
        Assert.Equal(ProbeResults.Ok, connect.Result);
        using var stream = new NetworkStream(connect.Socket!, ownsSocket: true);
        var http = await WebProbe.RequestAsync(stream, Target(url), TimeSpan.FromSeconds(2), default);
        await served;
        return (connect, http);
    }

    private static async Task<string> ReadHead(Stream stream)
    {
        var buffer = new byte[4096];
        int read = 0;
        while (!Encoding.ASCII.GetString(buffer, 0, read).Contains("\r\n\r\n", StringComparison.Ordinal))
        {
            int n = await stream.ReadAsync(buffer.AsMemory(read));
            if (n == 0) break;
            read += n;
        }
        return Encoding.ASCII.GetString(buffer, 0, read);
    }

    [Fact]
    public async Task The_request_names_the_host_and_the_status_is_read()
    {
        string? request = null;
        var (_, http) = await Fetch("http://www.example.test:8080/a?b=c", async s =>
        {
            request = await ReadHead(s);
            await s.WriteAsync("HTTP/1.1 204 No Content\r\nServer: test\r\n\r\n"u8.ToArray());
        });

        Assert.StartsWith("HEAD /a?b=c HTTP/1.1\r\nHost: www.example.test:8080\r\n", request, StringComparison.Ordinal);
        Assert.Equal((ProbeResults.Ok, 204, "HTTP/1.1 204 No Content"), (http.Result, http.Status, http.StatusLine));
    }

    [Fact]
    public async Task A_server_error_is_an_http_error()
    {
        var (_, http) = await Fetch("http://www.example.test/", async s =>
        {
            await ReadHead(s);
            await s.WriteAsync("HTTP/1.1 503 Service Unavailable\r\n\r\n"u8.ToArray());
        });

        Assert.Equal((ProbeResults.HttpError, 503), (http.Result, http.Status));
    }

    [Fact]
    public async Task A_server_that_closes_without_answering_is_closed()
    {
        var (_, http) = await Fetch("http://www.example.test/", async s => await ReadHead(s));

        Assert.Equal(ProbeResults.Closed, http.Result);
    }

    [Fact]
    public async Task A_server_that_never_answers_times_out()
    {
        var release = new TaskCompletionSource();
        var (port, served) = Serve(async s =>
        {
            await ReadHead(s);
            await release.Task;
        });
        var connect = await WebProbe.ConnectAsync(IPAddress.Loopback, port, Limit, default);
        using var stream = new NetworkStream(connect.Socket!, ownsSocket: true);

        var http = await WebProbe.RequestAsync(stream, Target("http://www.example.test/"), TimeSpan.FromMilliseconds(500), default);
        release.SetResult();
        await served;

        Assert.Equal(ProbeResults.Timeout, http.Result);
        Assert.Null(http.Status);
    }

    [Fact]
    public async Task An_answer_that_is_not_http_is_an_error_and_its_text_is_kept_for_escaping()
    {
        var (_, http) = await Fetch("http://www.example.test/", async s =>
        {
            await ReadHead(s);
            await s.WriteAsync("SSH-2.0-OpenSSH\u001b[2J\r\n"u8.ToArray());
        });

        Assert.Equal(ProbeResults.Error, http.Result);
        Assert.Equal("SSH-2.0-OpenSSH\u001b[2J", http.StatusLine);
    }

    [Theory]
    [InlineData("HTTP/1.1 200 OK", true, 200)]
    [InlineData("HTTP/1.0 404", true, 404)]
    [InlineData("HTTP/2 301 Moved", true, 301)]
    [InlineData("HTTP/1.1 20 OK", false, 0)]
    [InlineData("HTTP/1.1 2000 OK", false, 0)]
    [InlineData("HTTP/1.1 abc OK", false, 0)]
    [InlineData("HTTP/1.1", false, 0)]
    [InlineData("http/1.1 200 OK", false, 0)]
    [InlineData("", false, 0)]
    public void Status_lines_are_read_strictly(string line, bool ok, int status)
    {
        Assert.Equal(ok, WebProbe.TryParseStatus(line, out int parsed));
        Assert.Equal(status, ok ? parsed : 0);
    }

    private static async Task<TlsOutcome> Handshake(string url, string certificateName)
    {
        using var certificate = TestCertificates.SelfSigned(certificateName);
        var (port, served) = Serve(async s =>
        {
            using var tls = new SslStream(s);
            try
            {
                await tls.AuthenticateAsServerAsync(certificate);
                await ReadHead(tls);
                await tls.WriteAsync("HTTP/1.1 200 OK\r\n\r\n"u8.ToArray());
            }
            catch (IOException)
            {
            }
            catch (System.Security.Authentication.AuthenticationException)
            {
            }
        });
        var connect = await WebProbe.ConnectAsync(IPAddress.Loopback, port, Limit, default);
        var outcome = await WebProbe.HandshakeAsync(connect.Socket!, Target(url), Limit, default);
        if (outcome.Stream is { } stream)
        {
            var http = await WebProbe.RequestAsync(stream, Target(url), Limit, default);
            Assert.Equal(200, http.Status);
            await stream.DisposeAsync();
        }
        await served;
        return outcome;
    }

    [Fact]
    public async Task An_untrusted_certificate_completes_the_handshake_but_is_a_certificate_error_with_its_names()
    {
        var tls = await Handshake("https://www.example.test/", "www.example.test");

        Assert.Equal(ProbeResults.CertificateError, tls.Result);
        Assert.Contains("does not trust", tls.Detail, StringComparison.Ordinal);
        Assert.DoesNotContain("does not name", tls.Detail, StringComparison.Ordinal);
        Assert.Equal(["www.example.test"], tls.Names);
        Assert.Equal("CN=www.example.test", tls.Subject);
        Assert.NotNull(tls.Protocol);
    }

    [Fact]
    public async Task A_certificate_for_another_name_says_which_names_it_has()
    {
        var tls = await Handshake("https://shop.example.test/", "www.example.test");

        Assert.Equal(ProbeResults.CertificateError, tls.Result);
        Assert.Contains("does not name shop.example.test (it names www.example.test)", tls.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_server_that_closes_during_the_handshake_fails_it()
    {
        var (port, served) = Serve(async s =>
        {
            var hello = new byte[5];
            await s.ReadExactlyAsync(hello);
        });
        var connect = await WebProbe.ConnectAsync(IPAddress.Loopback, port, Limit, default);

        var tls = await WebProbe.HandshakeAsync(connect.Socket!, Target("https://www.example.test/"), Limit, default);
        await served;

        Assert.Contains(tls.Result, new[] { ProbeResults.Closed, ProbeResults.TlsFailed });
        Assert.Null(tls.Stream);
    }
}
