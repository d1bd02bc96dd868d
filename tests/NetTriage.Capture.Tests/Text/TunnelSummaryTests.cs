using NetTriage.Packets;

namespace NetTriage.Capture.Tests.Text;

/// <summary>
/// Tunnelled traffic in tcpdump's text (lines as tcpdump 4.99 -n printed them for Zeek's tunnel traces): the record is
/// the inner packet, its tunnel the outer one, as when the capture itself is read; a GRE payload tcpdump did not follow
/// leaves the outer GRE packet.
/// </summary>
public sealed class TunnelSummaryTests
{
    [Fact]
    public void A_dns_query_inside_GRE_is_the_record_and_GRE_its_tunnel()
    {
        var p = TextInput.One("00:06:27.055189 IP 172.27.1.66 > 66.59.109.137: GREv0, length 65: IP 66.59.111.190.37675 > 172.28.2.3.53: 48554+ ANY? www.gleeble.org. (33)\n");

        Assert.Equal("66.59.111.190", p.Ip.Source.ToString());
        Assert.Equal("172.28.2.3", p.Ip.Destination.ToString());
        Assert.Equal(53, p.DestinationPort);
        Assert.True(p.Has(PacketLayers.Dns));
        Assert.Equal(48554, p.Dns.Id);
        Assert.Equal(1, p.Tunnel.Depth);
        Assert.Equal(TunnelKind.Gre, p.Tunnel.Kind);
        Assert.Equal("172.27.1.66", p.Tunnel.OuterSource.ToString());
        Assert.Equal("66.59.109.137", p.Tunnel.OuterDestination.ToString());
        Assert.Equal(65, p.Tunnel.Hops[0].OuterIpPayloadLength);
    }

    [Fact]
    public void An_icmp_error_inside_GRE_quotes_the_inner_query()
    {
        var p = TextInput.One("00:06:27.106744 IP 66.59.109.137 > 172.27.1.66: GREv0, length 93: IP 172.28.2.3 > 66.59.111.190: ICMP 172.28.2.3 udp port 53 unreachable, length 69\n");

        Assert.True(p.Has(PacketLayers.Icmp));
        Assert.Equal("172.28.2.3", p.Ip.Source.ToString());
        Assert.Equal(TunnelKind.Gre, p.Tunnel.Kind);
    }

    [Fact]
    public void A_key_and_PPTPs_call_are_read()
    {
        var keyed = TextInput.One("09:38:53.472798 IP 10.200.0.3 > 10.200.0.224: GREv0, key=0x2000000, length 82: IP 192.168.69.10 > 192.168.69.2: ICMP echo request, id 1, seq 779, length 40\n");
        Assert.True(keyed.Tunnel.HasIdentifier);
        Assert.Equal(0x2000000u, keyed.Tunnel.Identifier);

        var pptp = TextInput.One("03:35:04.035791 IP 192.52.166.154 > 16.0.0.200: GREv1, call 17, seq 539320, length 190: IP 8.8.8.8.53 > 172.16.44.3.40768: 42540 NXDomain 0/1/0 (146)\n");
        Assert.Equal(TunnelKind.Pptp, pptp.Tunnel.Kind);
        Assert.Equal(17u, pptp.Tunnel.Hops[0].Key);
        Assert.Equal(3, pptp.Dns.Rcode);
    }

    [Fact]
    public void IP_in_IP_reads_the_inner_packet()
    {
        var p = TextInput.One("15:08:33.185260 IP6 2002:4637:d5d3::4637:d5d3 > 2001:4860:0:2001::68: IP 70.55.213.211.31337 > 192.88.99.1.80: Flags [S], seq 0, win 8192, length 0\n");

        Assert.True(p.Has(PacketLayers.Tcp));
        Assert.Equal("192.88.99.1", p.Ip.Destination.ToString());
        Assert.Equal(TunnelKind.IpInIp, p.Tunnel.Kind);
        Assert.True(p.Tunnel.Hops[0].OuterV6);
    }

    [Fact]
    public void VXLAN_prints_its_frame_on_the_next_line_which_is_the_record()
    {
        var p = TextInput.One("15:20:32.675392 IP 192.168.56.11.39924 > 192.168.56.12.4789: VXLAN, flags [I] (0x08), vni 123\nARP, Request who-has 10.0.0.2 tell 10.0.0.1, length 28\n");

        Assert.True(p.Has(PacketLayers.Arp));
        Assert.Equal("10.0.0.2", p.Arp.TargetIp.ToString());
        Assert.Equal(TunnelKind.Vxlan, p.Tunnel.Kind);
        Assert.Equal(123u, p.Tunnel.Identifier);
        Assert.Equal(4789, p.Tunnel.OuterDestinationPort);
    }

    [Fact]
    public void Geneve_with_options_reads_the_inner_packet()
    {
        var p = TextInput.One("00:35:19.542940 IP 20.0.0.1.50901 > 20.0.0.2.6081: Geneve, Flags [none], vni 0x0, options [8 bytes]: IP 30.0.0.1 > 30.0.0.2: ICMP echo request, id 16816, seq 28, length 64\n");

        Assert.True(p.Has(PacketLayers.Icmp));
        Assert.Equal(TunnelKind.Geneve, p.Tunnel.Kind);
        Assert.Equal(8, p.Tunnel.Hops[0].Options);
    }

    [Fact]
    public void A_GRE_payload_tcpdump_did_not_follow_leaves_the_outer_packet()
    {
        var p = TextInput.One("18:53:28.139390 IP 1.1.1.2 > 192.168.255.5: GREv0, seq 171, length 88: gre-proto-0x88be\n");

        Assert.Equal(0, p.Tunnel.Depth);
        Assert.Equal("1.1.1.2", p.Ip.Source.ToString());
        Assert.Equal(IpProtocol.Gre, p.Ip.Protocol);
        Assert.False(p.Unparsed);
    }

    [Fact]
    public void Tunnels_nested_without_end_stop_at_the_decoders_bound()
    {
        string nested = string.Concat(Enumerable.Repeat("IP 192.0.2.1 > 192.0.2.2: ", 200));
        var p = TextInput.One("00:00:01.000000 " + nested + "IP 10.0.0.1.5000 > 10.0.0.2.53: 1+ A? a.example. (27)\n");

        Assert.Equal(4, p.Tunnel.Depth);
        Assert.Contains(AnomalyKind.TunnelTooDeep, p.Anomalies.Kept.ToArray());
    }
}
