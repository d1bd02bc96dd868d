using NetTriage.Packets.Tls;
using NetTriage.Packets.Tests.Support;
using static NetTriage.Packets.Tests.Support.PacketWriter;

namespace NetTriage.Packets.Tests.Tls;

public class TlsDecoderTests
{
    /// <summary>A ClientHello for www.yummyrecipesforme.com, shaped like a browser's but with fewer suites and extensions.</summary>
    private static readonly byte[] ClientHello = BuildClientHello("www.yummyrecipesforme.com"u8.ToArray());

    private const int SniNameEnd = 5 + 4 + 2 + 32 + 1 + 32 + 2 + 4 + 2 + 2 + (4 + 3) + (4 + 2 + 3 + 25);

    private static byte[] BuildClientHello(byte[] host, int? extensionsLengthOverride = null, int? sniListOverride = null, int sessionIdLength = 32)
    {
        var sni = Concat(
            U16(sniListOverride ?? (3 + host.Length)),      // server_name_list length
            [0x00],                                         // name_type host_name
            U16(host.Length), host);
        var extensions = Concat(
            U16(0x002b), U16(3), [0x02, 0x03, 0x04],        // supported_versions: TLS 1.3
            U16(0x0000), U16(sni.Length), sni);             // server_name
        var body = Concat(
            [0x03, 0x03],                                   // legacy_version TLS 1.2
            Enumerable.Range(0, 32).Select(i => (byte)i).ToArray(),   // random
            [(byte)sessionIdLength], Enumerable.Repeat((byte)0xab, 32).ToArray(),   // legacy_session_id
            U16(4), [0x13, 0x01, 0x13, 0x02],               // cipher_suites: TLS_AES_128_GCM_SHA256, TLS_AES_256_GCM_SHA384
            [0x01, 0x00],                                   // legacy_compression_methods: null
            U16(extensionsLengthOverride ?? extensions.Length), extensions);
        var handshake = Concat([0x01, 0x00], U16(body.Length), body);   // ClientHello, 24-bit length
        return Concat([0x16, 0x03, 0x01], U16(handshake.Length), handshake);   // handshake record, TLS 1.0 record version
    }

    private static DecodedPacket Decode(byte[] payload)
    {
        var packet = new DecodedPacket();
        packet.Reset();
        TlsDecoder.Decode(payload, packet);
        return packet;
    }

    [Fact]
    public void Server_name_is_read_from_the_client_hello()
    {
        Assert.Equal(SniNameEnd, ClientHello.Length);
        var p = Decode(ClientHello);
        Assert.Equal(0, p.Anomalies.Count);
        Assert.True(p.Has(PacketLayers.Tls));
        Assert.True(p.Tls.IsClientHello);
        Assert.Equal(0x0303, p.Tls.LegacyVersion);
        Assert.Equal("www.yummyrecipesforme.com", p.Text(p.Tls.ServerName));
    }

    [Fact]
    public void Client_hello_over_tcp_is_recognised()
    {
        var segment = Tcp(50000, 443, 1, 1, TcpFlags.Psh | TcpFlags.Ack, payload: ClientHello);
        var p = Decoding.Decode(LinkType.Ipv6, Ipv6("2001:db8::1", "2001:db8::2", IpProtocol.Tcp, segment));
        Assert.True(p.Has(PacketLayers.Tcp | PacketLayers.Tls));
        Assert.Equal("www.yummyrecipesforme.com", p.Text(p.Tls.ServerName));
    }

    public static IEnumerable<object[]> Prefixes => Decoding.Prefixes(ClientHello.Length);

    [Theory]
    [MemberData(nameof(Prefixes))]
    public void Client_hello_cut_at_every_byte_is_not_malformed(int length)
    {
        var p = Decode(ClientHello[..length]);
        Assert.Equal(0, p.Anomalies.Count);
        Assert.Equal(length >= 5, p.Has(PacketLayers.Tls));
        Assert.Equal(length >= 9, p.Tls.IsClientHello);
        Assert.True(p.Tls.ServerName.IsEmpty);
    }

    [Fact]
    public void Extensions_longer_than_the_hello_are_malformed()
    {
        var p = Decode(BuildClientHello("a.example"u8.ToArray(), extensionsLengthOverride: 500));
        Assert.Equal([AnomalyKind.TlsMalformed], p.Anomalies.Kept.ToArray());
        Assert.True(p.Tls.ServerName.IsEmpty);
    }

    [Fact]
    public void Server_name_list_longer_than_its_extension_is_malformed()
    {
        var p = Decode(BuildClientHello("a.example"u8.ToArray(), sniListOverride: 200));
        Assert.Equal([AnomalyKind.TlsMalformed], p.Anomalies.Kept.ToArray());
        Assert.True(p.Tls.ServerName.IsEmpty);
    }

    [Fact]
    public void Session_id_longer_than_32_is_malformed()
    {
        var p = Decode(BuildClientHello("a.example"u8.ToArray(), sessionIdLength: 33));
        Assert.Equal([AnomalyKind.TlsMalformed], p.Anomalies.Kept.ToArray());
    }

    [Fact]
    public void Record_longer_than_allowed_is_malformed()
    {
        var bytes = (byte[])ClientHello.Clone();
        bytes[3] = 0xff;
        bytes[4] = 0xff;
        var p = Decode(bytes);
        Assert.Equal([AnomalyKind.TlsMalformed], p.Anomalies.Kept.ToArray());
        Assert.False(p.Has(PacketLayers.Tls));
    }

    [Fact]
    public void Server_hello_is_tls_but_not_a_client_hello()
    {
        var p = Decode([0x16, 0x03, 0x03, 0x00, 0x04, 0x02, 0x00, 0x00, 0x00]);
        Assert.True(p.Has(PacketLayers.Tls));
        Assert.False(p.Tls.IsClientHello);
        Assert.Equal(0, p.Anomalies.Count);
    }

    [Theory]
    [InlineData(new byte[] { 0x17, 0x03, 0x03, 0x00, 0x10 })]   // application data
    [InlineData(new byte[] { 0x16, 0x02, 0x00, 0x00, 0x10 })]   // SSL 2-ish version
    public void Other_records_are_ignored(byte[] bytes)
    {
        Assert.False(TlsDecoder.Looks(bytes));
        Assert.Equal(PacketLayers.None, Decode(bytes).Layers);
    }
}
