using NetTriage.Capture;
using NetTriage.Capture.Writing;
using NetTriage.Packets;
using NetTriage.Tests.Shared;

namespace NetTriage.Analysis.Tests;

/// <summary>
/// Traffic no decoder reads is named in the capture's summary (and its quality line), by what it is, instead of passing
/// for a capture with nothing undecoded: IP protocols such as OSPF, link-layer protocols such as LLDP. Fragments, whose
/// transport is read once reassembled, and the transports decoded are not counted.
/// </summary>
public sealed class UndecodedTrafficTests
{
    private static readonly MacAddress A = new(0x0200_0000_0001);
    private static readonly MacAddress B = new(0x0200_0000_0002);

    private static AnalysisReport Analyze(Action<PcapWriter, byte[]> write, LinkType linkType = LinkType.Ethernet)
    {
        using var stream = new MemoryStream();
        using (var writer = new PcapWriter(stream, linkType, leaveOpen: true))
        {
            write(writer, new byte[256]);
        }
        stream.Position = 0;
        var analyzer = new Analyzer();
        using (var source = CaptureOpener.Open(stream, "built.pcap")) analyzer.Read(source);
        return analyzer.Finish();
    }

    private static int Ip(byte[] frame, byte protocol, int payload, ushort id = 1)
    {
        int n = FrameBuilder.WriteEthernet(frame, A, B, EtherType.Ipv4);
        n += FrameBuilder.WriteIpv4(frame.AsSpan(n), IpAddr.Parse("10.0.0.1"), IpAddr.Parse("224.0.0.5"), protocol, payload, id);
        return n + payload;
    }

    [Fact]
    public void Ospf_and_lldp_are_named_with_their_counts()
    {
        var report = Analyze((w, frame) =>
        {
            var t = PacketTimestamp.FromUnix(1_700_000_000, 0);
            for (int i = 0; i < 3; i++) w.Write(t, frame.AsSpan(0, Ip(frame, 89, 44)));
            int lldp = FrameBuilder.WriteEthernet(frame, A, B, 0x88CC) + 30;
            w.Write(t, frame.AsSpan(0, lldp));
            w.Write(t, frame.AsSpan(0, lldp));
        });

        Assert.Equal(
            [new NamedCount("IP protocol 89 (OSPF)", 3), new NamedCount("EtherType 0x88cc (LLDP)", 2)],
            report.Capture.Undecoded);
    }

    [Fact]
    public void On_a_ppp_link_other_protocols_are_named_and_the_links_control_traffic_is_not()
    {
        var report = Analyze((w, frame) =>
        {
            var t = PacketTimestamp.FromUnix(1_700_000_000, 0);
            w.Write(t, [0xff, 0x03, 0x00, 0x3d, 0x00, 0x00, 0x00, 0x00]);               // MLPPP fragment
            w.Write(t, [0xff, 0x03, 0x00, 0x2b, 0xff, 0xff, 0x00, 0x1e]);               // IPX
            w.Write(t, [0xff, 0x03, 0xc0, 0x21, 0x09, 0x01, 0x00, 0x08, 0, 0, 0, 0]);   // LCP echo request
            frame[0] = 0xff;
            frame[1] = 0x03;
            frame[2] = 0x00;
            frame[3] = 0x21;
            int n = 4 + FrameBuilder.WriteIpv4(frame.AsSpan(4), IpAddr.Parse("10.0.0.1"), IpAddr.Parse("10.0.0.2"), IpProtocol.Udp, 8, 1);
            FrameBuilder.WriteUdpV4(frame.AsSpan(n), IpAddr.Parse("10.0.0.1"), IpAddr.Parse("10.0.0.2"), 1000, 2000, 0);
            w.Write(t, frame.AsSpan(0, n + 8));
        }, LinkType.Ppp);

        Assert.Equal(
            [new NamedCount("PPP protocol 0x002b (IPX)", 1), new NamedCount("PPP protocol 0x003d (MLPPP)", 1)],
            report.Capture.Undecoded);
        Assert.Equal(2, report.Overview.Hosts);
    }

    [Fact]
    public void A_capture_whose_every_packet_was_decoded_has_no_undecoded_list()
    {
        var report = Analyze((w, frame) =>
        {
            var t = PacketTimestamp.FromUnix(1_700_000_000, 0);
            int n = FrameBuilder.WriteEthernet(frame, A, B, EtherType.Ipv4);
            n += FrameBuilder.WriteIpv4(frame.AsSpan(n), IpAddr.Parse("10.0.0.1"), IpAddr.Parse("10.0.0.2"), IpProtocol.Udp, 8 + 4, 7);
            n += FrameBuilder.WriteUdpV4(frame.AsSpan(n), IpAddr.Parse("10.0.0.1"), IpAddr.Parse("10.0.0.2"), 4000, 4001, 4);
            w.Write(t, frame.AsSpan(0, n + 4));
        });

        Assert.Null(report.Capture.Undecoded);
    }

    [SkippableFact]
    public void Tcpdumps_ospf_trace_says_what_it_did_not_decode()
    {
        var shared = TestPaths.Shared;
        Skip.If(shared is null, TestPaths.CorpusAbsent);
        var path = Path.Combine(shared, "corpus", "tcpdump", "ospf-gmpls.pcap");
        Skip.IfNot(File.Exists(path), TestPaths.CorpusAbsent);
        var analyzer = new Analyzer();
        using (var source = CaptureOpener.Open(path)) analyzer.Read(source);
        var report = analyzer.Finish();

        var undecoded = Assert.Single(report.Capture.Undecoded!);
        Assert.Equal("IP protocol 89 (OSPF)", undecoded.Name);
        Assert.Equal(report.Capture.Packets, undecoded.Count);
    }
}
