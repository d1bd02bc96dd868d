using System.Globalization;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using NetTriage.Analysis;

namespace NetTriage.Live.Probes;

/// <summary>A TCP connection attempt's outcome; <see cref="Socket"/> is the connected socket when it worked.</summary>
internal sealed record ConnectOutcome(string Result, string Detail, Socket? Socket);

/// <summary>A TLS handshake's outcome; <see cref="Stream"/> is the open TLS stream when the handshake completed.</summary>
internal sealed record TlsOutcome(string Result, string Detail, SslStream? Stream)
{
    public string? Protocol { get; init; }
    public IReadOnlyList<string> Names { get; init; } = [];
    public string? Subject { get; init; }
    public string? NotAfter { get; init; }
    /// <summary>Why a browser would refuse the certificate, as <see cref="ProbeStep.CertificateProblems"/> codes.</summary>
    public IReadOnlyList<string>? Problems { get; init; }
}

/// <summary>An HTTP exchange's outcome.</summary>
internal sealed record HttpOutcome(string Result, string Detail, int? Status, string? StatusLine);

/// <summary>
/// The web steps a browser takes after resolving: a TCP connection to the URL's port (RFC 9293 3.5), a TLS
/// handshake with the certificate's names read (RFC 8446, RFC 5280 4.2.1.6), and an HTTP request whose status
/// line is read (RFC 9112 4).
/// </summary>
internal static class WebProbe
{
    /// <summary>The response head read before giving up on finding the status line's end.</summary>
    private const int MaxResponseHead = 16 * 1024;
    /// <summary>Status lines and server messages kept in the report are cut to this.</summary>
    private const int MaxShownText = 200;
    /// <summary>Certificate names listed.</summary>
    private const int MaxNames = 32;

