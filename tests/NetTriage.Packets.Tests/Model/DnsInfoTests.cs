using NetTriage.Packets.Dns;

namespace NetTriage.Packets.Tests.Model;

/// <summary>
/// A DNS message's records start in a small array that doubles as a message needs (a decoded packet in flight holds
/// one), up to <see cref="DnsInfo.MaxRecords"/>; a copy gets room for all of them.
/// </summary>
public sealed class DnsInfoTests
{
    [Fact]
    public void Records_grow_as_needed_and_stop_at_the_maximum()
    {
        var dns = new DnsInfo();
        int small = dns.Records.Length;
        Assert.True(small < DnsInfo.MaxRecords);

        for (int i = 0; i < DnsInfo.MaxRecords + 10; i++) dns.Store(new DnsRecord { Type = DnsType.A, Ttl = (uint)i });

        Assert.Equal(DnsInfo.MaxRecords, dns.StoredRecords);
        Assert.Equal(DnsInfo.MaxRecords, dns.Records.Length);
        Assert.Equal([.. Enumerable.Range(0, DnsInfo.MaxRecords).Select(i => (uint)i)], dns.StoredRecordSpan.ToArray().Select(r => r.Ttl));

        var copy = new DnsInfo();
        dns.CopyTo(copy);
        Assert.Equal(DnsInfo.MaxRecords, copy.StoredRecords);
        Assert.Equal((uint)(DnsInfo.MaxRecords - 1), copy.Records[DnsInfo.MaxRecords - 1].Ttl);

        dns.Clear();
        Assert.Equal(0, dns.StoredRecords);
        dns.Store(new DnsRecord { Ttl = 7 });
        Assert.Equal(7u, dns.StoredRecordSpan[0].Ttl);
    }
}
