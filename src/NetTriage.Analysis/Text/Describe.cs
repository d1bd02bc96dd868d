using System.Globalization;
using System.Text;
using NetTriage.Analysis.Tracking;
using NetTriage.Packets;

namespace NetTriage.Analysis.Text;

/// <summary>Words for what the model holds: times, ICMP messages, services, durations, counts.</summary>
internal static class Describe
{
    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    public static TimeValue Time(PacketTimestamp t)
    {
        switch (t.Kind)
        {
            case TimestampKind.Absolute:
            {
                var dt = DateTime.UnixEpoch.AddTicks(Math.DivRem(t.Nanoseconds, 100, out long rest));
                string fraction = rest == 0 && t.SubsecondNanos % 1000 == 0
                    ? (t.SubsecondNanos / 1000).ToString("D6", Invariant)
                    : t.SubsecondNanos.ToString("D9", Invariant);
                return new TimeValue
                {
                    Text = dt.ToString("yyyy-MM-dd'T'HH:mm:ss", Invariant) + "." + fraction + "Z",
                    Kind = "absolute",
                    Seconds = t.Nanoseconds / 1e9,
                };
            }
            case TimestampKind.TimeOfDay:
            {
                long ns = t.TimeOfDayNanos;
                long s = ns / PacketTimestamp.NanosPerSecond;
                return new TimeValue
                {
                    Text = string.Create(Invariant, $"{s / 3600:D2}:{s / 60 % 60:D2}:{s % 60:D2}.{ns % PacketTimestamp.NanosPerSecond / 1000:D6}"),
                    Kind = "time-of-day",
                    Seconds = ns / 1e9,
                };
            }
            case TimestampKind.Relative:
                return new TimeValue
                {
                    Text = string.Create(Invariant, $"+{t.Nanoseconds / 1e9:0.000000} s"),
                    Kind = "relative",
                    Seconds = t.Nanoseconds / 1e9,
                };
            default:
                return new TimeValue { Text = "unknown", Kind = "none", Seconds = 0 };
        }
    }

    /// <summary>A short clock time for prose: "13:24:32" (date-free, UTC for absolute times).</summary>
    public static string Clock(PacketTimestamp t) => t.Kind switch
    {
        TimestampKind.Absolute => t.ToDateTime().ToString("yyyy-MM-dd HH:mm:ss", Invariant) + " UTC",
        TimestampKind.TimeOfDay => Time(t).Text[..8],
        TimestampKind.Relative => string.Create(Invariant, $"+{t.Nanoseconds / 1e9:0.###} s"),
        _ => "an unknown time",
    };

    public static double? Seconds(PacketTimestamp from, PacketTimestamp to) =>
        from.Kind == to.Kind && from.Kind != TimestampKind.None ? (to.Nanoseconds - from.Nanoseconds) / 1e9 : null;

    /// <summary>"4 min 18 s", "3.9 s", "85 ms".</summary>
    public static string Duration(double seconds)
    {
        if (seconds < 1) return string.Create(Invariant, $"{seconds * 1000:0} ms");
        if (seconds < 60) return string.Create(Invariant, $"{seconds:0.#} s");
        if (seconds < 3600) return string.Create(Invariant, $"{(int)(seconds / 60)} min {(int)(seconds % 60)} s");
        return string.Create(Invariant, $"{(int)(seconds / 3600)} h {(int)(seconds % 3600 / 60)} min");
    }

    public static string Count(long n, string singular, string? plural = null) =>
        n.ToString(Invariant) + " " + (n == 1 ? singular : plural ?? singular + "s");

