namespace NetTriage.Packets.Tests.Model;

public sealed class IpAddrTests
{
    [Theory]
    [InlineData("224.0.0.251", true)]   // mDNS (RFC 6762)
    [InlineData("224.0.0.252", true)]   // LLMNR (RFC 4795)
    [InlineData("239.255.255.250", true)] // SSDP
    [InlineData("223.255.255.255", false)]
    [InlineData("240.0.0.1", false)]
    [InlineData("ff02::fb", true)]
    [InlineData("ff05::1:3", true)]
    [InlineData("fe80::1", false)]
    [InlineData("2001:db8::1", false)]
    public void Group_addresses_are_multicast(string address, bool multicast)
    {
        Assert.Equal(multicast, IpAddr.Parse(address).IsMulticast);
    }
}
