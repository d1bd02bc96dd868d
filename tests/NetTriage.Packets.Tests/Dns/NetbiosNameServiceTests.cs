using NetTriage.Packets.Dns;
using NetTriage.Packets.Formatting;
using NetTriage.Packets.Tests.Support;
using static NetTriage.Packets.Tests.Support.PacketWriter;

namespace NetTriage.Packets.Tests.Dns;

/// <summary>
/// The NetBIOS name service on UDP 137 (RFC 1002 4.2): DNS's message format, read as DNS as Zeek's DNS analyzer reads
/// it; its NBSTAT type (0x21) is not DNS's SRV; `show` prints the datagram as tcpdump 4.99 does without -v.
/// </summary>
public sealed class NetbiosNameServiceTests
{
    /// <summary>A name query broadcast, byte for byte as in Zeek's Teredo trace (tunnels/Teredo.pcap, 15:50:58.577231).</summary>
    private static readonly byte[] BroadcastQuery = Convert.FromHexString(
        "4500004e87d6000080112c69c0a80210c0a802ff00890089003a2f24" +
        "866401100001000000000000" +
        "20454a464146474447434f4548455045504548454d4546434f45444550454e414100" + "00200001");

    /// <summary>A node status (NBSTAT) response: one name, "HOST" padded, type 0x20, then the unit id and statistics.</summary>
    private static byte[] NodeStatusResponse(ushort port)
    {
        var entry = Concat("HOST           "u8.ToArray(), [0x20], U16(0x0400));
        var data = Concat([1], entry, new byte[46]);
        var message = Concat(DnsHeader(0x0001, 0x8400, 0, 1, 0, 0),
            Record(Name("CKAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"), 0x21, 1, 0, data));
        return Ipv4("192.168.2.20", "192.168.2.16", IpProtocol.Udp, Udp(port, 137, message));
    }

    [Fact]
    public void A_name_query_is_read_as_dns()
    {
        var p = Decoding.Decode(LinkType.Raw, BroadcastQuery);
        Assert.Equal(0, p.Anomalies.Count);
        Assert.True(p.Has(PacketLayers.Udp | PacketLayers.Dns));
        Assert.True(DnsPorts.IsNetbios(p.SourcePort, p.DestinationPort));
        Assert.Equal(0x8664, p.Dns.Id);
        Assert.Equal(1, p.Dns.StoredQuestions);
        Assert.Equal("EJFAFGDGCOEHEPEPEHEMEFCOEDEPENAA.", p.Text(p.Dns.Questions[0].Name));
        Assert.Equal(0x20, p.Dns.Questions[0].Type);
    }

    [Fact]
    public void A_node_status_answer_is_not_read_as_srv()
    {
        var netbios = Decoding.Decode(LinkType.Raw, NodeStatusResponse(137));
        Assert.Equal(0, netbios.Anomalies.Count);
        Assert.Equal(1, netbios.Dns.StoredRecords);
        Assert.Equal(0x21, netbios.Dns.Records[0].Type);
        Assert.Equal((0, 0), (netbios.Dns.Records[0].Weight, netbios.Dns.Records[0].Port));
        Assert.True(netbios.Dns.Records[0].Data.IsEmpty);

        // The same message on the DNS port is SRV: its weight and port are the node name's letters "OS" and "T ".
        var dns = Decoding.Decode(LinkType.Raw, NodeStatusResponse(53));
        Assert.Equal((0x4F53, 0x5420), (dns.Dns.Records[0].Weight, dns.Dns.Records[0].Port));
    }

    [Theory]
    [InlineData(137, 53, false)]
    [InlineData(5353, 137, false)]
    [InlineData(137, 137, true)]
    [InlineData(40000, 137, true)]
    [InlineData(137, 40000, true)]
    [InlineData(138, 138, false)]
    public void Only_what_is_on_137_and_on_no_dns_port_is_netbios(int source, int destination, bool netbios)
    {
        Assert.Equal(netbios, DnsPorts.IsNetbios((ushort)source, (ushort)destination));
    }

    /// <summary>As `show` prints without --anomalies.</summary>
    private static readonly TcpdumpLineFormatter Show = new(new TcpdumpLineOptions { Annotations = false });

    [Fact]
    public void Show_prints_a_plain_datagram_as_tcpdump_does_without_v()
    {
        // tcpdump 4.99 -n: "15:50:58.577231 IP 192.168.2.16.137 > 192.168.2.255.137: UDP, length 50"
        var p = Decoding.Decode(LinkType.Raw, BroadcastQuery);
        Assert.EndsWith(" IP 192.168.2.16.137 > 192.168.2.255.137: UDP, length 50", Show.Format(p));
        var cut = Decoding.Decode(LinkType.Raw, BroadcastQuery.AsSpan(0, 28 + 6), originalLength: BroadcastQuery.Length);
        Assert.EndsWith(": UDP, length 50", Show.Format(cut));
    }
}
