using NetTriage.Packets;

namespace NetTriage.Analysis.Tests.Detection;

/// <summary>
/// ARP cache poisoning built message by message: an attacker's unasked replies claiming the gateway while the gateway
/// keeps answering, against the traps of a host renumbered once (a DHCP lease moved to another machine) and a
/// segment's ordinary request and reply chatter.
/// </summary>
public sealed class ArpSpoofingTests
{
    private const string Gateway = "10.0.0.1";
    private const string Victim = "10.0.0.10";
    private const string Attacker = "10.0.0.66";
    private const ulong GatewayMac = 0x02_00_00_00_00_01;
    private const ulong VictimMac = 0x02_00_00_00_00_0A;
    private const ulong AttackerMac = 0x02_00_00_00_00_66;

    /// <summary>The victim asks for the gateway and the gateway answers: the ordinary exchange.</summary>
    private static Scenario Resolve(Scenario s) =>
        s.Arp(false, VictimMac, Victim, 0, Gateway).Arp(true, GatewayMac, Gateway, VictimMac, Victim);

    [Fact]
    public void Unasked_replies_claiming_the_gateway_while_it_keeps_answering_are_arp_spoofing_by_the_attacker()
    {
        var s = Resolve(new Scenario());
        s.Arp(false, AttackerMac, Attacker, 0, Victim); // the attacker's own address, as arpspoof learns the victim's MAC
        s.Arp(true, VictimMac, Victim, AttackerMac, Attacker);
        for (int round = 0; round < 3; round++)
        {
            for (int i = 0; i < 5; i++) s.After(2).Arp(true, AttackerMac, Gateway, VictimMac, Victim);
            Resolve(s.After(1)); // the victim's cache entry goes stale, it asks again, the gateway answers
        }

        var report = s.Analyze();

        var finding = Assert.Single(report.Findings, f => f.Kind == FindingKind.ArpSpoofing);
        Assert.Equal(Victim, finding.Server);
        Assert.Equal([Attacker], finding.Clients);
        Assert.Equal(["02:00:00:00:00:01", "02:00:00:00:00:66"], finding.Attack!.Macs);
        Assert.Equal(15, finding.Attack.Packets);
        var incident = Assert.Single(report.Incidents);
        Assert.Equal(FindingKind.ArpSpoofing, incident.Kind);
        Assert.Equal(Severity.High, incident.Severity);
        Assert.Contains(Gateway, incident.Title, StringComparison.Ordinal);
        Assert.Contains("02:00:00:00:00:66", incident.Title, StringComparison.Ordinal);
        Assert.Contains("15 ARP replies nobody asked for", incident.Summary.Text, StringComparison.Ordinal);
        Assert.Equal(15, incident.Attempts);
        Assert.Equal("arp-poisoning", incident.Causes[0].Id);
    }

    [Fact]
    public void An_address_that_moves_to_another_machine_once_is_no_spoofing()
    {
        // A DHCP lease given to another machine: the new owner announces itself (gratuitous ARP) and answers
        // requests from then on; the old one is gone. One change of the binding, never back.
        var s = Resolve(new Scenario());
        s.Arp(false, 0x02_00_00_00_00_20, "10.0.0.20", 0, Gateway);
        s.Arp(true, GatewayMac, Gateway, 0x02_00_00_00_00_20, "10.0.0.20");
        s.After(60).Arp(true, 0x02_00_00_00_00_21, "10.0.0.20", 0xFFFF_FFFF_FFFF, "10.0.0.20");
        for (int i = 0; i < 10; i++)
        {
            s.After(5).Arp(false, VictimMac, Victim, 0, "10.0.0.20").Arp(true, 0x02_00_00_00_00_21, "10.0.0.20", VictimMac, Victim);
            Resolve(s);
        }

        var report = s.Analyze();

        Assert.DoesNotContain(report.Findings, f => f.Kind == FindingKind.ArpSpoofing);
        Assert.Empty(report.Incidents);
    }

    [Fact]
    public void A_failover_pair_that_takes_the_address_over_and_back_with_gratuitous_replies_is_no_spoofing()
    {
        // keepalived without a virtual MAC: the backup announces the shared address five times when it takes
        // over, the master five times when it takes it back. The binding changes twice, but every reply is
        // gratuitous (target address = sender address): an announcement to all, not a lie told to one host.
        const string Shared = "10.0.0.5";
        var s = new Scenario();
        s.Arp(false, VictimMac, Victim, 0, Shared).Arp(true, 0x02_00_00_00_00_A1, Shared, VictimMac, Victim);
        for (int i = 0; i < 5; i++) s.After(1).Arp(true, 0x02_00_00_00_00_B2, Shared, 0xFFFF_FFFF_FFFF, Shared);
        for (int i = 0; i < 5; i++) s.After(1).Arp(true, 0x02_00_00_00_00_A1, Shared, 0xFFFF_FFFF_FFFF, Shared);

        Assert.DoesNotContain(s.Analyze().Findings, f => f.Kind == FindingKind.ArpSpoofing);
    }

    [Fact]
    public void Two_unasked_replies_are_below_the_threshold_and_three_meet_it()
    {
        Assert.Equal(3, NetTriage.Analysis.Detection.Spoofing.ArpSpoofingDetection.MinUnasked);
        foreach (int replies in new[] { 2, 3 })
        {
            var s = Resolve(new Scenario());
            for (int i = 0; i < replies; i++) s.After(2).Arp(true, AttackerMac, Gateway, VictimMac, Victim);
            Resolve(s.After(2));
            bool found = s.Analyze().Findings.Any(f => f.Kind == FindingKind.ArpSpoofing);
            Assert.Equal(replies >= 3, found);
        }
    }

    [Fact]
    public void A_binding_that_flips_only_once_is_below_the_threshold_and_twice_meets_it()
    {
        Assert.Equal(2, NetTriage.Analysis.Detection.Spoofing.ArpSpoofingDetection.MinFlips);
        var once = Resolve(new Scenario());
        for (int i = 0; i < 5; i++) once.After(2).Arp(true, AttackerMac, Gateway, VictimMac, Victim);
        Assert.DoesNotContain(once.Analyze().Findings, f => f.Kind == FindingKind.ArpSpoofing);

        var twice = Resolve(new Scenario());
        for (int i = 0; i < 5; i++) twice.After(2).Arp(true, AttackerMac, Gateway, VictimMac, Victim);
        Resolve(twice.After(1));
        Assert.Contains(twice.Analyze().Findings, f => f.Kind == FindingKind.ArpSpoofing);
    }
}
