using System.Globalization;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using NetTriage.Analysis.Detection.Activity;
using NetTriage.Analysis.Text;
using NetTriage.Analysis.Tracking;
using NetTriage.Packets;
using NetTriage.Packets.Tls;
using static NetTriage.Analysis.Diagnosis.CauseText;

namespace NetTriage.Analysis.Detection.TlsFailures;

/// <summary>
/// <c>tls-failure</c>: TLS handshakes to one service that end in a fatal alert (RFC 8446 6: a server refusing the
/// protocol version or every cipher, a client refusing the server's certificate) or that the server resets right
/// after the ClientHello (nothing speaks TLS there, or a filter cuts names it does not allow). The connection
/// completed, so TCP calls the service reachable; the handshake is what fails.
/// <para>
/// Each ClientHello opens a pending handshake (its connection, its server name) until the client sends
/// ChangeCipherSpec or application data (it accepted the server: success), a fatal cleartext alert is seen from
/// either side, or the server resets before answering. TLS 1.3 encrypts the client's alerts once the server has
/// answered (RFC 8446 5): a TLS 1.3 client refusing a certificate is not visible, and is not counted as a failure.
/// </para>
/// </summary>
internal sealed class TlsFailureDetection : ActivityDetector
{
    public static readonly ActivityKindRow[] Kinds =
    [
        new() { Kind = FindingKind.TlsFailure, Name = "tls-failure", Layer = Layer.Application },
    ];

    /// <summary>Failed handshakes a service needs: three, as a user retrying makes; one can be a client's quirk.</summary>
    internal const int MinFailures = 3;
    /// <summary>And a tenth of its handshakes: a busy service meets a client with an old TLS stack now and then.</summary>
    internal const double MinFailedShare = 0.1;
    /// <summary>Half of the handshakes failing: the service is unusable for its clients, high severity.</summary>
    internal const double DownShare = 0.5;

    private const int MaxServices = 4096;
    private const int MaxPending = 16_384;
    private const int NamesKept = 8;
    private const int ClientsKept = 64;
    private const int EvidenceKept = 12;

    private readonly Dictionary<TargetKey, Service> _services = [];
    private readonly Dictionary<ulong, Pending> _pending = [];
    private readonly EvidenceLines _lines = new();

    private struct Pending
    {
        public TargetKey Service;
        public string? Name;
        public bool ServerSpoke;
    }

    private sealed class Service(PacketTimestamp first)
    {
        public long Hellos, Failed, Resets;
        public readonly Dictionary<(bool FromServer, byte Description), long> Alerts = [];
        public readonly List<string> Names = [];
        public readonly BoundedSet<IpAddr> Clients = new(ClientsKept);
        public PacketTimestamp First = first;
        public PacketTimestamp? FirstFailure, LastFailure;
        public readonly ActivityEvidence Evidence = new(EvidenceKept);
    }

    public override PacketLayers Reads => PacketLayers.Tcp;

    /// <summary>
    /// A handshake opens with a ClientHello and ends with a TLS record or a reset: a segment without a TLS record (bare,
    /// or data that does not start one) does neither.
    /// </summary>
    public override bool ReadsBareSegments => false;

    public override bool ReadsPlainSegments => false;

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public override void Observe(DecodedPacket p, int input)
    {
        if (!p.Has(PacketLayers.Tcp)) return;
        if (p.Has(PacketLayers.Tls) && p.Tls.IsClientHello)
        {
            Hello(p, input);
            return;
        }
        // Only a TLS record or a reset can end a pending handshake: most segments of a transfer start neither.
        if (_pending.Count == 0 || (p.TlsRecord == 0 && (p.Tcp.Flags & TcpFlags.Rst) == 0)) return;
        var key = KeyHash.Connection(p.Ip.Source, p.SourcePort, p.Ip.Destination, p.DestinationPort);
        ref var fromClient = ref CollectionsMarshal.GetValueRefOrNullRef(_pending, key);
        if (!Unsafe.IsNullRef(ref fromClient))
        {
            if (p.TlsRecord == TlsDecoder.ContentTypeAlert && p.TlsAlertLevel == TlsAlerts.Fatal)
            {
                Failure(fromClient, p, input, fromServer: false, p.TlsAlertDescription, reset: false);
                _pending.Remove(key);
            }
            else if (p.TlsRecord is TlsDecoder.ContentTypeChangeCipherSpec or TlsDecoder.ContentTypeApplicationData
                || (p.Tcp.Flags & TcpFlags.Rst) != 0)
            {
                _pending.Remove(key); // accepted (or the client gave up on its own): no failure of the service
            }
            return;
        }
        var back = KeyHash.Connection(p.Ip.Destination, p.DestinationPort, p.Ip.Source, p.SourcePort);
        ref var toClient = ref CollectionsMarshal.GetValueRefOrNullRef(_pending, back);
        if (Unsafe.IsNullRef(ref toClient)) return;
        if (p.TlsRecord == TlsDecoder.ContentTypeAlert && p.TlsAlertLevel == TlsAlerts.Fatal)
        {
            Failure(toClient, p, input, fromServer: true, p.TlsAlertDescription, reset: false);
            _pending.Remove(back);
        }
        else if ((p.Tcp.Flags & TcpFlags.Rst) != 0)
        {
            if (!toClient.ServerSpoke) Failure(toClient, p, input, fromServer: true, 0, reset: true);
            _pending.Remove(back);
        }
        else
        {
            toClient.ServerSpoke = true;
        }
    }

