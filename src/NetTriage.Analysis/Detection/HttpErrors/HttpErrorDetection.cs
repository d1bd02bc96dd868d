using System.Globalization;
using System.Runtime.CompilerServices;
using NetTriage.Analysis.Detection.Activity;
using NetTriage.Analysis.Text;
using NetTriage.Analysis.Tracking;
using NetTriage.Packets;
using static NetTriage.Analysis.Diagnosis.CauseText;

namespace NetTriage.Analysis.Detection.HttpErrors;

/// <summary>
/// <c>http-errors</c>: a web service that answers, but with errors. A handshake that completes says nothing of the
/// application behind it: a server answering 503 to every request is down for its users while TCP looks healthy.
/// Per service (server and port), the HTTP/1.x responses (RFC 9110 15) are counted by class; server errors (5xx) or a
/// storm of client errors (4xx, the logins' 401, 403 and 407 aside: those are brute force's) make a finding, with the
/// status lines as evidence and the paths whose answers failed (each response is paired with the last request of its
/// connection: HTTP/1.1 answers in order, RFC 9112 9.3.2).
/// </summary>
internal sealed class HttpErrorDetection : ActivityDetector
{
    public static readonly ActivityKindRow[] Kinds =
    [
        new() { Kind = FindingKind.HttpErrors, Name = "http-errors", Layer = Layer.Application },
    ];

    /// <summary>
    /// Server errors a service must answer: five. One 500 is one failing request (a bug on one page); five are a
    /// pattern an analyst wants named.
    /// </summary>
    internal const int MinServerErrors = 5;
    /// <summary>
    /// ... and their share of the service's responses: a busy service answering thousands of requests has a few
    /// server errors on an ordinary day.
    /// </summary>
    internal const double MinServerErrorShare = 0.1;
    /// <summary>
    /// Client errors (404, 429, ...) make a storm from 50, half of the service's responses: a browser meets a missing
    /// favicon or an expired link now and then, a removed API or a rate limit answers everyone.
    /// </summary>
    internal const int MinClientErrors = 50;
    internal const double MinClientErrorShare = 0.5;
    /// <summary>A service answering errors to half its requests or more is down for its users: high severity.</summary>
    internal const double DownShare = 0.5;

    private const int MaxServices = 4096;
    private const int MaxFlows = 16_384;
    private const int PathsKept = 8;
    private const int ClientsKept = 64;
    private const int EvidenceKept = 12;

    private readonly Dictionary<TargetKey, Service> _services = [];
    /// <summary>The path slot of each connection's last request (flow hash to slot), cleared when full.</summary>
    private readonly Dictionary<ulong, byte> _lastPath = [];
    private readonly EvidenceLines _lines = new();

    private sealed class Service(PacketTimestamp first)
    {
        public long Requests, Responses, ServerErrors, ClientErrors;
        public readonly Dictionary<int, (long Count, string Reason)> Statuses = [];
        public readonly List<(int Hash, string Text, long Requests, long Errors)> Paths = [];
        public long PathsDropped;
        public readonly BoundedSet<IpAddr> Clients = new(ClientsKept);
        public PacketTimestamp First = first, Last = first;
        public PacketTimestamp? FirstError, LastError;
        public readonly ActivityEvidence Evidence = new(EvidenceKept);
    }

