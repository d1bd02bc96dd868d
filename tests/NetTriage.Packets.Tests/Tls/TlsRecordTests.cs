using NetTriage.Packets.Tls;

namespace NetTriage.Packets.Tests.Tls;

/// <summary>The content type of the record a segment starts with, and a cleartext alert's level and description (RFC 8446 5.1, 6).</summary>
public class TlsRecordTests
{
    [Theory]
    [InlineData(new byte[] { 21, 3, 3, 0, 2, 2, 70 }, 21, 2, 70)]        // fatal protocol_version
    [InlineData(new byte[] { 21, 3, 1, 0, 2, 1, 0 }, 21, 1, 0)]          // warning close_notify, TLS 1.0 record
    [InlineData(new byte[] { 21, 3, 3, 0, 26, 9, 9, 9, 9 }, 21, 0, 0)]   // an encrypted alert: longer than two bytes, unread
    [InlineData(new byte[] { 23, 3, 3, 1, 0, 1, 2 }, 23, 0, 0)]          // application data
    [InlineData(new byte[] { 20, 3, 3, 0, 1, 1 }, 20, 0, 0)]             // change_cipher_spec
    [InlineData(new byte[] { 22, 3, 0, 0, 4, 1, 0, 0, 0 }, 22, 0, 0)]    // SSL 3.0 handshake
    public void A_record_header_gives_its_type_and_a_cleartext_alert_its_fields(byte[] payload, int type, int level, int description)
    {
        Assert.Equal(type, TlsDecoder.RecordType(payload, out byte l, out byte d));
        Assert.Equal(level, l);
        Assert.Equal(description, d);
    }

    [Theory]
    [InlineData(new byte[] { 71, 69, 84, 32, 47 })]                      // "GET /"
    [InlineData(new byte[] { 24, 3, 3, 0, 2 })]                          // heartbeat: not a type read here
    [InlineData(new byte[] { 21, 3, 9, 0, 2, 2, 70 })]                   // no such version
    [InlineData(new byte[] { 23, 3, 3, 0, 0 })]                          // an empty record
    [InlineData(new byte[] { 23, 3, 3, 0xFF, 0xFF })]                    // past a record's bound
    [InlineData(new byte[] { 21, 3, 3, 0 })]                             // shorter than a header
    public void Anything_else_is_no_record(byte[] payload)
    {
        Assert.Equal(0, TlsDecoder.RecordType(payload, out byte level, out byte description));
        Assert.Equal(0, level);
        Assert.Equal(0, description);
    }

    [Fact]
    public void Alert_names_are_the_iana_ones()
    {
        Assert.Equal("unknown_ca", TlsAlerts.Name(48));
        Assert.Equal("protocol_version", TlsAlerts.Name(70));
        Assert.Equal("alert 200", TlsAlerts.Name(200));
        Assert.True(TlsAlerts.RejectsCertificate(45));
        Assert.False(TlsAlerts.RejectsCertificate(70));
    }
}
