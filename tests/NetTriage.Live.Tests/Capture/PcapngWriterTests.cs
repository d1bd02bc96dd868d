using System.Buffers.Binary;
using NetTriage.Capture;
using NetTriage.Capture.Writing;
using NetTriage.Live.Capture;
using NetTriage.Packets;

namespace NetTriage.Live.Tests.Capture;

public sealed class PcapngWriterTests
{
    private static readonly IpAddr Client = IpAddr.Parse("10.98.1.2");
    private static readonly IpAddr Server = IpAddr.Parse("10.98.2.2");

    /// <summary>An Ethernet/IPv4/UDP DNS query for www.example.test A, built by the project's frame builder.</summary>
    private static byte[] DnsQueryFrame(ushort id)
    {
        var frame = new byte[128];
        const int ip = FrameBuilder.EthernetHeaderLength;
        const int udp = ip + FrameBuilder.Ipv4HeaderLength;
        const int dns = udp + FrameBuilder.UdpHeaderLength;
        int dnsLength = FrameBuilder.WriteDnsQuery(frame.AsSpan(dns), id, "www.example.test", 1);
        FrameBuilder.WriteUdpV4(frame.AsSpan(udp), Client, Server, 40000, 53, dnsLength);
        FrameBuilder.WriteIpv4(frame.AsSpan(ip), Client, Server, IpProtocol.Udp, FrameBuilder.UdpHeaderLength + dnsLength, 1);
        FrameBuilder.WriteEthernet(frame, new MacAddress(0x02_00_00_00_00_02), new MacAddress(0x02_00_00_00_00_01), 0x0800);
        return frame[..(dns + dnsLength)];
    }

    [Fact]
    public void The_project_reader_reads_back_every_packet_with_its_time_and_link_type()
    {
        using var stream = new MemoryStream();
        var t1 = PacketTimestamp.FromUnix(1_700_000_000, 123_456_000);
        var t2 = PacketTimestamp.FromUnix(1_700_000_001, 999_999_000);
        using (var writer = new PcapngWriter(stream, "NetTriage test", leaveOpen: true))
        {
            Assert.Equal(0, writer.AddInterface(LinkType.Ethernet, "c0", "port 53", "the client's interface"));
            writer.Write(0, t1, DnsQueryFrame(0x1234));
            writer.Write(0, t2, DnsQueryFrame(0x1235));
            Assert.Equal(2, writer.PacketsWritten);
        }
        stream.Position = 0;

        using var source = CaptureOpener.Open(stream, "written.pcapng");
        var packet = new DecodedPacket();
        Assert.Equal(CaptureFormat.Pcapng, source.Format);
        Assert.True(source.TryRead(packet));
        Assert.Equal((t1, LinkType.Ethernet, (ushort)0x1234), (packet.Timestamp, packet.LinkType, packet.Dns.Id));
        Assert.Equal(Server, packet.Ip.Destination);
        Assert.True(source.TryRead(packet));
        Assert.Equal((t2, (ushort)0x1235), (packet.Timestamp, packet.Dns.Id));
        Assert.False(source.TryRead(packet));
        Assert.Empty(source.Warnings);
    }