    public static async Task<ConnectOutcome> ConnectAsync(IPAddress address, int port, TimeSpan limit, CancellationToken cancel)
    {
        if (!SocketOutcome.HasRoute(address, out _, out var routeError))
        {
            return new ConnectOutcome(ProbeResults.NoRoute,
                $"this host has no route to {address}: {SocketOutcome.Describe(routeError!, udp: false)}; nothing was sent", null);
        }
        var socket = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancel);
        timeout.CancelAfter(limit);
        try
        {
            await socket.ConnectAsync(new IPEndPoint(address, port), timeout.Token).ConfigureAwait(false);
            return new ConnectOutcome(ProbeResults.Ok, "connected (SYN answered by SYN-ACK)", socket);
        }
        catch (OperationCanceledException) when (!cancel.IsCancellationRequested)
        {
            socket.Dispose();
            return new ConnectOutcome(ProbeResults.Timeout,
                string.Create(CultureInfo.InvariantCulture, $"no answer to the SYN within {limit.TotalSeconds:0.#} s"), null);
        }
        catch (SocketException e)
        {
            socket.Dispose();
            return new ConnectOutcome(SocketOutcome.Result(e), SocketOutcome.Describe(e, udp: false), null);
        }
    }

    public static async Task<TlsOutcome> HandshakeAsync(Socket socket, LiveTarget target, TimeSpan limit, CancellationToken cancel)
    {
        X509Certificate2? certificate = null;
        SslPolicyErrors policyErrors = SslPolicyErrors.None;
        string chainProblems = "";
        var stream = new SslStream(new NetworkStream(socket, ownsSocket: true), leaveInnerStreamOpen: false);
        var options = new SslClientAuthenticationOptions
        {
            // SNI carries the name (RFC 6066 3); an IP literal is not sent as SNI.
            TargetHost = target.Address is null ? target.Host : "",
            ApplicationProtocols = [SslApplicationProtocol.Http11],
            // The certificate is judged after the handshake, so that a bad one is reported, not just refused.
            RemoteCertificateValidationCallback = (_, cert, chain, errors) =>
            {
                if (cert is not null) certificate = new X509Certificate2(cert);
                policyErrors = errors;
                if (chain is not null)
                {
                    chainProblems = string.Join("; ", chain.ChainStatus
                        .Where(s => s.Status != X509ChainStatusFlags.NoError)
                        .Select(s => s.StatusInformation.Trim())
                        .Distinct(StringComparer.Ordinal));
                }
                return true;
            },
        };
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancel);
        timeout.CancelAfter(limit);
        try
        {
            await stream.AuthenticateAsClientAsync(options, timeout.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancel.IsCancellationRequested)
        {
            await stream.DisposeAsync().ConfigureAwait(false);
            return new TlsOutcome(ProbeResults.Timeout,
                string.Create(CultureInfo.InvariantCulture, $"the TLS handshake did not complete within {limit.TotalSeconds:0.#} s"), null);
        }
        catch (AuthenticationException e)
        {
            await stream.DisposeAsync().ConfigureAwait(false);
            return new TlsOutcome(ProbeResults.TlsFailed, "the TLS handshake failed: " + Messages(e), null);
        }
        catch (IOException e)
        {
            await stream.DisposeAsync().ConfigureAwait(false);
            return new TlsOutcome(ProbeResults.Closed, "the server closed the connection during the TLS handshake: " + Messages(e), null);
        }

        var names = certificate is null ? [] : Names(certificate);
        string protocol = stream.SslProtocol.ToString();
        string? subject = certificate is null ? null : Cut(certificate.Subject);
        string? notAfter = certificate?.NotAfter.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
        certificate?.Dispose();
        if (policyErrors == SslPolicyErrors.None)
        {
            return new TlsOutcome(ProbeResults.Ok, $"handshake completed ({protocol}); the certificate is valid for {target.Host}", stream)
            {
                Protocol = protocol, Names = names, Subject = subject, NotAfter = notAfter,
            };
        }
        var problems = new List<string>();
        var codes = new List<string>();
        if (policyErrors.HasFlag(SslPolicyErrors.RemoteCertificateNotAvailable))
        {
            codes.Add("no-certificate");
            problems.Add("the server sent no certificate");
        }
        if (policyErrors.HasFlag(SslPolicyErrors.RemoteCertificateNameMismatch))
        {
            codes.Add("name-mismatch");
            problems.Add($"the certificate does not name {target.Host} (it names {(names.Count == 0 ? "nothing" : string.Join(", ", names))})");
        }
        if (policyErrors.HasFlag(SslPolicyErrors.RemoteCertificateChainErrors))
        {
            codes.Add("untrusted");
            problems.Add("this host does not trust the certificate" + (chainProblems.Length > 0 ? ": " + Cut(chainProblems) : ""));
        }
        return new TlsOutcome(ProbeResults.CertificateError, $"handshake completed ({protocol}) but a browser would refuse the certificate: {string.Join("; ", problems)}", stream)
        {
            Protocol = protocol, Names = names, Subject = subject, NotAfter = notAfter, Problems = codes,
        };
    }

    /// <summary>Sends a HEAD request for the URL and reads the status line of the answer.</summary>
    public static async Task<HttpOutcome> RequestAsync(Stream stream, LiveTarget target, TimeSpan limit, CancellationToken cancel)
    {
        string request = $"HEAD {target.PathAndQuery} HTTP/1.1\r\nHost: {target.HostHeader}\r\nUser-Agent: nettriage-diagnose\r\nAccept: */*\r\nConnection: close\r\n\r\n";
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancel);
        timeout.CancelAfter(limit);
        byte[] head = new byte[MaxResponseHead];
        int read = 0;
        try
        {
            await stream.WriteAsync(Encoding.ASCII.GetBytes(request), timeout.Token).ConfigureAwait(false);
            await stream.FlushAsync(timeout.Token).ConfigureAwait(false);
            while (read < head.Length && head.AsSpan(0, read).IndexOf("\r\n"u8) < 0)
            {
                int n = await stream.ReadAsync(head.AsMemory(read), timeout.Token).ConfigureAwait(false);
                if (n == 0) break;
                read += n;
            }
        }
        catch (OperationCanceledException) when (!cancel.IsCancellationRequested)
        {
            return new HttpOutcome(ProbeResults.Timeout,
                string.Create(CultureInfo.InvariantCulture, $"no HTTP response within {limit.TotalSeconds:0.#} s"), null, null);
        }
        catch (IOException e)
        {
            return new HttpOutcome(ProbeResults.Closed, "the connection failed during the HTTP exchange: " + Messages(e), null, null);
        }

        if (read == 0)
        {
            return new HttpOutcome(ProbeResults.Closed, "the server closed the connection without an HTTP response", null, null);
        }
        int end = head.AsSpan(0, read).IndexOf("\r\n"u8);
        string line = Encoding.Latin1.GetString(head, 0, end < 0 ? Math.Min(read, MaxShownText) : Math.Min(end, MaxShownText));
        if (!TryParseStatus(line, out int status))
        {
            return new HttpOutcome(ProbeResults.Error, "the answer is not an HTTP response: " + line, null, line);
        }
        return status >= 400
            ? new HttpOutcome(ProbeResults.HttpError, $"the server answered '{line}'", status, line)
            : new HttpOutcome(ProbeResults.Ok, $"the server answered '{line}'", status, line);
    }

    /// <summary>"HTTP/1.1 200 OK" (RFC 9112 4): a version, a space, three digits.</summary>
    internal static bool TryParseStatus(string line, out int status)
    {
        status = 0;
        if (!line.StartsWith("HTTP/", StringComparison.Ordinal)) return false;
        int space = line.IndexOf(' ', StringComparison.Ordinal);
        if (space < 0 || line.Length < space + 4) return false;
        var code = line.AsSpan(space + 1, 3);
        if (!int.TryParse(code, NumberStyles.None, CultureInfo.InvariantCulture, out status)) return false;
        if (line.Length > space + 4 && line[space + 4] != ' ') return false;
        return status is >= 100 and <= 999;
    }

    /// <summary>The certificate's DNS and IP subject alternative names (RFC 5280 4.2.1.6), else its common name.</summary>
    internal static IReadOnlyList<string> Names(X509Certificate2 certificate)
    {
        var names = new List<string>();
        foreach (var extension in certificate.Extensions)
        {
            if (extension is X509SubjectAlternativeNameExtension san)
            {
                foreach (var dns in san.EnumerateDnsNames())
                {
                    if (names.Count < MaxNames) names.Add(Cut(dns));
                }
                foreach (var ip in san.EnumerateIPAddresses())
                {
                    if (names.Count < MaxNames) names.Add(ip.ToString());
                }
            }
        }
        if (names.Count == 0)
        {
            string cn = certificate.GetNameInfo(X509NameType.SimpleName, forIssuer: false);
            if (!string.IsNullOrEmpty(cn)) names.Add(Cut(cn));
        }
        return names;
    }

    /// <summary>An exception's messages down its inner chain (TLS errors say the most in the innermost).</summary>
    private static string Messages(Exception e)
    {
        var parts = new List<string>();
        for (Exception? x = e; x is not null && parts.Count < 4; x = x.InnerException)
        {
            string m = x.Message.Trim().TrimEnd('.');
            if (m.Length > 0 && !m.StartsWith("Authentication failed, see inner exception", StringComparison.Ordinal)
                && !parts.Contains(m))
            {
                parts.Add(m);
            }
        }
        return Cut(string.Join(": ", parts));
    }

    private static string Cut(string text) => text.Length <= MaxShownText ? text : text[..MaxShownText] + "...";
}
