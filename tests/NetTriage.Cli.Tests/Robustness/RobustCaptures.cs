using NetTriage.Synthetic;
using System.Buffers.Binary;
using System.IO.Compression;
using NetTriage.Capture.Writing;
using NetTriage.Packets;
using NetTriage.Tests.Shared;

namespace NetTriage.Cli.Tests.Robustness;

/// <summary>
/// Inputs for the robustness tests, made with the project's own writers, and the positions of their records
/// (so that mutations can aim at record boundaries and length fields).
/// </summary>
internal static class RobustCaptures
{
    /// <summary>Length of the pcap file header and of a record header (pcap-savefile(5)).</summary>
    public const int PcapFileHeader = 24;
    public const int PcapRecordHeader = 16;

    public static byte[] SeedPcap() => File.ReadAllBytes(Path.Combine(TestPaths.Samples, "seed-incident.pcap"));

    public static byte[] SeedText() => File.ReadAllBytes(Path.Combine(TestPaths.Samples, "seed-incident.txt"));

    /// <summary>Mixed traffic (DNS, TCP sessions, failures) from <see cref="SyntheticCapture"/>.</summary>
    public static byte[] MixedPcap(int packets, int seed, int hosts = 40)
    {
        using var stream = new MemoryStream();
        SyntheticCapture.WritePackets(stream, packets, seed, hosts);
        return stream.ToArray();
    }

    public static byte[] Gzip(byte[] data)
    {
        using var output = new MemoryStream();
        using (var gzip = new GZipStream(output, CompressionLevel.Optimal, leaveOpen: true))
        {
            gzip.Write(data);
        }
        return output.ToArray();
    }

    /// <summary>A capture without failures: a DNS query answered with an address.</summary>
    public static byte[] HealthyPcap()
    {
        var client = IpAddr.Parse("10.0.0.5");
        var server = IpAddr.Parse("10.0.0.53");
        using var stream = new MemoryStream();
        using (var writer = new PcapWriter(stream, LinkType.Ethernet, leaveOpen: true))
        {
            var frame = new byte[512];
            const int dns = FrameBuilder.EthernetHeaderLength + FrameBuilder.Ipv4HeaderLength + FrameBuilder.UdpHeaderLength;
            int n = FrameBuilder.WriteDnsQuery(frame.AsSpan(dns), 7, "www.example.com", 1);
            writer.Write(PacketTimestamp.FromUnix(1_700_000_000, 0), Udp(frame, client, server, 40000, 53, n));
            n = FrameBuilder.WriteDnsResponse(frame.AsSpan(dns), 7, "www.example.com", 1, 0, [IpAddr.Parse("93.184.216.34")]);
            writer.Write(PacketTimestamp.FromUnix(1_700_000_000, 20_000_000), Udp(frame, server, client, 53, 40000, n));
        }
        return stream.ToArray();
    }

    /// <summary>Fills in Ethernet / IPv4 / UDP around a payload of <paramref name="payload"/> bytes already in place.</summary>
    public static ReadOnlySpan<byte> Udp(byte[] frame, IpAddr source, IpAddr target, ushort sourcePort, ushort targetPort, int payload)
    {
        var span = frame.AsSpan();
        FrameBuilder.WriteEthernet(span, new MacAddress(0x02_00_00_00_00_0A), new MacAddress(0x02_00_00_00_00_01), EtherType.Ipv4);
        FrameBuilder.WriteUdpV4(span[(FrameBuilder.EthernetHeaderLength + FrameBuilder.Ipv4HeaderLength)..], source, target, sourcePort, targetPort, payload);
        FrameBuilder.WriteIpv4(span[FrameBuilder.EthernetHeaderLength..], source, target, IpProtocol.Udp, FrameBuilder.UdpHeaderLength + payload, 1);
        return span[..(FrameBuilder.EthernetHeaderLength + FrameBuilder.Ipv4HeaderLength + FrameBuilder.UdpHeaderLength + payload)];
    }

    /// <summary>A record of a little-endian pcap: where its header starts, where its frame starts, and the frame's length.</summary>
    public readonly record struct PcapRecord(int Header, int Data, int Length);

    /// <summary>The records of a little-endian pcap written by <see cref="PcapWriter"/>.</summary>
    public static List<PcapRecord> PcapRecords(byte[] pcap)
    {
        var records = new List<PcapRecord>();
        int at = PcapFileHeader;
        while (at + PcapRecordHeader <= pcap.Length)
        {
            int length = BinaryPrimitives.ReadInt32LittleEndian(pcap.AsSpan(at + 8));
            if (length < 0 || at + PcapRecordHeader + length > pcap.Length) break;
            records.Add(new PcapRecord(at, at + PcapRecordHeader, length));
            at += PcapRecordHeader + length;
        }
        return records;
    }