    [Fact]
    public void Blocks_are_laid_out_as_the_specification_says()
    {
        using var stream = new MemoryStream();
        using (var writer = new PcapngWriter(stream, "NT", leaveOpen: true))
        {
            writer.AddInterface(LinkType.LinuxSll, "any", "icmp");
            writer.Write(0, PacketTimestamp.FromUnix(2, 5_000), [1, 2, 3, 4, 5]);
        }
        var b = stream.ToArray();

        // Section Header Block: type, length, byte-order magic, version 1.0, section length -1,
        // shb_userappl "NT" padded to 4, opt_endofopt, length again.
        Assert.Equal(0x0A0D0D0Au, BinaryPrimitives.ReadUInt32LittleEndian(b));
        int shb = BinaryPrimitives.ReadInt32LittleEndian(b.AsSpan(4));
        Assert.Equal(8 + 16 + 8 + 4 + 4, shb);
        Assert.Equal(0x1A2B3C4Du, BinaryPrimitives.ReadUInt32LittleEndian(b.AsSpan(8)));
        Assert.Equal((1, 0), (BinaryPrimitives.ReadUInt16LittleEndian(b.AsSpan(12)), BinaryPrimitives.ReadUInt16LittleEndian(b.AsSpan(14))));
        Assert.Equal(-1L, BinaryPrimitives.ReadInt64LittleEndian(b.AsSpan(16)));
        Assert.Equal((4, 2), (BinaryPrimitives.ReadUInt16LittleEndian(b.AsSpan(24)), BinaryPrimitives.ReadUInt16LittleEndian(b.AsSpan(26))));
        Assert.Equal("NT"u8.ToArray(), b[28..30]);
        Assert.Equal(shb, BinaryPrimitives.ReadInt32LittleEndian(b.AsSpan(shb - 4)));

        // Interface Description Block: link type 113, snap length, if_name "any", if_filter (kind 0, "icmp").
        var idb = b.AsSpan(shb);
        Assert.Equal(1u, BinaryPrimitives.ReadUInt32LittleEndian(idb));
        int idbLength = BinaryPrimitives.ReadInt32LittleEndian(idb[4..]);
        Assert.Equal(113, BinaryPrimitives.ReadUInt16LittleEndian(idb[8..]));
        Assert.Equal(262_144, BinaryPrimitives.ReadInt32LittleEndian(idb[12..]));
        Assert.Equal((2, 3), (BinaryPrimitives.ReadUInt16LittleEndian(idb[16..]), BinaryPrimitives.ReadUInt16LittleEndian(idb[18..])));
        Assert.Equal((11, 5), (BinaryPrimitives.ReadUInt16LittleEndian(idb[24..]), BinaryPrimitives.ReadUInt16LittleEndian(idb[26..])));
        Assert.Equal(0, idb[28]);
        Assert.Equal(idbLength, BinaryPrimitives.ReadInt32LittleEndian(idb[(idbLength - 4)..]));

        // Enhanced Packet Block: interface 0, microseconds 2_000_005 split high/low, lengths 5, data padded to 8.
        var epb = idb[idbLength..];
        Assert.Equal(6u, BinaryPrimitives.ReadUInt32LittleEndian(epb));
        Assert.Equal(8 + 20 + 8 + 4, BinaryPrimitives.ReadInt32LittleEndian(epb[4..]));
        Assert.Equal(0, BinaryPrimitives.ReadInt32LittleEndian(epb[8..]));
        Assert.Equal(0u, BinaryPrimitives.ReadUInt32LittleEndian(epb[12..]));
        Assert.Equal(2_000_005u, BinaryPrimitives.ReadUInt32LittleEndian(epb[16..]));
        Assert.Equal((5, 5), (BinaryPrimitives.ReadInt32LittleEndian(epb[20..]), BinaryPrimitives.ReadInt32LittleEndian(epb[24..])));
        Assert.Equal(new byte[] { 1, 2, 3, 4, 5, 0, 0, 0 }, epb[28..36].ToArray());
        Assert.Equal(40, epb.Length);
    }

    [Fact]
    public void A_frame_longer_than_the_snap_length_is_cut_and_keeps_its_original_length()
    {
        using var stream = new MemoryStream();
        using (var writer = new PcapngWriter(stream, "NT", snapLength: 64, leaveOpen: true))
        {
            writer.AddInterface(LinkType.Ethernet);
            writer.Write(0, PacketTimestamp.FromUnix(1, 0), DnsQueryFrame(7));
        }
        stream.Position = 0;

        using var frames = CaptureOpener.OpenFrames(stream, "cut.pcapng");
        Assert.True(frames.TryReadFrame(out var frame));
        Assert.Equal(64, frame.Data.Length);
        Assert.Equal(DnsQueryFrame(7).Length, frame.OriginalLength);
    }

    [Fact]
    public void Writing_to_an_interface_not_added_is_refused()
    {
        using var writer = new PcapngWriter(new MemoryStream(), "NT");
        Assert.Throws<ArgumentOutOfRangeException>(() => writer.Write(0, default, [1]));
    }

    [Fact]
    public void A_capture_that_caught_nothing_is_still_a_readable_file()
    {
        using var stream = new MemoryStream();
        using (var writer = new PcapngWriter(stream, "NT", leaveOpen: true))
        {
            writer.AddInterface(LinkType.Ethernet, "c0", "port 53");
        }
        stream.Position = 0;

        using var source = CaptureOpener.Open(stream, "empty.pcapng");
        Assert.False(source.TryRead(new DecodedPacket()));
        Assert.Empty(source.Warnings);
    }
}
