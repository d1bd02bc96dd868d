using System.Text;
using NetTriage.Packets.Http;
using NetTriage.Packets.Tests.Support;
using static NetTriage.Packets.Tests.Support.PacketWriter;

namespace NetTriage.Packets.Tests.Http;

public class HttpDecoderTests
{
    private static readonly byte[] Request = Encoding.ASCII.GetBytes(
        "GET /recipes/index.html?q=1 HTTP/1.1\r\n" +
        "User-Agent: curl/8.5.0\r\n" +
        "hOsT:  www.yummyrecipesforme.com \r\n" +
        "Accept: */*\r\n" +
        "\r\n");

    private static DecodedPacket Decode(byte[] payload)
    {
        var packet = new DecodedPacket();
        packet.Reset();
        if (HttpDecoder.Looks(payload))
        {
            HttpDecoder.Decode(payload, packet);
        }
        return packet;
    }

    [Fact]
    public void Request_line_and_host_are_read()
    {
        var p = Decode(Request);
        Assert.Equal(0, p.Anomalies.Count);
        Assert.True(p.Has(PacketLayers.Http));
        Assert.True(p.Http.IsRequest);
        Assert.Equal("GET", p.Text(p.Http.Method));
        Assert.Equal("/recipes/index.html?q=1", p.Text(p.Http.Target));
        Assert.Equal("HTTP/1.1", p.Text(p.Http.Version));
        Assert.Equal("www.yummyrecipesforme.com", p.Text(p.Http.Host));
    }

    [Fact]
    public void Request_over_tcp_on_any_port_is_recognised()
    {
        var segment = Tcp(50000, 8080, 1, 1, TcpFlags.Psh | TcpFlags.Ack, payload: Request);
        var p = Decoding.Decode(LinkType.Ipv4, Ipv4("10.0.0.1", "10.0.0.2", IpProtocol.Tcp, segment));
        Assert.True(p.Has(PacketLayers.Tcp | PacketLayers.Http));
        Assert.Equal("www.yummyrecipesforme.com", p.Text(p.Http.Host));
    }

    [Theory]
    [InlineData("HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n", 404, "Not Found")]
    [InlineData("HTTP/1.0 200 OK\n\n", 200, "OK")]
    [InlineData("HTTP/1.1 204 \r\n\r\n", 204, "")]
    [InlineData("HTTP/1.1 503\r\n\r\n", 503, "")]
    public void Status_line_is_read(string text, int code, string reason)
    {
        var p = Decode(Encoding.ASCII.GetBytes(text));
        Assert.Equal(0, p.Anomalies.Count);
        Assert.True(p.Has(PacketLayers.Http));
        Assert.False(p.Http.IsRequest);
        Assert.Equal(code, p.Http.StatusCode);
        Assert.Equal(reason, p.Text(p.Http.Reason));
        Assert.StartsWith("HTTP/1.", p.Text(p.Http.Version));
    }

    [Theory]
    [InlineData("HTTP/1.1 2x0 OK\r\n")]
    [InlineData("HTTP/1.1 2000 OK\r\n")]
    [InlineData("HTTP/1.1\r\n")]
    [InlineData("GET / FTP/1.0\r\n")]
    [InlineData("GET \r\n")]
    [InlineData("CONNECT ircd2.local\r\n")]
    [InlineData("GET / \r\n")]
    [InlineData("POST  HTTP/1.1\r\n")]
    public void Malformed_start_lines_are_anomalies(string text)
    {
        var p = Decode(Encoding.ASCII.GetBytes(text));
        Assert.Equal([AnomalyKind.HttpMalformed], p.Anomalies.Kept.ToArray());
        Assert.False(p.Has(PacketLayers.Http));
    }

