using System.Net;
using System.Net.Sockets;
using NetTriage.Analysis;
using NetTriage.Cli;
using NetTriage.Cli.Commands;

namespace NetTriage.Live.Tests;

/// <summary>
/// `nettriage diagnose` in-process: usage errors, the capture file's default name, and whole runs without a capture
/// against a web server on the loopback interface (an address target needs no resolver and no privilege).
/// </summary>
public sealed class DiagnoseCommandTests
{
    private static (int Code, string Stdout, string Stderr) Run(params string[] args)
    {
        var stdout = new StringWriter { NewLine = "\n" };
        var stderr = new StringWriter { NewLine = "\n" };
        int code = Program.Run(args, stdout, stderr);
        return (code, stdout.ToString(), stderr.ToString());
    }

    [Theory]
    [InlineData("ftp://www.example.test/", "is not probed")]
    [InlineData("http://a..b/", "not a URL")]
    public void A_target_that_cannot_be_probed_is_bad_usage(string target, string message)
    {
        var (code, stdout, stderr) = Run("diagnose", target, "--no-capture");

        Assert.Equal(ExitCodes.BadInput, code);
        Assert.Empty(stdout);
        Assert.Contains(message, stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void A_resolver_that_is_not_an_address_is_bad_usage()
    {
        var (code, _, stderr) = Run("diagnose", "www.example.test", "--resolver", "dns.example", "--no-capture");

        Assert.Equal(ExitCodes.BadInput, code);
        Assert.Contains("--resolver dns.example: not an IP address", stderr, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("0")]
    [InlineData("601")]
    public void A_budget_out_of_range_is_bad_usage(string budget)
    {
        var (code, _, stderr) = Run("diagnose", "www.example.test", "--budget", budget);

        Assert.Equal(ExitCodes.BadInput, code);
        Assert.Contains("--budget must be between", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void The_capture_goes_beside_the_report_named_after_it_else_after_the_host()
    {
        var time = new DateTime(2025, 1, 2, 3, 4, 5, DateTimeKind.Utc);
        string report = Path.Combine(Path.GetTempPath(), "case", "report.html");

        Assert.Equal(Path.Combine(Path.GetTempPath(), "case", "report-20250102T030405Z.pcapng"), DiagnoseCommand.DefaultCapturePath(report, "www.example.test", time));
        Assert.Equal("www.example.test-20250102T030405Z.pcapng", DiagnoseCommand.DefaultCapturePath(null, "www.example.test", time));
        Assert.Equal("2001_db8__1-20250102T030405Z.pcapng", DiagnoseCommand.DefaultCapturePath(null, "2001:db8::1", time));
    }

    /// <summary>Serves HTTP on 127.0.0.1, answering each request with <paramref name="status"/>.</summary>
    private static (TcpListener Listener, Task Loop) WebServer(string status)
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var loop = Task.Run(async () =>
        {
            while (true)
            {
                TcpClient client;
                try
                {
                    client = await listener.AcceptTcpClientAsync();
                }
                catch (Exception e) when (e is SocketException or ObjectDisposedException)
                {
                    return;
                }
                using (client)
                {
                    var stream = client.GetStream();
                    var buffer = new byte[4096];
                    _ = await stream.ReadAsync(buffer);
                    await stream.WriteAsync(System.Text.Encoding.ASCII.GetBytes($"HTTP/1.1 {status}\r\nContent-Length: 0\r\n\r\n"));
                }
            }
        });
        return (listener, loop);
    }

    [Fact]
    public void An_address_target_is_probed_without_a_resolver_and_the_json_carries_the_reproduction()
    {
        var (listener, _) = WebServer("503 Service Unavailable");
        try
        {
            int port = ((IPEndPoint)listener.LocalEndpoint).Port;

            var (code, stdout, stderr) = Run("diagnose", $"http://127.0.0.1:{port}/health", "--no-capture", "--format", "json", "--budget", "10");

            Assert.Equal(ExitCodes.Success, code);
            Assert.DoesNotContain("no packets captured", stderr, StringComparison.Ordinal);
            var report = AnalysisJson.Deserialize(stdout);
            var r = report!.Reproduction!;
            Assert.Equal(("reproduced", ProbeSteps.Http, "http-error", FaultEnds.WebServer), (r.Outcome, r.FailedStep, r.FailureKind, r.AtFault));
            Assert.Equal([ProbeSteps.Connect, ProbeSteps.Http], r.Steps.Select(s => s.Step));
            Assert.Equal(503, r.Steps[1].HttpStatus);
            Assert.Empty(r.Resolvers);
            Assert.False(r.Capture.Captured);
            Assert.Equal("the capture was turned off (--no-capture)", r.Capture.Problem);
            Assert.Contains(r.Caveats, c => c.Kind == "no-capture");
        }
        finally
        {
            listener.Stop();
        }
    }

    [Theory]
    [InlineData("md", "## Reproduced from this host")]
    [InlineData("html", "<section id=\"reproduction\"><h2>Reproduced from this host</h2>")]
    [InlineData("text", "Reproduced from this host: http://127.0.0.1:")]
    public void Every_format_carries_the_reproduction_section(string format, string expected)
    {
        var (listener, _) = WebServer("200 OK");
        try
        {
            int port = ((IPEndPoint)listener.LocalEndpoint).Port;

            var (code, stdout, _) = Run("diagnose", $"http://127.0.0.1:{port}/", "--no-capture", "--format", format, "--budget", "10");

            Assert.Equal(ExitCodes.Success, code);
            Assert.Contains(expected, stdout, StringComparison.Ordinal);
            Assert.Contains("not reproduced", stdout, StringComparison.Ordinal);
        }
        finally
        {
            listener.Stop();
        }
    }

    [Fact]
    public void The_report_goes_to_the_file_named_by_output()
    {
        var (listener, _) = WebServer("200 OK");
        string dir = Directory.CreateTempSubdirectory("nettriage-diagnose-output-").FullName;
        try
        {
            int port = ((IPEndPoint)listener.LocalEndpoint).Port;
            string file = Path.Combine(dir, "diagnosis.json");

            var (code, stdout, _) = Run("diagnose", $"http://127.0.0.1:{port}/", "--no-capture", "-o", file, "--budget", "10");

            Assert.Equal(ExitCodes.Success, code);
            Assert.Empty(stdout);
            Assert.Equal(FaultEnds.None, AnalysisJson.Deserialize(File.ReadAllText(file))!.Reproduction!.AtFault);
        }
        finally
        {
            listener.Stop();
            Directory.Delete(dir, recursive: true);
        }
    }
}
