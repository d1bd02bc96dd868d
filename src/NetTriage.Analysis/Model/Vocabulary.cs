using System.Text.Json.Serialization;

namespace NetTriage.Analysis;

/// <summary>
/// The finding kinds. Each has one row in the catalog of the detect stage (its JSON name, layer, severity,
/// wording and causes, in the folder of its detection family); the JSON names are the stable identifiers the
/// documentation lists. A kind without a row stops the program at its first analysis (and fails the tests).
/// </summary>
[JsonConverter(typeof(JsonStringEnumConverter<FindingKind>))]
public enum FindingKind : byte
{
    /// <summary>DNS queries answered by ICMP port unreachable: nothing listens on the server's DNS port.</summary>
    [JsonStringEnumMemberName("dns-server-unreachable")] DnsServerUnreachable,
    /// <summary>DNS queries rejected by a filter (ICMP administratively prohibited).</summary>
    [JsonStringEnumMemberName("dns-blocked")] DnsBlocked,
    /// <summary>DNS queries that got no answer at all.</summary>
    [JsonStringEnumMemberName("dns-no-response")] DnsNoResponse,
    [JsonStringEnumMemberName("dns-servfail")] DnsServfail,
    [JsonStringEnumMemberName("dns-refused")] DnsRefused,
    [JsonStringEnumMemberName("dns-nxdomain")] DnsNxdomain,
    /// <summary>TCP connection attempts answered by a reset (or ICMP port unreachable).</summary>
    [JsonStringEnumMemberName("tcp-connection-refused")] TcpConnectionRefused,
    [JsonStringEnumMemberName("tcp-no-response")] TcpNoResponse,
    /// <summary>TCP connection attempts rejected by a filter (ICMP administratively prohibited).</summary>
    [JsonStringEnumMemberName("tcp-blocked")] TcpBlocked,
    [JsonStringEnumMemberName("host-unreachable")] HostUnreachable,
    [JsonStringEnumMemberName("network-unreachable")] NetworkUnreachable,
    [JsonStringEnumMemberName("ttl-exceeded")] TtlExceeded,
    /// <summary>One source probing many ports of one host (closed or unanswered): what it learned is the open ports.</summary>
    [JsonStringEnumMemberName("port-scan")] PortScan,
    /// <summary>One source probing one port on many hosts.</summary>
    [JsonStringEnumMemberName("address-scan")] AddressScan,
    /// <summary>A surge of connection attempts (SYNs) toward one service that mostly never complete a handshake.</summary>
    [JsonStringEnumMemberName("syn-flood")] SynFlood,
    /// <summary>A surge of UDP datagrams toward one service (a flood of DNS queries toward a resolver among them).</summary>
    [JsonStringEnumMemberName("udp-flood")] UdpFlood,
    /// <summary>A surge of ICMP echo requests toward one host.</summary>
    [JsonStringEnumMemberName("icmp-flood")] IcmpFlood,
    /// <summary>Diagnostic activity: a traceroute, whose ICMP time-exceeded answers are its purpose (low severity, never an incident).</summary>
    [JsonStringEnumMemberName("traceroute")] Traceroute,
    /// <summary>Many failed logins from one source to one service (password guessing).</summary>
    [JsonStringEnumMemberName("brute-force")] BruteForce,
    /// <summary>Diagnostic activity: echo requests from one source to many hosts (low severity, never an incident).</summary>
    [JsonStringEnumMemberName("ping-sweep")] PingSweep,
    /// <summary>One IP address claimed by a second hardware address with ARP replies nobody asked for (cache poisoning).</summary>
    [JsonStringEnumMemberName("arp-spoofing")] ArpSpoofing,
    /// <summary>DNS answers converging on a victim from many servers, unasked or many times their queries' size.</summary>
    [JsonStringEnumMemberName("dns-amplification")] DnsAmplification,
    /// <summary>Answers of another UDP service abused for reflection (NTP, SSDP, memcached, CLDAP, SNMP, chargen) converging on a victim.</summary>
    [JsonStringEnumMemberName("udp-reflection")] UdpReflection,
    /// <summary>SYN-ACKs from many servers to a victim that never sent the SYNs.</summary>
    [JsonStringEnumMemberName("syn-ack-reflection")] SynAckReflection,
    /// <summary>Data carried in echo requests and replies: their data changes with every message, as ping's does not.</summary>
    [JsonStringEnumMemberName("icmp-tunneling")] IcmpTunneling,
    /// <summary>Data carried in DNS: many distinct long encoded names under one domain, and the answers back.</summary>
    [JsonStringEnumMemberName("dns-tunneling")] DnsTunneling,
    /// <summary>DNS answers that cannot all be real: one query answered twice, differently, or answered by a server not asked.</summary>
    [JsonStringEnumMemberName("dns-spoofing")] DnsSpoofing,
    /// <summary>One server answering names of unrelated domains with one address and a short TTL (NXDOMAIN redirection).</summary>
    [JsonStringEnumMemberName("dns-hijack")] DnsHijack,
    /// <summary>One host connecting to one service at regular intervals with sessions of one size (check-ins); low severity to an internal address.</summary>
    [JsonStringEnumMemberName("beaconing")] Beaconing,
    /// <summary>
    /// Failures toward several unrelated servers that share one element of the path: a first hop (gateway) that forwards
    /// nothing, or one router reporting many destinations unreachable. Groups the per-server findings.
    /// </summary>
    [JsonStringEnumMemberName("path-failure")] PathFailure,
    /// <summary>Connection attempts refused or unanswered over three or more services that each mostly work: one incident with the rate.</summary>
    [JsonStringEnumMemberName("scattered-failures")] ScatteredFailures,
    /// <summary>A web service answering server errors (5xx), or a storm of client errors (4xx, logins aside), to many of its requests.</summary>
    [JsonStringEnumMemberName("http-errors")] HttpErrors,
    /// <summary>TLS handshakes to one service ending in a fatal alert, or reset by the server right after the ClientHello.</summary>
    [JsonStringEnumMemberName("tls-failure")] TlsFailure,
    /// <summary>A TCP service whose connections are slow on the wire (the round trip), at the server (its first answer byte) or at the client (its first request byte).</summary>
    [JsonStringEnumMemberName("slow-network")] SlowNetwork,
    [JsonStringEnumMemberName("slow-server")] SlowServer,
    [JsonStringEnumMemberName("slow-client")] SlowClient,
    /// <summary>A receiver that stopped reading: a zero window advertised for a second or more.</summary>
    [JsonStringEnumMemberName("tcp-zero-window")] TcpZeroWindow,
    /// <summary>Data sent again and again over a second or more and never acknowledged: the peer or the path is gone.</summary>
    [JsonStringEnumMemberName("tcp-stall")] TcpStall,
    /// <summary>Dynamic updates of a zone (RFC 2136) refused, failed or unanswered by the server.</summary>
    [JsonStringEnumMemberName("dns-update-failed")] DnsUpdateFailed,
    /// <summary>Zone change notifications (RFC 1996) refused, failed or unanswered by the secondary they were sent to.</summary>
    [JsonStringEnumMemberName("dns-notify-failed")] DnsNotifyFailed,
}