    private void Hello(DecodedPacket p, int input)
    {
        var key = new TargetKey(p.Ip.Destination, p.DestinationPort, IpProtocol.Tcp);
        if (!_services.TryGetValue(key, out var s))
        {
            if (_services.Count >= MaxServices) return;
            s = new Service(p.Timestamp);
            _services[key] = s;
        }
        s.Hellos++;
        s.Clients.Add(p.Ip.Source);
        string? name = null;
        if (!p.Tls.ServerName.IsEmpty)
        {
            var sni = p.Text.GetSpan(p.Tls.ServerName);
            // The names kept are distinct (one is kept only when none matched): the first match is the only one.
            foreach (var kept in s.Names)
            {
                if (Describe.SameWire(sni, kept, spaces: false))
                {
                    name = kept;
                    break;
                }
            }
            if (name is null && s.Names.Count < NamesKept)
            {
                name = Describe.Wire(sni, spaces: false);
                s.Names.Add(name);
            }
        }
        if (_pending.Count >= MaxPending) _pending.Clear();
        _pending[KeyHash.Connection(p.Ip.Source, p.SourcePort, p.Ip.Destination, p.DestinationPort)] = new Pending { Service = key, Name = name };
        // A ClientHello is evidence once its service has failed before: formatting every service's first hellos
        // cost 8% of the analysis of a busy capture, for services that nearly all never fail.
        if (s.Failed > 0) s.Evidence.Add(_lines, p, input, "client-hello");
    }

    private void Failure(Pending pending, DecodedPacket p, int input, bool fromServer, byte description, bool reset)
    {
        if (!_services.TryGetValue(pending.Service, out var s)) return;
        s.Failed++;
        if (reset) s.Resets++;
        else s.Alerts[(fromServer, description)] = s.Alerts.GetValueOrDefault((fromServer, description)) + 1;
        s.FirstFailure ??= p.Timestamp;
        s.LastFailure = CaptureClock.Later(s.LastFailure ?? p.Timestamp, p.Timestamp);
        s.Evidence.Add(_lines, p, input, reset ? "reset" : "tls-alert");
    }

    public override void Finish(TrafficView traffic, List<DetectedActivity> found)
    {
        foreach (var (key, s) in _services.OrderBy(x => x.Key.Server).ThenBy(x => x.Key.Port))
        {
            if (s.Failed < MinFailures || s.Failed < MinFailedShare * s.Hellos) continue;
            found.Add(Judge(key, s));
        }
    }

    private static string Side(bool fromServer) => fromServer ? "server" : "client";

    private static DetectedActivity Judge(TargetKey key, Service s)
    {
        double share = (double)s.Failed / s.Hellos;
        var alerts = s.Alerts.OrderByDescending(x => x.Value).ThenBy(x => x.Key.FromServer).ThenBy(x => x.Key.Description).ToList();
        var alertText = alerts
            .Select(x => string.Create(CultureInfo.InvariantCulture, $"{Side(x.Key.FromServer)}: {TlsAlerts.Name(x.Key.Description)} ({x.Key.Description}): {x.Value}"))
            .ToList();
        string service = $"{key.Server} port {key.Port}";
        string names = s.Names.Count > 0 ? $" for {string.Join(", ", s.Names.Take(3))}" : "";
        string how = alerts.Count > 0 && (s.Resets == 0 || alerts[0].Value >= s.Resets)
            ? $"{Side(alerts[0].Key.FromServer)} alert {TlsAlerts.Name(alerts[0].Key.Description)}"
            : "reset by the server after the ClientHello";
        var first = s.FirstFailure ?? s.First;
        var last = s.LastFailure ?? s.First;
        var facts = new TlsFacts
        {
            Handshakes = s.Hellos,
            Failed = s.Failed,
            Alerts = alertText,
            Resets = s.Resets,
            ServerNames = s.Names,
        };
        return new DetectedActivity
        {
            Kind = FindingKind.TlsFailure,
            Layer = Layer.Application,
            Severity = share >= DownShare ? Severity.High : Severity.Medium,
            Protocol = "TLS",
            Transport = "TCP",
            Port = key.Port,
            Targets = [key.Server],
            Actors = s.Clients.Order().ToList(),
            First = first,
            Last = last,
            Attempts = s.Hellos,
            Failed = s.Failed,
            Tls = facts,
            Evidence = s.Evidence.Packets,
            EvidenceTotal = s.Evidence.Total,
            Absorbs = _ => false,
            FindingTitle = _ => $"{Describe.Count(s.Failed, "TLS handshake")} of {s.Hellos} with {service}{names} failed ({how})",
            IncidentTitle = _ => $"TLS handshakes fail: {service}{names} ({how})",
            Summary = _ => Phrase.Of($"Connections to {service} completed, but {s.Failed} of {Describe.Count(s.Hellos, "TLS handshake")}{names} failed {Describe.Window(first, last)}: {(alertText.Count > 0 ? string.Join("; ", alertText.Take(3)) : "")}{(alertText.Count > 0 && s.Resets > 0 ? "; " : "")}{(s.Resets > 0 ? $"{Describe.Count(s.Resets, "reset")} right after the ClientHello" : "")}. TCP alone would call the service reachable: the handshake is what fails."),
            Causes = _ => Causes(key, s, alerts.Select(x => (x.Key.FromServer, x.Key.Description, x.Value)).ToList()),
        };
    }

