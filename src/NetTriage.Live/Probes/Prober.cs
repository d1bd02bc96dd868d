using System.Diagnostics;
using System.Net;
using System.Net.NetworkInformation;
using System.Net.Sockets;
using NetTriage.Analysis;
using NetTriage.Packets.Dns;

namespace NetTriage.Live.Probes;

/// <summary>A step as run: the model record and the peer it went to.</summary>
internal sealed record StepRun(ProbeStep Step, IPAddress Peer, int Port);

/// <summary>Everything the probes saw.</summary>
internal sealed class ProbeRun
{
    public List<StepRun> Steps { get; } = [];
    /// <summary>Addresses a browser would have got from DNS (UDP answers, or TCP after a truncated one).</summary>
    public List<IPAddress> BrowserAddresses { get; } = [];
    /// <summary>Addresses only DNS over TCP gave, after UDP failed: used past the failure for more evidence.</summary>
    public List<IPAddress> FallbackAddresses { get; } = [];
    /// <summary>True when the budget ran out before every step a browser takes was run.</summary>
    public bool BudgetExhausted { get; set; }
}

/// <summary>
/// Runs the probes step by step as a browser would: resolve through each resolver, connect to the resolved
/// addresses in turn, complete the TLS handshake for https, send the HTTP request. Each step has its own
/// timeout and all share the budget. When a step a browser needs fails, the later steps still run where
/// they can (with the addresses DNS over TCP gave), marked as off the browser's path: they show whether the
/// rest would have worked.
/// </summary>
internal sealed class Prober(LiveOptions options, IReadOnlyList<IPAddress> resolvers, ProbeClock clock)
{
    private readonly ProbeTimeouts _t = options.Timeouts;
    private readonly LiveTarget _target = options.Target;
    private readonly ProbeRun _run = new();

    /// <summary>The DNS port; tests point it elsewhere.</summary>
    public int DnsPort { get; init; } = DnsProbe.DnsPort;

    /// <summary>
    /// Runs every step. <paramref name="addressesKnown"/> is awaited once the addresses to connect to are known,
    /// before any connection (the live capture widens its filter to them).
    /// </summary>
    public async Task<ProbeRun> RunAsync(Func<IReadOnlyList<IPAddress>, Task> addressesKnown, CancellationToken cancel)
    {
        if (_target.Address is { } literal)
        {
            _run.BrowserAddresses.Add(literal);
        }
        else
        {
            await ResolveAsync(cancel).ConfigureAwait(false);
        }

        bool onPath = _run.BrowserAddresses.Count > 0;
        var addresses = onPath ? _run.BrowserAddresses : _run.FallbackAddresses;
        if (addresses.Count == 0) return _run;
        var toTry = addresses.Take(_t.MaxAddresses).ToList();
        await addressesKnown(toTry).ConfigureAwait(false);

        Socket? connected = null;
        foreach (var address in toTry)
        {
            if (Exhausted()) return _run;
            var watch = Stopwatch.StartNew();
            double start = clock.Elapsed.TotalSeconds;
            var outcome = await WebProbe.ConnectAsync(address, _target.Port, clock.Limit(_t.Connect), cancel).ConfigureAwait(false);
            Add(ProbeSteps.Connect, address, _target.Port, "TCP", start, watch, outcome.Result, outcome.Detail, onPath);
            if (outcome.Socket is not null)
            {
                connected = outcome.Socket;
                break;
            }
        }
        if (connected is null) return _run;

        Stream stream = new NetworkStream(connected, ownsSocket: true);
        var peer = ((IPEndPoint)connected.RemoteEndPoint!).Address;
        try
        {
            if (_target.IsHttps)
            {
                if (Exhausted()) return _run;
                var watch = Stopwatch.StartNew();
                double start = clock.Elapsed.TotalSeconds;
                var tls = await WebProbe.HandshakeAsync(connected, _target, clock.Limit(_t.Tls), cancel).ConfigureAwait(false);
                Add(ProbeSteps.Tls, peer, _target.Port, "TCP", start, watch, tls.Result, tls.Detail, onPath, step => step with
                {
                    TlsProtocol = tls.Protocol,
                    CertificateNames = tls.Names,
                    CertificateSubject = tls.Subject,
                    CertificateNotAfter = tls.NotAfter,
                    CertificateProblems = tls.Problems,
                });
                if (tls.Stream is null) return _run;
                stream = tls.Stream;
                onPath &= tls.Result == ProbeResults.Ok;
            }

            if (Exhausted()) return _run;
            var httpWatch = Stopwatch.StartNew();
            double httpStart = clock.Elapsed.TotalSeconds;
            var http = await WebProbe.RequestAsync(stream, _target, clock.Limit(_t.Http), cancel).ConfigureAwait(false);
            Add(ProbeSteps.Http, peer, _target.Port, "TCP", httpStart, httpWatch, http.Result, http.Detail, onPath, step => step with
            {
                HttpStatus = http.Status,
                StatusLine = http.StatusLine,
            });
        }
        finally
        {
            await stream.DisposeAsync().ConfigureAwait(false);
        }
        return _run;
    }

