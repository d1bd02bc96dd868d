using NetTriage.Capture.Text;

namespace NetTriage.Capture.Tests.Text;

public class TextScanTests
{
    [Theory]
    [InlineData("0", true, 0u)]
    [InlineData("4294967295", true, 4294967295u)]
    [InlineData("4294967296", false, 0u)]
    [InlineData("99999999999", false, 0u)]
    [InlineData("", false, 0u)]
    [InlineData("x1", false, 0u)]
    public void ReadsBoundedNumbers(string text, bool ok, uint value)
    {
        ReadOnlySpan<char> s = text;
        Assert.Equal(ok, TextScan.TryReadUInt32(ref s, out uint got));
        Assert.Equal(value, got);
        if (!ok) Assert.Equal(text, s.ToString());
    }

    [Theory]
    [InlineData("0x0800)", 0x0800u, ")")]
    [InlineData("0xdE027,", 0xde027u, ",")]
    public void ReadsHex(string text, uint value, string rest)
    {
        ReadOnlySpan<char> s = text;
        Assert.True(TextScan.TryReadHex(ref s, out uint got));
        Assert.Equal(value, got);
        Assert.Equal(rest, s.ToString());
    }

    [Fact]
    public void ItemsSplitOnlyAtTopLevelCommas()
    {
        ReadOnlySpan<char> s = "mss 1460,sack 2 {1:2}{3:4},mptcp 12 capable v0 flags [A,H], \"a, b\",wscale 7";
        var items = new List<string>();
        while (!s.IsEmpty) items.Add(TextScan.NextItem(ref s).ToString());
        Assert.Equal(["mss 1460", "sack 2 {1:2}{3:4}", "mptcp 12 capable v0 flags [A,H]", "\"a, b\"", "wscale 7"], items);
    }

    [Theory]
    [InlineData("ICMP echo request, id 1, seq 2, length 64", true, 64)]
    [InlineData("udp port 53 unreachable length 254", true, 254)]
    [InlineData("OSPFv2, Hello, length: 44", true, 44)]
    [InlineData("payloadlength 5", false, 0)]
    [InlineData("no number here", false, 0)]
    public void FindsLength(string text, bool ok, int length)
    {
        Assert.Equal(ok, TextScan.TryFindLength(text, out int got));
        Assert.Equal(length, got);
    }

    [Fact]
    public void MatchingCloseCountsNesting()
    {
        Assert.Equal(12, TextScan.MatchingClose("(a (b) [c] d)", 0));
        Assert.Equal(-1, TextScan.MatchingClose("(a (b", 0));
    }

    [Fact]
    public void WholeWordsOnly()
    {
        Assert.Equal(8, TextScan.IndexOfWord("IPX IP6 IP 1", "IP"));
        Assert.Equal(-1, TextScan.IndexOfWord("IPX IP6", "IP"));
    }
}
