using NetTriage.Packets.Formatting;

namespace NetTriage.Packets.Tests.Model;

public sealed class DecodedPacketTests
{
    // Ethernet / IPv4 / UDP 52444 -> 53 / DNS query id 35084 for yummyrecipesforme.com A, recursion desired
    // (the first frame of samples/seed-incident.pcap).
    private static readonly byte[] SeedQuery = Convert.FromHexString(
        "020000000001" + "02000051640f" + "0800" +                                    // dst, src, IPv4
        "45000043" + "1c464000" + "4011" + "0000" + "c033640f" + "cb007102" +       // IPv4, checksum left 0
        "ccdc0035002f0000" +                                                           // UDP, checksum 0 (none)
        "890c01000001000000000000" +                                                   // DNS header
        "1179756d6d7972656369706573666f726d6503636f6d00" + "00010001");               // question

    [Fact]
    public void CopyTo_gives_a_packet_that_prints_and_reads_the_same()
    {
        var original = new DecodedPacket { FrameNumber = 1, CapturedLength = SeedQuery.Length, OriginalLength = SeedQuery.Length };
        PacketDecoder.Decode(LinkType.Ethernet, SeedQuery, original);
        original.AddAnomaly(AnomalyKind.DnsLabelTooLong);

        var copy = new DecodedPacket();
        copy.Text.TryAppend("stale text that must be replaced"u8, out _);
        original.CopyTo(copy);

        var formatter = new TcpdumpLineFormatter();
        Assert.Equal(formatter.Format(original), formatter.Format(copy));
        Assert.Equal(35084, copy.Dns.Id);
        Assert.Equal("yummyrecipesforme.com.", copy.GetText(copy.Dns.Questions[0].Name));
        Assert.True(copy.Anomalies.Contains(AnomalyKind.DnsLabelTooLong));
        Assert.Equal(original.Ip.Source, copy.Ip.Source);

        // The copy is independent: resetting the original leaves it whole.
        original.Reset();
        Assert.Equal("yummyrecipesforme.com.", copy.GetText(copy.Dns.Questions[0].Name));
    }
}