    /// <summary>A block of a pcapng file: where it starts, its type and its total length (section 3.1).</summary>
    public readonly record struct PcapngBlock(int Offset, uint Type, int Length);

    public const uint SectionHeaderType = 0x0A0D0D0A;
    public const uint InterfaceDescriptionType = 1;
    public const uint EnhancedPacketType = 6;
    public const uint SimplePacketType = 3;

    /// <summary>
    /// The frames of a pcap written as pcapng (draft-ietf-opsawg-pcapng) in the chosen byte order: a section
    /// header, an Ethernet interface with if_tsresol 9 (nanoseconds), enhanced packet blocks, and (when
    /// <paramref name="simpleLast"/>) the last frame as a simple packet block. Returns the bytes and the blocks.
    /// </summary>
    public static (byte[] Bytes, List<PcapngBlock> Blocks) Pcapng(byte[] pcap, bool bigEndian, bool simpleLast = false)
    {
        var output = new MemoryStream();
        var blocks = new List<PcapngBlock>();
        void Block(uint type, byte[] body)
        {
            int total = 12 + body.Length;
            blocks.Add(new PcapngBlock((int)output.Length, type, total));
            U32(output, bigEndian, type);
            U32(output, bigEndian, (uint)total);
            output.Write(body);
            U32(output, bigEndian, (uint)total);
        }

        var shb = new MemoryStream();
        U32(shb, bigEndian, 0x1A2B3C4D);                     // byte-order magic
        U16(shb, bigEndian, 1);                              // major version
        U16(shb, bigEndian, 0);                              // minor version
        U32(shb, bigEndian, uint.MaxValue);                  // section length: -1, not given
        U32(shb, bigEndian, uint.MaxValue);
        Block(SectionHeaderType, shb.ToArray());

        var idb = new MemoryStream();
        U16(idb, bigEndian, (ushort)LinkType.Ethernet);
        U16(idb, bigEndian, 0);                              // reserved
        U32(idb, bigEndian, 262_144);                        // snap length
        U16(idb, bigEndian, 9);                              // if_tsresol
        U16(idb, bigEndian, 1);
        idb.Write([9, 0, 0, 0]);                             // 10^-9, padded to 32 bits
        U16(idb, bigEndian, 0);                              // opt_endofopt
        U16(idb, bigEndian, 0);
        Block(InterfaceDescriptionType, idb.ToArray());

        var records = PcapRecords(pcap);
        for (int i = 0; i < records.Count; i++)
        {
            var r = records[i];
            var data = pcap.AsSpan(r.Data, r.Length);
            uint seconds = BinaryPrimitives.ReadUInt32LittleEndian(pcap.AsSpan(r.Header));
            uint micros = BinaryPrimitives.ReadUInt32LittleEndian(pcap.AsSpan(r.Header + 4));
            uint original = BinaryPrimitives.ReadUInt32LittleEndian(pcap.AsSpan(r.Header + 12));
            var body = new MemoryStream();
            if (simpleLast && i == records.Count - 1)
            {
                U32(body, bigEndian, original);              // original packet length (section 4.4)
                body.Write(data);
                while (body.Length % 4 != 0) body.WriteByte(0);
                Block(SimplePacketType, body.ToArray());
                continue;
            }
            ulong nanos = seconds * 1_000_000_000UL + micros * 1000UL;
            U32(body, bigEndian, 0);                         // interface id
            U32(body, bigEndian, (uint)(nanos >> 32));
            U32(body, bigEndian, (uint)nanos);
            U32(body, bigEndian, (uint)data.Length);         // captured length
            U32(body, bigEndian, original);                  // original length
            body.Write(data);
            while (body.Length % 4 != 0) body.WriteByte(0);  // padded to 32 bits
            Block(EnhancedPacketType, body.ToArray());
        }
        return (output.ToArray(), blocks);
    }

    private static void U16(Stream s, bool bigEndian, ushort v)
    {
        Span<byte> b = stackalloc byte[2];
        if (bigEndian) BinaryPrimitives.WriteUInt16BigEndian(b, v);
        else BinaryPrimitives.WriteUInt16LittleEndian(b, v);
        s.Write(b);
    }

    private static void U32(Stream s, bool bigEndian, uint v)
    {
        Span<byte> b = stackalloc byte[4];
        if (bigEndian) BinaryPrimitives.WriteUInt32BigEndian(b, v);
        else BinaryPrimitives.WriteUInt32LittleEndian(b, v);
        s.Write(b);
    }
}
