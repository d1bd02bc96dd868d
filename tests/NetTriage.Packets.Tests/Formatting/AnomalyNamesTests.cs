using System.Text.RegularExpressions;
using NetTriage.Packets.Formatting;

namespace NetTriage.Packets.Tests.Formatting;

public class AnomalyNamesTests
{
    [Theory]
    [InlineData(AnomalyKind.DnsCompressionLoop, "dns-compression-loop")]
    [InlineData(AnomalyKind.Ipv4HeaderTruncated, "ipv4-header-truncated")]
    [InlineData(AnomalyKind.Icmpv6Truncated, "icmpv6-truncated")]
    [InlineData(AnomalyKind.TcpBadDataOffset, "tcp-bad-data-offset")]
    [InlineData(AnomalyKind.TextLineUnparsed, "text-line-unparsed")]
    [InlineData(AnomalyKind.None, "none")]
    [InlineData((AnomalyKind)250, "anomaly-250")]
    public void NamesAreKebabCase(AnomalyKind kind, string expected)
    {
        Assert.Equal(expected, AnomalyNames.Get(kind));
    }

    [Fact]
    public void EveryKindHasADistinctLowerCaseName()
    {
        var names = Enum.GetValues<AnomalyKind>().Select(AnomalyNames.Get).ToList();
        Assert.Equal(names.Count, names.Distinct(StringComparer.Ordinal).Count());
        Assert.All(names, n => Assert.Matches(new Regex("^[a-z0-9]+(-[a-z0-9]+)*$"), n));
    }
}
