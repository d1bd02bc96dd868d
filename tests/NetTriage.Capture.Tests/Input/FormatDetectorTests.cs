using System.Text;
using NetTriage.Capture.Input;

namespace NetTriage.Capture.Tests.Input;

public class FormatDetectorTests
{
    private static InputKind Detect(byte[] bytes, int chunk = 1 << 20)
    {
        using var input = new InputBuffer(new ChunkedStream(bytes, chunk), "x");
        var kind = FormatDetector.Detect(input);
        Assert.Equal(0, input.Position);
        return kind;
    }

    [Theory]
    [InlineData("", nameof(InputKind.Empty))]
    [InlineData("1f8b0800", nameof(InputKind.Gzip))]
    [InlineData("1f8b", nameof(InputKind.Gzip))]
    [InlineData("a1b2c3d4", nameof(InputKind.Pcap))]
    [InlineData("d4c3b2a1", nameof(InputKind.Pcap))]
    [InlineData("a1b23c4d", nameof(InputKind.Pcap))]
    [InlineData("4d3cb2a1", nameof(InputKind.Pcap))]
    [InlineData("0a0d0d0a", nameof(InputKind.Pcapng))]
    [InlineData("d4", nameof(InputKind.TruncatedMagic))]
    [InlineData("d4c3", nameof(InputKind.TruncatedMagic))]
    [InlineData("d4c3b2", nameof(InputKind.TruncatedMagic))]
    [InlineData("a1b23c", nameof(InputKind.TruncatedMagic))]
    [InlineData("4d3cb2", nameof(InputKind.TruncatedMagic))]
    [InlineData("0a", nameof(InputKind.Text))]                  // "\n": ASCII, read as text
    [InlineData("4d3c", nameof(InputKind.Text))]                // "M<"
    [InlineData("00000000", nameof(InputKind.Unknown))]
    [InlineData("504b0304", nameof(InputKind.Unknown))]         // zip
    [InlineData("ff", nameof(InputKind.Unknown))]
    [InlineData("c3", nameof(InputKind.Unknown))]               // a UTF-8 lead byte and nothing after it
    public void RecognisesByContent(string hex, string expected)
    {
        Assert.Equal(Enum.Parse<InputKind>(expected), Detect(Convert.FromHexString(hex)));
    }

    [Theory]
    [InlineData("13:24:32.192571 IP 192.51.100.15.52444 > 203.0.113.2.domain: 35084+ A? yummyrecipesforme.com. (24)\n")]
    [InlineData("reading from file x.pcap, link-type EN10MB (Ethernet)\r\n\t0x0000:  4500 0054\n")]
    [InlineData("12:00:00.000000 IP h\u00f4te.example > b\u00fccher.example: UDP, length 4\n")]
    [InlineData("ab")]
    public void TcpdumpOutputIsText(string text)
    {
        Assert.Equal(InputKind.Text, Detect(Encoding.UTF8.GetBytes(text)));
        Assert.Equal(InputKind.Text, Detect(Encoding.UTF8.GetBytes(text), chunk: 1));
    }

    [Fact]
    public void AMultiByteCharacterCutByTheSampleIsText()
    {
        // 511 ASCII bytes then a 2-byte character split by the 512-byte sample.
        var bytes = Encoding.UTF8.GetBytes(new string('a', 511) + "\u00e9 more text");
        Assert.Equal(InputKind.Text, Detect(bytes));
    }

    [Theory]
    [InlineData(0, true)]
    [InlineData(5, true)]       // one bad byte in twenty allowed: 5 of 100
    [InlineData(6, false)]
    public void AFewControlBytesAreTolerated(int controls, bool text)
    {
        var bytes = Encoding.ASCII.GetBytes(new string('x', 100));
        for (int i = 0; i < controls; i++) bytes[i * 10] = 0x01;
        Assert.Equal(text ? InputKind.Text : InputKind.Unknown, Detect(bytes));
    }

    [Fact]
    public void ANulByteIsNeverText()
    {
        var bytes = Encoding.ASCII.GetBytes(new string('x', 400));
        bytes[200] = 0;
        Assert.Equal(InputKind.Unknown, Detect(bytes));
    }

    [Fact]
    public void InvalidUtf8IsNotText()
    {
        var bytes = new byte[200];
        Array.Fill(bytes, (byte)0xC0);
        Assert.Equal(InputKind.Unknown, Detect(bytes));
    }
}
