using NetTriage.Packets;

namespace NetTriage.Capture.Tests.Text;

/// <summary>HTTP after a TCP summary; lines from arcnet-rfc1201-arp-icmp-http-e.out, accecn_handshake.out, ipv4_tcp_http_xml.out.</summary>
public class HttpSummaryTests
{
    [Fact]
    public void OneLineRequest()
    {
        var p = TextInput.One("   16  2025-05-10 13:20:28.351197 IP 10.80.131.1.1027 > 146.190.240.163.80: Flags [P.], seq 1:195, ack 1, win 1872, options [nop,nop,TS val 305417 ecr 1281130006], length 194: HTTP: GET / HTTP/1.1");
        Assert.Equal(PacketLayers.Ipv4 | PacketLayers.Tcp | PacketLayers.Http, p.Layers);
        Assert.True(p.Http.IsRequest);
        Assert.Equal(("GET", "/", "HTTP/1.1"), (p.GetText(p.Http.Method), p.GetText(p.Http.Target), p.GetText(p.Http.Version)));
        Assert.Equal(194, p.PayloadClaimedLength);
    }

    [Fact]
    public void OneLineHttp09Request()
    {
        // tcpdump 4.99 -n on Zeek's mixed-vlan-mpls.pcap: an HTTP/0.9 simple request (RFC 1945 4.1) has no version.
        var p = TextInput.One("14:53:22.071409 IP 10.20.80.1.50343 > 10.0.0.15.80: Flags [P.], seq 1:10, ack 1, win 45, options [nop,nop,TS val 2995515159 ecr 749991331], length 9: HTTP: GET /");
        Assert.True(p.Http.IsRequest);
        Assert.Equal(("GET", "/", ""), (p.GetText(p.Http.Method), p.GetText(p.Http.Target), p.GetText(p.Http.Version)));
    }

    [Fact]
    public void OneLineResponse()
    {
        var p = TextInput.One("   19  2025-05-10 13:20:28.550695 IP 146.190.240.163.80 > 10.80.131.1.1027: Flags [P.], seq 1:186, ack 195, win 1024, length 185: HTTP: HTTP/1.1 301 Moved Permanently");
        Assert.False(p.Http.IsRequest);
        Assert.Equal(301, p.Http.StatusCode);
        Assert.Equal("Moved Permanently", p.GetText(p.Http.Reason));
        Assert.Equal("HTTP/1.1", p.GetText(p.Http.Version));
    }

    [Fact]
    public void VerboseRequestWithHostHeader()
    {
        // accecn_handshake.out, record 4 (-v)
        const string text =
            "    4  2022-07-26 06:26:08.017141 IP (tos 0x2,ECT(0), ttl 64, id 0, offset 0, flags [DF], proto TCP (6), length 130)\n" +
            "    31.133.146.248.16433 > 66.228.43.12.80: Flags [P.Ee], cksum 0x20e2 (incorrect -> 0x9373), seq 1:79, ack 1, win 1027, options [nop,nop,TS val 112147698 ecr 2783239876], length 78: HTTP, length: 78\n" +
            "\tGET /1M HTTP/1.1\n" +
            "\tHost: 66.228.43.12\n" +
            "\tUser-Agent: curl/7.84.0\n";
        var p = TextInput.One(text);
        Assert.True(p.Http.IsRequest);
        Assert.Equal("/1M", p.GetText(p.Http.Target));
        Assert.Equal("66.228.43.12", p.GetText(p.Http.Host));
    }

    [Fact]
    public void ContinuationWithoutStartLine()
    {
        var p = TextInput.One("   18  2025-05-10 13:17:33.883099 IP 146.190.240.163.80 > 10.80.131.1.1026: Flags [P.], seq 186:414, ack 195, win 1024, length 228: HTTP");
        Assert.True(p.Has(PacketLayers.Http));
        Assert.Equal(0, p.Http.StatusCode);
        Assert.True(p.Http.Method.IsEmpty);
    }

    [Fact]
    public void NotAStartLineLeavesFieldsEmpty()
    {
        var p = TextInput.One("10:00:00.000000 IP 10.0.0.1.80 > 10.0.0.2.5: Flags [P.], seq 1:5, ack 1, win 5, length 4: HTTP: <html>");
        Assert.True(p.Has(PacketLayers.Http));
        Assert.True(p.Http.Method.IsEmpty);
        Assert.Equal(0, p.Http.StatusCode);
    }
}