    public override PacketLayers Reads => PacketLayers.Http;

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public override void Observe(DecodedPacket p, int input)
    {
        if (!p.Has(PacketLayers.Http) || !p.Has(PacketLayers.Tcp)) return;
        if (p.Http.IsRequest)
        {
            var key = new TargetKey(p.Ip.Destination, p.DestinationPort, IpProtocol.Tcp);
            if (!_services.TryGetValue(key, out var s))
            {
                if (_services.Count >= MaxServices) return;
                s = new Service(p.Timestamp);
                _services[key] = s;
            }
            s.Requests++;
            s.Last = CaptureClock.Later(s.Last, p.Timestamp);
            s.Clients.Add(p.Ip.Source);
            byte pathSlot = PathSlot(s, p.Text.GetSpan(p.Http.Target));
            if (_lastPath.Count >= MaxFlows) _lastPath.Clear();
            _lastPath[KeyHash.Connection(p.Ip.Source, p.SourcePort, p.Ip.Destination, p.DestinationPort)] = pathSlot;
            return;
        }
        int status = p.Http.StatusCode;
        if (!_services.TryGetValue(new TargetKey(p.Ip.Source, p.SourcePort, IpProtocol.Tcp), out var service)) return;
        service.Responses++;
        service.Last = CaptureClock.Later(service.Last, p.Timestamp);
        bool server = status is >= 500 and < 600;
        bool client = status is >= 400 and < 500 and not (401 or 403 or 407);
        if (!server && !client) return;
        if (server) service.ServerErrors++;
        else service.ClientErrors++;
        service.FirstError ??= p.Timestamp;
        service.LastError = CaptureClock.Later(service.LastError ?? p.Timestamp, p.Timestamp);
        if (service.Statuses.TryGetValue(status, out var seen)) service.Statuses[status] = (seen.Count + 1, seen.Reason);
        else if (service.Statuses.Count < 16) service.Statuses[status] = (1, Describe.Wire(p.Text.GetSpan(p.Http.Reason), spaces: true));
        service.Evidence.Add(_lines, p, input, "http-error");
        if (_lastPath.TryGetValue(KeyHash.Connection(p.Ip.Destination, p.DestinationPort, p.Ip.Source, p.SourcePort), out byte slot) && slot < service.Paths.Count)
        {
            var path = service.Paths[slot];
            service.Paths[slot] = (path.Hash, path.Text, path.Requests, path.Errors + 1);
        }
    }

    /// <summary>The path's slot in the service (the query string left out), made for the first paths; byte.MaxValue past them.</summary>
    private static byte PathSlot(Service s, ReadOnlySpan<byte> target)
    {
        int q = target.IndexOf((byte)'?');
        var path = q >= 0 ? target[..q] : target;
        var hash = new HashCode();
        hash.AddBytes(path);
        int h = hash.ToHashCode();
        for (int i = 0; i < s.Paths.Count; i++)
        {
            if (s.Paths[i].Hash == h)
            {
                var kept = s.Paths[i];
                s.Paths[i] = (kept.Hash, kept.Text, kept.Requests + 1, kept.Errors);
                return (byte)i;
            }
        }
        if (s.Paths.Count >= PathsKept)
        {
            s.PathsDropped++;
            return byte.MaxValue;
        }
        s.Paths.Add((h, Describe.Wire(path, spaces: false), 1, 0));
        return (byte)(s.Paths.Count - 1);
    }

    public override void Finish(TrafficView traffic, List<DetectedActivity> found)
    {
        foreach (var (key, s) in _services.OrderBy(x => x.Key.Server).ThenBy(x => x.Key.Port))
        {
            if (s.Responses == 0) continue;
            bool serverErrors = s.ServerErrors >= MinServerErrors && s.ServerErrors >= MinServerErrorShare * s.Responses;
            bool clientStorm = s.ClientErrors >= MinClientErrors && s.ClientErrors >= MinClientErrorShare * s.Responses;
            if (!serverErrors && !clientStorm) continue;
            found.Add(Judge(key, s, serverErrors));
        }
    }

