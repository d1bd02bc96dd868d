using NetTriage.Synthetic;
using System.Buffers.Binary;
using System.Text;
using NetTriage.Capture;
using NetTriage.Capture.Writing;
using NetTriage.Packets;
using NetTriage.Packets.Formatting;

namespace NetTriage.Fuzz;

/// <summary>
/// The starting inputs of each target, generated with the project's own writers so that no binary file is
/// kept for them: small pcaps of the seed incident and of mixed traffic (both byte orders, micro- and
/// nanoseconds), the same frames as pcapng (several sections and interfaces, if_tsresol, if_tsoffset),
/// tcpdump text printed from them in several styles, DNS messages and ICMP quotes taken from the traffic.
/// </summary>
internal static class Seeds
{
    private const int Ethernet = FrameBuilder.EthernetHeaderLength;
    private const int UdpPayloadOffset = Ethernet + FrameBuilder.Ipv4HeaderLength + FrameBuilder.UdpHeaderLength;
    private const int IcmpQuoteOffset = Ethernet + FrameBuilder.Ipv4HeaderLength + FrameBuilder.IcmpHeaderLength;

    public static void Write(string target, string directory)
    {
        Directory.CreateDirectory(directory);
        int n = 0;
        foreach (var seed in For(target))
        {
            File.WriteAllBytes(Path.Combine(directory, $"seed-{++n:D2}"), seed);
        }
        Console.WriteLine($"{target}: {n} seeds in {directory}");
    }

    private static IEnumerable<byte[]> For(string target) => target switch
    {
        "pcap" => Pcaps(),
        "pcapng" => Pcaps().Take(2).SelectMany(Pcapngs),
        "text" => Pcaps().Take(2).SelectMany(Texts),
        "dns" => DnsMessages(),
        "icmp" => IcmpQuotes(),
        _ => throw new ArgumentException("unknown target " + target, nameof(target)),
    };

    private static IEnumerable<byte[]> Pcaps()
    {
        var seed = new MemoryStream();
        SampleCaptures.WriteSeedIncident(seed);
        yield return seed.ToArray();
        yield return Synthetic(1);
        yield return BigEndianNanoseconds(Synthetic(7));
    }

    private static byte[] Synthetic(int seed)
    {
        var stream = new MemoryStream();
        SyntheticCapture.WritePackets(stream, 40, seed, hostCount: 8);
        return stream.ToArray();
    }

    private static List<(PacketTimestamp Time, byte[] Data, int OriginalLength)> ReadFrames(byte[] pcap)
    {
        var frames = new List<(PacketTimestamp, byte[], int)>();
        using var reader = CaptureOpener.OpenFrames(new MemoryStream(pcap), "seed");
        while (reader.TryReadFrame(out var frame))
        {
            frames.Add((frame.Timestamp, frame.Data.ToArray(), frame.OriginalLength));
        }
        return frames;
    }

    /// <summary>The same frames as a big-endian, nanosecond-resolution pcap (magic 0xA1B23C4D).</summary>
    private static byte[] BigEndianNanoseconds(byte[] pcap)
    {
        var w = new MemoryStream();
        Span<byte> h = stackalloc byte[24];
        BinaryPrimitives.WriteUInt32BigEndian(h, 0xA1B23C4D);
        BinaryPrimitives.WriteUInt16BigEndian(h[4..], 2);
        BinaryPrimitives.WriteUInt16BigEndian(h[6..], 4);
        BinaryPrimitives.WriteUInt32BigEndian(h[16..], 65535);
        BinaryPrimitives.WriteUInt32BigEndian(h[20..], (uint)LinkType.Ethernet);
        w.Write(h);
        Span<byte> r = stackalloc byte[16];
        foreach (var (time, data, original) in ReadFrames(pcap))
        {
            BinaryPrimitives.WriteUInt32BigEndian(r, (uint)time.Seconds);
            BinaryPrimitives.WriteUInt32BigEndian(r[4..], (uint)time.SubsecondNanos);
            BinaryPrimitives.WriteInt32BigEndian(r[8..], data.Length);
            BinaryPrimitives.WriteInt32BigEndian(r[12..], original);
            w.Write(r);
            w.Write(data);
        }
        return w.ToArray();
    }