    private async Task ResolveAsync(CancellationToken cancel)
    {
        var types = new List<ushort> { DnsType.A };
        // As getaddrinfo with AI_ADDRCONFIG: AAAA only when this host has an IPv6 address of its own.
        if (HasGlobalIpv6()) types.Add(DnsType.AAAA);

        foreach (var resolver in resolvers)
        {
            foreach (var type in types)
            {
                if (Exhausted()) return;
                string question = $"{_target.Host} {DnsNames.TypeName(type)}";
                var watch = Stopwatch.StartNew();
                double start = clock.Elapsed.TotalSeconds;
                var udp = await DnsProbe.QueryUdpAsync(new IPEndPoint(resolver, DnsPort), _target.Host, type, _t, clock, cancel).ConfigureAwait(false);
                AddDns(ProbeSteps.Resolve, resolver, "UDP", question, start, watch, udp, browserPath: true);
                if (udp.Result == ProbeResults.Ok) AddAll(_run.BrowserAddresses, udp.Addresses);

                // TCP: what a stub resolver does after a truncated answer (RFC 7766 5), and, after a failure over
                // UDP, a test of whether the resolver itself is up (a browser would not try it).
                bool truncated = udp.Result == ProbeResults.Truncated;
                bool failed = udp.Result is ProbeResults.Refused or ProbeResults.HostUnreachable or ProbeResults.NetworkUnreachable
                    or ProbeResults.Timeout or ProbeResults.Error;
                if (!truncated && !failed) continue;
                if (Exhausted()) return;
                watch.Restart();
                start = clock.Elapsed.TotalSeconds;
                var tcp = await DnsProbe.QueryTcpAsync(new IPEndPoint(resolver, DnsPort), _target.Host, type, _t, clock, cancel).ConfigureAwait(false);
                AddDns(ProbeSteps.ResolveTcp, resolver, "TCP", question, start, watch, tcp, browserPath: truncated);
                if (tcp.Result == ProbeResults.Ok) AddAll(truncated ? _run.BrowserAddresses : _run.FallbackAddresses, tcp.Addresses);
            }
        }
        _run.FallbackAddresses.RemoveAll(_run.BrowserAddresses.Contains);
    }

    private bool Exhausted()
    {
        if (!clock.Exhausted) return false;
        _run.BudgetExhausted = true;
        return true;
    }

    private void AddDns(string step, IPAddress resolver, string transport, string question, double start, Stopwatch watch, DnsAnswer answer, bool browserPath) =>
        Add(step, resolver, DnsPort, transport, start, watch, answer.Result, answer.Detail, browserPath, s => s with
        {
            Question = question,
            Attempts = answer.Attempts,
            Rcode = answer.Rcode,
            Addresses = answer.Addresses.Select(a => a.ToString()).ToList(),
        });

    private void Add(string step, IPAddress peer, int port, string transport, double start, Stopwatch watch, string result, string detail,
        bool browserPath, Func<ProbeStep, ProbeStep>? extra = null)
    {
        var record = new ProbeStep
        {
            Number = _run.Steps.Count + 1,
            Step = step,
            Peer = SocketOutcome.Endpoint(peer, port),
            Transport = transport,
            Result = result,
            Detail = detail,
            StartSeconds = Math.Round(start, 6),
            Milliseconds = Math.Round(watch.Elapsed.TotalMilliseconds, 3),
            BrowserPath = browserPath,
        };
        _run.Steps.Add(new StepRun(extra is null ? record : extra(record), peer, port));
    }

    private static void AddAll(List<IPAddress> list, IEnumerable<IPAddress> addresses)
    {
        foreach (var a in addresses)
        {
            if (!list.Contains(a)) list.Add(a);
        }
    }

    private static bool HasGlobalIpv6()
    {
        try
        {
            return NetworkInterface.GetAllNetworkInterfaces()
                .Where(n => n.OperationalStatus == OperationalStatus.Up && n.NetworkInterfaceType != NetworkInterfaceType.Loopback)
                .SelectMany(n => n.GetIPProperties().UnicastAddresses)
                .Any(u => u.Address.AddressFamily == AddressFamily.InterNetworkV6
                    && !u.Address.IsIPv6LinkLocal && !IPAddress.IsLoopback(u.Address));
        }
        catch (NetworkInformationException)
        {
            return false;
        }
    }
}
