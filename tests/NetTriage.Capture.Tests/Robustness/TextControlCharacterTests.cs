using NetTriage.Packets;

namespace NetTriage.Capture.Tests.Robustness;

/// <summary>
/// Text in tcpdump's form whose names carry DEL and C1 control bytes (0x9B is a one-byte CSI to some terminals,
/// 0x85 a line break to others): they reach the packet as '?', so no control character from text reaches a name,
/// the analysis or a report. Printable Latin-1 bytes are kept as they are.
/// </summary>
public sealed class TextControlCharacterTests
{
    private static string QuestionName(byte[] line)
    {
        using var source = CaptureOpener.Open(new MemoryStream(line), "c1.txt");
        var packet = new DecodedPacket();
        Assert.True(source.TryRead(packet));
        Assert.False(packet.Unparsed);
        Assert.Equal(1, packet.Dns.StoredQuestions);
        return packet.GetText(packet.Dns.Questions[0].Name);
    }

    private static byte[] Query(params byte[] name) =>
        [.. "13:24:32.192571 IP 192.51.100.15.52444 > 203.0.113.2.53: 35084+ A? "u8, .. name, .. ".example. (24)\n"u8];

    [Theory]
    [InlineData(0x7F)]
    [InlineData(0x80)]
    [InlineData(0x85)]
    [InlineData(0x9B)]
    [InlineData(0x9F)]
    public void A_c1_control_or_del_in_a_name_becomes_a_question_mark(byte control)
    {
        string name = QuestionName(Query([(byte)'a', control, (byte)'3', (byte)'1', (byte)'m', (byte)'b']));
        Assert.Equal("a?31mb.example.", name);
    }

    [Fact]
    public void Printable_latin1_and_utf8_lead_bytes_are_kept()
    {
        // "é" as UTF-8 (C3 A9) stays two characters; U+202E as UTF-8 (E2 80 AE) keeps its printable bytes only.
        string name = QuestionName(Query([(byte)'c', (byte)'a', (byte)'f', 0xC3, 0xA9, (byte)'-', 0xE2, 0x80, 0xAE, (byte)'x']));
        Assert.Equal("caf\u00c3\u00a9-\u00e2?\u00aex.example.", name);
        Assert.DoesNotContain(name, char.IsControl);
    }
}