    private static IEnumerable<byte[]> Pcapngs(byte[] pcap)
    {
        var frames = ReadFrames(pcap);
        yield return PcapngSeed.Write(frames, bigEndian: false, nanoseconds: false, sections: 1);
        yield return PcapngSeed.Write(frames, bigEndian: true, nanoseconds: true, sections: 2);
    }

    private static IEnumerable<byte[]> Texts(byte[] pcap)
    {
        yield return Text(pcap, new TcpdumpLineOptions());
        yield return Text(pcap, new TcpdumpLineOptions { TimestampStyle = TimestampStyle.DateTime, Nanoseconds = true });
    }

    private static byte[] Text(byte[] pcap, TcpdumpLineOptions options)
    {
        var formatter = new TcpdumpLineFormatter(options);
        var text = new StringWriter { NewLine = "\n" };
        using var source = CaptureOpener.Open(new MemoryStream(pcap), "seed");
        var packet = new DecodedPacket();
        while (source.TryRead(packet))
        {
            formatter.Write(packet, text);
        }
        return Encoding.UTF8.GetBytes(text.ToString());
    }

    /// <summary>UDP payloads to or from port 53 in the mixed traffic, each behind a mode byte (see <see cref="Targets.Dns"/>).</summary>
    private static IEnumerable<byte[]> DnsMessages()
    {
        var seen = new HashSet<int>();
        foreach (var (_, data, _) in ReadFrames(Synthetic(1)).Concat(ReadFrames(Synthetic(3))))
        {
            if (data.Length <= UdpPayloadOffset || data[Ethernet + 9] != IpProtocol.Udp) continue;
            int udp = Ethernet + FrameBuilder.Ipv4HeaderLength;
            bool fromServer = BinaryPrimitives.ReadUInt16BigEndian(data.AsSpan(udp)) == 53;
            bool toServer = BinaryPrimitives.ReadUInt16BigEndian(data.AsSpan(udp + 2)) == 53;
            if (!fromServer && !toServer) continue;
            var message = data[UdpPayloadOffset..];
            if (!seen.Add(message.Length * 4 + (fromServer ? 2 : 0))) continue;
            yield return [(byte)(fromServer ? 2 : 0), .. message];
            if (fromServer) yield return [3, .. message];
        }
    }

    /// <summary>The packets quoted by ICMP errors in the mixed traffic, and a query quoted whole and cut to RFC 792's minimum.</summary>
    private static IEnumerable<byte[]> IcmpQuotes()
    {
        var query = new byte[512];
        int n = FrameBuilder.WriteDnsQuery(query, 0x1234, "www.example.com", 1);
        var frame = QueryFrame(query.AsSpan(0, n));
        var quoted = frame[Ethernet..];
        yield return [3, .. quoted];
        yield return [0x0B, .. quoted];
        yield return [3, .. quoted[..(FrameBuilder.Ipv4HeaderLength + 8)]];
        foreach (var (_, data, _) in ReadFrames(Synthetic(1)).Concat(ReadFrames(Synthetic(5))))
        {
            if (data.Length > IcmpQuoteOffset && data[Ethernet + 9] == IpProtocol.Icmp && data[Ethernet + FrameBuilder.Ipv4HeaderLength] is 3 or 11)
            {
                yield return [data[Ethernet + FrameBuilder.Ipv4HeaderLength + 1] == 3 ? (byte)3 : (byte)6, .. data[IcmpQuoteOffset..]];
            }
        }
    }

    private static byte[] QueryFrame(ReadOnlySpan<byte> message)
    {
        var pcap = Frames.DnsExchange(message, overTcp: false, fromServer: false);
        return ReadFrames(pcap)[0].Data;
    }
}