    [Theory]
    [InlineData("GET /\r\n\r\n", "/")]
    [InlineData("GET /index.html\n", "/index.html")]
    [InlineData("POST /zeek.html\r\n", "/zeek.html")]
    public void Http_0_9_simple_request_is_a_request_without_a_version(string text, string target)
    {
        // RFC 1945 4.1: Simple-Request = "GET" SP Request-URI CRLF (Zeek's core.vlan-mpls trace sends "GET /\r\n\r\n");
        // Zeek's analyzer takes any method without a version (its http_09 trace sends "POST /zeek.html\r\n").
        var p = Decode(Encoding.ASCII.GetBytes(text));
        Assert.Equal(0, p.Anomalies.Count);
        Assert.True(p.Has(PacketLayers.Http));
        Assert.True(p.Http.IsRequest);
        Assert.Equal(text[..text.IndexOf(' ')], p.Text(p.Http.Method));
        Assert.Equal(target, p.Text(p.Http.Target));
        Assert.True(p.Http.Version.IsEmpty);
    }

    [Fact]
    public void Http_0_9_request_prints_as_tcpdump_prints_it()
    {
        // tcpdump 4.99 -n on mixed-vlan-mpls.pcap: "... length 9: HTTP: GET /"
        var segment = Tcp(50343, 80, 1, 1, TcpFlags.Psh | TcpFlags.Ack, payload: "GET /\r\n\r\n"u8.ToArray());
        var p = Decoding.Decode(LinkType.Ipv4, Ipv4("10.20.80.1", "10.0.0.15", IpProtocol.Tcp, segment));
        var line = new NetTriage.Packets.Formatting.TcpdumpLineFormatter().Format(p);
        Assert.EndsWith(", length 9: HTTP: GET /", line);
    }

    [Theory]
    [InlineData("GETX / HTTP/1.1\r\n")]
    [InlineData("get / HTTP/1.1\r\n")]
    [InlineData("HTTP/2 200\r\n")]
    [InlineData("SSH-2.0-OpenSSH_9.6\r\n")]
    public void Other_payloads_are_not_http(string text)
    {
        Assert.False(HttpDecoder.Looks(Encoding.ASCII.GetBytes(text)));
    }

    [Theory]
    [InlineData("POST")]
    [InlineData("PUT")]
    [InlineData("DELETE")]
    [InlineData("HEAD")]
    [InlineData("OPTIONS")]
    [InlineData("CONNECT")]
    [InlineData("TRACE")]
    [InlineData("PATCH")]
    public void Every_method_is_recognised(string method)
    {
        var p = Decode(Encoding.ASCII.GetBytes(method + " * HTTP/1.1\r\nHost: h\r\n\r\n"));
        Assert.Equal(method, p.Text(p.Http.Method));
        Assert.Equal("h", p.Text(p.Http.Host));
    }

    public static IEnumerable<object[]> Prefixes => Decoding.Prefixes(Request.Length);

    [Theory]
    [MemberData(nameof(Prefixes))]
    public void Request_cut_at_every_byte_keeps_the_start_line(int length)
    {
        var p = Decode(Request[..length]);
        Assert.Equal(0, p.Anomalies.Count);
        Assert.Equal(length >= 4, p.Has(PacketLayers.Http));
        if (length >= 4)
        {
            Assert.Equal("GET", p.Text(p.Http.Method));
            Assert.StartsWith(p.Text(p.Http.Target), "/recipes/index.html?q=1");
        }
        int hostLineEnd = Encoding.ASCII.GetByteCount("GET /recipes/index.html?q=1 HTTP/1.1\r\nUser-Agent: curl/8.5.0\r\nhOsT:  www.yummyrecipesforme.com \r\n");
        Assert.Equal(length >= hostLineEnd, !p.Http.Host.IsEmpty);
    }

    [Fact]
    public void Host_beyond_the_scan_window_is_not_read()
    {
        var filler = "X-Filler: " + new string('a', HttpDecoder.MaxScan) + "\r\n";
        var p = Decode(Encoding.ASCII.GetBytes("GET / HTTP/1.1\r\n" + filler + "Host: late\r\n\r\n"));
        Assert.True(p.Has(PacketLayers.Http));
        Assert.True(p.Http.Host.IsEmpty);
        Assert.Equal(0, p.Anomalies.Count);
    }
}