    /// <summary>The ICMP message as tcpdump and RFC 792 / RFC 4443 name it.</summary>
    public static string Icmp(bool v6, int type, int code, int port = 0, string? transport = null)
    {
        string portText = port != 0 && transport is not null ? $"{transport} port {port} unreachable" : "port unreachable";
        if (!v6)
        {
            return (type, code) switch
            {
                (3, 0) => "network unreachable",
                (3, 1) => "host unreachable",
                (3, 2) => "protocol unreachable",
                (3, 3) => portText,
                (3, 4) => "fragmentation needed",
                (3, 6) => "destination network unknown",
                (3, 7) => "destination host unknown",
                (3, 9) => "network administratively prohibited",
                (3, 10) => "host administratively prohibited",
                (3, 13) => "communication administratively prohibited",
                (3, _) => "destination unreachable (code " + code.ToString(Invariant) + ")",
                (11, 0) => "time to live exceeded in transit",
                (11, 1) => "fragment reassembly time exceeded",
                (4, _) => "source quench",
                (5, _) => "redirect",
                (12, _) => "parameter problem",
                _ => $"type {type} code {code}",
            };
        }
        return (type, code) switch
        {
            (1, 0) => "no route to destination",
            (1, 1) => "communication administratively prohibited",
            (1, 3) => "address unreachable",
            (1, 4) => portText,
            (1, 5) => "source address failed ingress/egress policy",
            (1, 6) => "reject route to destination",
            (1, _) => "destination unreachable (code " + code.ToString(Invariant) + ")",
            (2, _) => "packet too big",
            (3, 0) => "hop limit exceeded in transit",
            (3, 1) => "fragment reassembly time exceeded",
            (4, _) => "parameter problem",
            _ => $"type {type} code {code}",
        };
    }

    /// <summary>Well-known service names and what they are used for.</summary>
    public static (string? Name, string? Protocol, string? Use) Service(int port, bool tcp) => port switch
    {
        53 => ("domain", "DNS", "DNS: resolving names to addresses; clients cannot find any server by name without it"),
        5353 => ("mdns", "mDNS", "multicast DNS on the local link"),
        5355 => ("llmnr", "LLMNR", "link-local name resolution"),
        80 => ("http", "HTTP", "HTTP: web traffic without TLS"),
        443 => (tcp ? "https" : "https", tcp ? "HTTPS" : "QUIC", "HTTPS: web traffic over TLS"),
        8080 => ("http-alt", "HTTP", "HTTP on an alternate port"),
        22 => ("ssh", "SSH", "SSH: remote administration"),
        25 => ("smtp", "SMTP", "SMTP: mail delivery"),
        123 => ("ntp", "NTP", "NTP: clock synchronisation"),
        _ => (null, null, null),
    };

    public static string Address(IpAddr a) => a.ToString();

    /// <summary>A DNS name for prose: without the root's trailing dot ("example.com", but "." stays).</summary>
    public static string Name(string name) => name.Length > 1 && name[^1] == '.' ? name[..^1] : name;

    /// <summary>A tcpdump -n style line for a DNS query, from what the tracker kept of it.</summary>
    public static string QueryLine(DnsAttempt a)
    {
        var sb = new StringBuilder();
        sb.Append(a.IsV6 ? "IP6 " : "IP ");
        sb.Append(a.Client.ToString()).Append('.').Append(a.ClientPort.ToString(Invariant));
        sb.Append(" > ").Append(a.Server.ToString()).Append('.').Append(a.ServerPort.ToString(Invariant)).Append(": ");
        if (a.OverTcp) sb.Append("Flags [P.], ");
        sb.Append(a.Id.ToString(Invariant));
        if (a.RecursionDesired) sb.Append('+');
        sb.Append(' ').Append(TrafficTracker.TypeName(a.QType)).Append("? ").Append(a.QName);
        sb.Append(" (").Append(a.MessageLength.ToString(Invariant)).Append(')');
        return sb.ToString();
    }

    /// <summary>A tcpdump -n style line for a connection's first SYN.</summary>
    public static string SynLine(TcpConnection c) => string.Create(Invariant,
        $"{(c.IsV6 ? "IP6" : "IP")} {c.Client}.{c.ClientPort} > {c.Server}.{c.ServerPort}: Flags [S], seq {c.InitialSequence}, win {c.Window}, length 0");
}