    private static List<Cause> Causes(TargetKey key, Service s, List<(bool FromServer, byte Description, long Count)> alerts)
    {
        string at = $"{key.Server} port {key.Port}";
        string name = s.Names.Count > 0 ? s.Names[0] : key.Server.ToString();
        var probe = Phrase.Of($"Reproduce and read the handshake: `openssl s_client -connect {key.Server}:{key.Port} -servername {name}` (add `-tls1_2` or `-tls1_3` to try one version).");
        var list = new List<Cause>();
        long rejected = alerts.Where(a => !a.FromServer && TlsAlerts.RejectsCertificate(a.Description)).Sum(a => a.Count);
        long version = alerts.Where(a => a.FromServer && a.Description is 70 or 71 or 86).Sum(a => a.Count);
        long noCommon = alerts.Where(a => a.FromServer && a.Description is 40 or 47 or 109 or 110 or 120).Sum(a => a.Count);
        long noName = alerts.Where(a => a.FromServer && a.Description == 112).Sum(a => a.Count);
        if (rejected > 0)
        {
            list.Add(Make("certificate-not-trusted", $"The clients do not accept the certificate of {at}: self-signed, expired, issued for another name, or missing its chain", 0.5 + 0.4 * rejected / s.Failed,
                [$"The clients ended {Describe.Count(rejected, "handshake")} with a certificate alert ({string.Join(", ", alerts.Where(a => !a.FromServer && TlsAlerts.RejectsCertificate(a.Description)).Select(a => TlsAlerts.Name(a.Description)).Distinct())}) after the server sent its certificate."],
                [],
                [probe, Phrase.Of($"Read the certificate's dates, issuer and names: `openssl s_client -connect {key.Server}:{key.Port} -servername {name} </dev/null | openssl x509 -noout -dates -issuer -ext subjectAltName`; renew it or install the full chain.")]));
        }
        if (version > 0)
        {
            list.Add(Make("protocol-version-mismatch", $"{at} and its clients share no TLS version: the server refuses the version the clients offer", 0.5 + 0.4 * version / s.Failed,
                [$"The server answered {Describe.Count(version, "ClientHello")} with protocol_version (RFC 8446 6.2): it supports none of the versions offered."],
                [],
                [probe, Phrase.Plain("Compare the server's allowed versions (nginx `ssl_protocols`, Apache `SSLProtocol`) with what the clients offer; old clients may need TLS 1.2.")]));
        }
        if (noCommon > 0)
        {
            list.Add(Make("no-common-parameters", $"{at} and its clients share no cipher suite, group or extension the server requires", 0.5 + 0.4 * noCommon / s.Failed,
                [$"The server ended {Describe.Count(noCommon, "handshake")} with handshake_failure or a related alert: no common parameters."],
                [],
                [probe, Phrase.Plain("Compare the server's cipher and group lists with the clients'.")]));
        }
        if (noName > 0)
        {
            list.Add(Make("unknown-server-name", $"{at} does not serve the name the clients ask for ({name})", 0.5 + 0.4 * noName / s.Failed,
                [$"The server answered {Describe.Count(noName, "handshake")} with unrecognized_name (RFC 6066 3)."],
                [],
                [Phrase.Of($"Check the server's configured names (nginx `server_name`) against {name}; check the clients' DNS points them at the right server.")]));
        }
        if (s.Resets > 0)
        {
            list.Add(Make("tls-reset", $"Something resets TLS to {at} right after the ClientHello: no TLS service on the port, or a filter that cuts the server names it does not allow", 0.4 + 0.4 * s.Resets / s.Failed,
                [$"{Describe.Count(s.Resets, "handshake")} ended in a reset from the server side before any answer."],
                ["A firewall or proxy that filters by server name (SNI) resets exactly this way; the reset's IP TTL, compared with the server's other packets, tells whether it came from the server."],
                [probe, Phrase.Of($"On {key.Server}: `ss -ltnp 'sport = :{key.Port}'`: what listens there, and does it speak TLS?")]));
        }
        if (list.Count == 0)
        {
            list.Add(Make("tls-handshake-failure", $"The TLS handshake with {at} fails", 0.5,
                [$"{Describe.Count(s.Failed, "handshake")} ended in a fatal alert."], [], [probe]));
        }
        return list;
    }
}
