using NetTriage.Packets.Formatting;

namespace NetTriage.Packets.Tests.Formatting;

public class TerminalEscaperTests
{
    [Theory]
    [InlineData("plain.example.", "plain.example.")]
    [InlineData("\u001b[31mred", "\\x1B[31mred")]      // ESC: CSI colour (ECMA-48 5.4)
    [InlineData("bell\u0007", "bell\\x07")]              // BEL
    [InlineData("a\nb\rc\td", "a\\x0Ab\\x0Dc\\x09d")]    // line breaks and tab
    [InlineData("del\u007f", "del\\x7F")]                // DEL
    [InlineData("c1\u009b2J", "c1\\x9B2J")]              // C1 CSI (0x9B) clears screens on some terminals
    [InlineData("\u202Egnp.exe", "\\u202Egnp.exe")]      // RIGHT-TO-LEFT OVERRIDE (UAX #9)
    [InlineData("x\u202Ay\u202Bz\u202Cw\u202Dv", "x\\u202Ay\\u202Bz\\u202Cw\\u202Dv")]
    [InlineData("\u2066iso\u2069", "\\u2066iso\\u2069")] // isolates
    [InlineData("zero\u200Bwidth\uFEFF", "zero\\u200Bwidth\\uFEFF")]
    [InlineData("line\u2028sep", "line\\u2028sep")]
    [InlineData("caf\u00e9 \u00fcber", "caf\u00e9 \u00fcber")]            // printable Latin-1 stays
    [InlineData("\u65e5\u672c", "\u65e5\u672c")]                            // printable CJK stays
    [InlineData("emoji \U0001F600", "emoji \U0001F600")]                   // a valid surrogate pair stays
    [InlineData("back\\slash \\032", "back\\slash \\032")]                  // presentation escapes untouched
    public void EscapesCharacters(string input, string expected)
    {
        Assert.Equal(expected, TerminalEscaper.Escape(input));

        var writer = new StringWriter();
        TerminalEscaper.Write(writer, input.AsSpan());
        Assert.Equal(expected, writer.ToString());
    }

    [Fact]
    public void LoneSurrogatesAreEscaped()
    {
        Assert.Equal("a\\uD800b\\uDC00", TerminalEscaper.Escape("a\uD800b\uDC00"));
    }

    [Fact]
    public void BytesBecomePlainAscii()
    {
        byte[] bytes = [(byte)'o', (byte)'k', 0x00, 0x1B, 0x7F, 0x80, 0xE2, 0x80, 0xAE, 0xFF, (byte)'~', (byte)' '];
        var destination = new char[bytes.Length * TerminalEscaper.MaxCharsPerByte];
        int n = TerminalEscaper.Escape(bytes, destination);
        Assert.Equal("ok\\x00\\x1B\\x7F\\x80\\xE2\\x80\\xAE\\xFF~ ", new string(destination, 0, n));

        var writer = new StringWriter();
        TerminalEscaper.Write(writer, bytes.AsSpan());
        Assert.Equal("ok\\x00\\x1B\\x7F\\x80\\xE2\\x80\\xAE\\xFF~ ", writer.ToString());
    }

    [Fact]
    public void EveryByteValueComesOutPrintableAscii()
    {
        byte[] all = Enumerable.Range(0, 256).Select(i => (byte)i).ToArray();
        var writer = new StringWriter();
        TerminalEscaper.Write(writer, all.AsSpan());
        string text = writer.ToString();
        Assert.All(text, c => Assert.InRange(c, ' ', '~'));
        Assert.Equal(95 + (161 * 4), text.Length);
    }

    [Fact]
    public void LongInputIsWrittenInChunksWithoutSplittingSurrogatePairs()
    {
        // 255 ASCII characters put a surrogate pair across the 256-character chunk boundary.
        string input = new string('a', 255) + "\U0001F600" + new string('\u001b', 600);
        var writer = new StringWriter();
        TerminalEscaper.Write(writer, input.AsSpan());
        Assert.Equal(new string('a', 255) + "\U0001F600" + string.Concat(Enumerable.Repeat("\\x1B", 600)), writer.ToString());
    }

    [Fact]
    public void UnchangedStringIsReturnedAsIs()
    {
        string s = "www.example.com.";
        Assert.Same(s, TerminalEscaper.Escape(s));
    }
}