    private static DetectedActivity Judge(TargetKey key, Service s, bool serverErrors)
    {
        long errors = serverErrors ? s.ServerErrors + (s.ClientErrors >= MinClientErrors ? s.ClientErrors : 0) : s.ClientErrors;
        double share = (double)(s.ServerErrors + s.ClientErrors) / s.Responses;
        var statuses = s.Statuses.OrderByDescending(x => x.Value.Count).ThenBy(x => x.Key)
            .Select(x => (Code: x.Key, x.Value.Count, x.Value.Reason)).ToList();
        var statusText = statuses.Select(x => string.Create(CultureInfo.InvariantCulture, $"{x.Code} {x.Reason}: {x.Count}")).ToList();
        var paths = s.Paths.Where(x => x.Errors > 0).OrderByDescending(x => x.Errors).ThenBy(x => x.Text, StringComparer.Ordinal)
            .Select(x => string.Create(CultureInfo.InvariantCulture, $"{x.Text}: {x.Errors} of {x.Requests}")).ToList();
        var server = key.Server;
        var clients = s.Clients.Order().ToList();
        string service = $"{server} port {key.Port}";
        int top = statuses.Count > 0 ? statuses[0].Code : 500;
        string topText = statuses.Count > 0 ? $"{statuses[0].Code} {statuses[0].Reason}".TrimEnd() : "errors";
        var first = s.FirstError ?? s.First;
        var last = s.LastError ?? s.Last;
        var facts = new HttpFacts
        {
            Responses = s.Responses,
            ServerErrors = s.ServerErrors,
            ClientErrors = s.ClientErrors,
            Statuses = statusText,
            Paths = paths,
            ErrorShare = Math.Round(share, 4),
        };
        string what = serverErrors ? Describe.Count(s.ServerErrors, "server error") : Describe.Count(s.ClientErrors, "client error");
        return new DetectedActivity
        {
            Kind = FindingKind.HttpErrors,
            Layer = Layer.Application,
            Severity = share >= DownShare ? Severity.High : Severity.Medium,
            Protocol = "HTTP",
            Transport = "TCP",
            Port = key.Port,
            Targets = [server],
            Actors = clients,
            First = first,
            Last = last,
            Attempts = s.Responses,
            Failed = s.ServerErrors + s.ClientErrors,
            Http = facts,
            Evidence = s.Evidence.Packets,
            EvidenceTotal = s.Evidence.Total,
            Absorbs = _ => false,
            FindingTitle = _ => $"{service} answered {what} of {Describe.Count(s.Responses, "HTTP response")} ({Describe.Percent(share)} errors), most {topText}",
            IncidentTitle = _ => $"HTTP errors: {service} answers {topText}",
            Summary = _ => Phrase.Of($"The web service on {service} accepted connections but answered {Describe.Count(s.ServerErrors + s.ClientErrors, "request")} of {s.Responses} with errors ({string.Join(", ", statusText.Take(3))}) {Describe.Window(first, last)}{(paths.Count > 0 ? $"; worst path {paths[0]}" : "")}. TCP alone would call it reachable: the application is what fails."),
            Causes = _ => Causes(server, key.Port, top, share, paths),
        };
    }

    private static List<Cause> Causes(IpAddr server, ushort port, int status, double share, List<string> paths)
    {
        string at = $"{server} port {port}";
        var logs = Phrase.Of($"Read the web server's error log at the failure times (nginx: `/var/log/nginx/error.log`; Apache: `error_log`) on {server}.");
        var retry = Phrase.Of($"Reproduce from a client: `curl -sv http://{server}:{port}{(paths.Count > 0 ? paths[0][..paths[0].LastIndexOf(':')] : "/")}` and read the status line and the body.");
        var list = new List<Cause>();
        switch (status)
        {
            case 502 or 504:
                list.Add(Make("backend-unreachable", $"{at} is a proxy or load balancer whose backend is down or too slow ({status} {(status == 502 ? "Bad Gateway" : "Gateway Timeout")})", 0.8,
                    [$"{status} is what a gateway or proxy answers when its upstream fails (RFC 9110 15.6.3 and 15.6.5)."],
                    [],
                    [logs, Phrase.Of($"On {server}, check the upstream the proxy forwards to (nginx `proxy_pass`): is it running and answering?"), retry]));
                break;
            case 503:
                list.Add(Make("service-unavailable", $"{at} is overloaded, in maintenance, or a proxy with no healthy backend (503 Service Unavailable)", 0.75,
                    [$"503 says the server cannot handle the request for now (RFC 9110 15.6.4): overload, maintenance mode, or no backend to send it to."],
                    [],
                    [logs, Phrase.Of($"On {server}: load, worker and connection limits, and whether a maintenance mode or a health check took the backends out."), retry]));
                break;
            case 429:
                list.Add(Make("rate-limited", $"{at} limits the request rate of its clients (429 Too Many Requests)", 0.75,
                    ["429 says the client sent too many requests in a given time (RFC 6585 4)."],
                    [],
                    [Phrase.Plain("Find which client sends the most requests and whether the limit fits the service's real use."), logs]));
                break;
            case >= 500:
                list.Add(Make("application-error", $"The application behind {at} fails on these requests ({status}): a bug or a failing dependency (database, disk, another service)", 0.7,
                    [$"{status} says the server met a condition it could not handle (RFC 9110 15.6)."],
                    [],
                    [logs, Phrase.Plain("Read the application's own log and the health of what it depends on at the failure times."), retry]));
                break;
            default:
                list.Add(Make("missing-resource", $"Clients ask {at} for what it does not serve ({status}): a removed page or API, a broken link, a misconfigured client", 0.6,
                    [$"{Describe.Percent(share)} of the answers were errors, most of them {status}."],
                    ["A crawler or a scanner asking for paths at random draws the same answers."],
                    [retry, logs]));
                break;
        }
        return list;
    }
}