/// <summary>Severity of a finding or incident, most severe first.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<Severity>))]
public enum Severity : byte
{
    [JsonStringEnumMemberName("high")] High,
    [JsonStringEnumMemberName("medium")] Medium,
    [JsonStringEnumMemberName("low")] Low,
}

/// <summary>How sure a ranked cause or a verdict is, most sure first.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<Confidence>))]
public enum Confidence : byte
{
    [JsonStringEnumMemberName("high")] High,
    [JsonStringEnumMemberName("medium")] Medium,
    [JsonStringEnumMemberName("low")] Low,
}

/// <summary>The layer an incident is at (the failing protocol's).</summary>
[JsonConverter(typeof(JsonStringEnumConverter<Layer>))]
public enum Layer : byte
{
    [JsonStringEnumMemberName("application")] Application,
    [JsonStringEnumMemberName("transport")] Transport,
    [JsonStringEnumMemberName("network")] Network,
    /// <summary>The link: ARP and Ethernet addressing on one segment.</summary>
    [JsonStringEnumMemberName("link")] Link,
}

/// <summary>The words of the vocabulary as the JSON and the reports write them.</summary>
public static class VocabularyNames
{
    public static string Name(this FindingKind kind) => Detection.FindingCatalog.RowOf(kind).Name;

    public static string Name(this Severity severity) => severity switch
    {
        Severity.High => "high",
        Severity.Medium => "medium",
        Severity.Low => "low",
        _ => throw new ArgumentOutOfRangeException(nameof(severity)),
    };

    public static string Name(this Confidence confidence) => confidence switch
    {
        Confidence.High => "high",
        Confidence.Medium => "medium",
        Confidence.Low => "low",
        _ => throw new ArgumentOutOfRangeException(nameof(confidence)),
    };

    public static string Name(this Layer layer) => layer switch
    {
        Layer.Application => "application",
        Layer.Transport => "transport",
        Layer.Network => "network",
        Layer.Link => "link",
        _ => throw new ArgumentOutOfRangeException(nameof(layer)),
    };
}
