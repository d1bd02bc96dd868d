using NetTriage.Analysis.Detection.Reflection;
using NetTriage.Packets;

namespace NetTriage.Analysis.Tests.Detection;

/// <summary>
/// Reflection attacks built packet by packet, seen at the victim (answers nobody asked for) and at the reflectors
/// (forged queries answered many times their size), each threshold met and just missed, and the traps: a busy
/// client whose lookups are answered, a crawler opening connections to many web servers.
/// </summary>
public sealed class ReflectionTests
{
    private const string Victim = "10.0.0.10";

    private static string Reflector(int i) => $"198.51.{100 + (i / 250)}.{1 + (i % 250)}";

    /// <summary>Large DNS answers from <paramref name="reflectors"/> servers to random ports of the victim, none asked for.</summary>
    private static Scenario DnsReflection(int answers, int reflectors, int payload = 1400)
    {
        var s = new Scenario();
        for (int i = 0; i < answers; i++) s.Datagram(Reflector(i % reflectors), 53, Victim, (ushort)(20000 + (i % 40000)), payload);
        return s;
    }

    [Fact]
    public void Unasked_dns_answers_from_many_servers_are_one_dns_amplification_incident()
    {
        var report = DnsReflection(1200, 30).Analyze();

        var incident = Assert.Single(report.Incidents);
        Assert.Equal(FindingKind.DnsAmplification, incident.Kind);
        Assert.Equal(Severity.High, incident.Severity);
        Assert.Equal([Victim], incident.Servers);
        var facts = Assert.Single(report.Findings).Attack!;
        Assert.Equal(1200, facts.Packets);
        Assert.Equal(1200, facts.Unasked);
        Assert.Equal(30, facts.Sources);
        Assert.Equal(1200L * (20 + 8 + 1400), facts.Bytes);
        Assert.Null(facts.AmplificationFactor); // no query in the capture
        Assert.Contains("none of which it asked for", incident.Summary.Text, StringComparison.Ordinal);
    }

    [Fact]
    public void Reflectors_answers_and_rate_thresholds_are_each_needed()
    {
        Assert.DoesNotContain(DnsReflection(1200, ReflectionDetection.MinReflectors - 1).Analyze().Findings, f => f.Kind == FindingKind.DnsAmplification);
        Assert.Contains(DnsReflection(1200, ReflectionDetection.MinReflectors).Analyze().Findings, f => f.Kind == FindingKind.DnsAmplification);
        Assert.DoesNotContain(DnsReflection(ReflectionDetection.MinAnswers - 1, 30).Analyze().Findings, f => f.Kind == FindingKind.DnsAmplification);

        // The same 1,200 answers spread over 20 minutes (one a second): no surge, no reflection attack.
        var slow = new Scenario();
        for (int i = 0; i < 1200; i++) slow.After(1).Datagram(Reflector(i % 30), 53, Victim, (ushort)(20000 + i), 1400);
        Assert.DoesNotContain(slow.Analyze().Findings, f => f.Kind == FindingKind.DnsAmplification);
    }

    [Fact]
    public void Ntp_answers_nobody_asked_for_are_udp_reflection()
    {
        var s = new Scenario();
        for (int i = 0; i < 1500; i++) s.Datagram(Reflector(i % 100), 123, Victim, 80, 468); // monlist answers: 6 entries of 72 bytes and more
        var finding = Assert.Single(s.Analyze().Findings);
        Assert.Equal(FindingKind.UdpReflection, finding.Kind);
        Assert.Equal(123, finding.Port);
        Assert.Equal("NTP", finding.Protocol);
    }

    [Fact]
    public void Forged_queries_answered_many_times_their_size_are_amplification_when_the_queries_are_in_the_capture()
    {
        // Seen upstream of the reflectors: each forged query (60 bytes of DNS) draws a 1,400-byte answer.
        var s = new Scenario();
        for (int i = 0; i < 1200; i++)
        {
            ushort port = (ushort)(30000 + i);
            s.Datagram(Victim, port, Reflector(i % 40), 53, 60);
            s.Datagram(Reflector(i % 40), 53, Victim, port, 1400);
        }
        var facts = Assert.Single(s.Analyze().Findings, f => f.Kind == FindingKind.DnsAmplification).Attack!;
        Assert.Equal(0, facts.Unasked);
        // 1,200 answers of 1,428 IP bytes over the queries that followed the record's first answer (1,199 of 88 bytes).
        Assert.Equal(Math.Round(1200 * 1428 / (1199 * 88.0), 1), facts.AmplificationFactor);
    }

    [Fact]
    public void A_busy_client_whose_lookups_are_answered_is_no_reflection()
    {
        // 2,000 lookups in 4 s to 25 resolvers, each answered, half of them with 40 addresses (a CDN name: 700 bytes).
        var s = new Scenario();
        var many = Enumerable.Range(1, 40).Select(i => $"192.0.2.{i}").ToArray();
        for (int i = 0; i < 2000; i++)
        {
            ushort port = (ushort)(30000 + i);
            string name = $"host{i}.example.com";
            s.Query(Victim, port, Reflector(i % 25), (ushort)i, name);
            s.Response(Reflector(i % 25), Victim, port, (ushort)i, name, 0, i % 2 == 0 ? ["192.0.2.1"] : many);
        }
        Assert.Empty(s.Analyze().Findings);
    }

    [Fact]
    public void Syn_acks_from_thousands_of_servers_to_a_host_that_sent_no_syn_are_syn_ack_reflection()
    {
        var s = new Scenario();
        for (int i = 0; i < 1500; i++)
        {
            string server = $"203.0.{i / 250}.{1 + (i % 250)}";
            ushort port = (ushort)(20000 + i);
            s.Tcp(server, (ushort)(i % 2 == 0 ? 80 : 443), Victim, port, TcpFlags.Syn | TcpFlags.Ack, 5000, 1001);
            s.Tcp(Victim, port, server, (ushort)(i % 2 == 0 ? 80 : 443), TcpFlags.Rst, 1001);
        }
        var report = s.Analyze();
        var incident = Assert.Single(report.Incidents);
        Assert.Equal(FindingKind.SynAckReflection, incident.Kind);
        var facts = Assert.Single(report.Findings).Attack!;
        Assert.Equal(1500, facts.Sources);
        Assert.Equal(1500, facts.Unasked);
        Assert.Equal(["80/tcp", "443/tcp"], facts.OpenList);
        Assert.Contains("answered 1500 of them with a reset", incident.Summary.Text, StringComparison.Ordinal);
    }

    [Fact]
    public void A_crawler_opening_connections_to_many_web_servers_is_no_reflection()
    {
        var s = new Scenario();
        for (int i = 0; i < 1500; i++)
        {
            string server = $"203.0.{i / 250}.{1 + (i % 250)}";
            ushort port = (ushort)(20000 + i);
            s.Tcp(Victim, port, server, 443, TcpFlags.Syn, 1000);
            s.Tcp(server, 443, Victim, port, TcpFlags.Syn | TcpFlags.Ack, 5000, 1001);
            s.Tcp(Victim, port, server, 443, TcpFlags.Ack, 1001, 5001);
        }
        Assert.DoesNotContain(s.Analyze().Findings, f => f.Kind == FindingKind.SynAckReflection);
    }
}
