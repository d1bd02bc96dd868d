using System.Buffers.Binary;
using System.Net;
using NetTriage.Capture.Writing;
using NetTriage.Packets;

namespace NetTriage.Capture.Tests.Reassembly;

/// <summary>
/// IP fragments built byte by byte, in every order a network or an attacker sends them: the fragment that completes
/// a datagram is read as the whole datagram (a DNS answer too large for one packet), a missing piece leaves the
/// fragments as they are, overlapping pieces (RFC 5722) drop the datagram and say so, an exact duplicate changes
/// nothing, and a reader that does not ask for reassembly sees the fragments.
/// </summary>
public sealed class ReassemblyTests
{
    private static readonly IpAddr Server = IpAddr.Parse("192.0.2.53"), Client = IpAddr.Parse("192.0.2.10");
    private static readonly IpAddr Server6 = IpAddr.Parse("2001:db8::53"), Client6 = IpAddr.Parse("2001:db8::10");

    /// <summary>A DNS answer with one TXT record of <paramref name="textLength"/> bytes (in 255-byte strings).</summary>
    private static byte[] BigAnswer(int textLength)
    {
        var text = new List<byte>();
        for (int left = textLength; left > 0; left -= 255)
        {
            int n = Math.Min(255, left);
            text.Add((byte)n);
            text.AddRange(Enumerable.Repeat((byte)'x', n));
        }
        var name = new byte[] { 3, (byte)'b', (byte)'i', (byte)'g', 4, (byte)'t', (byte)'e', (byte)'s', (byte)'t', 0 };
        var message = new List<byte>();
        message.AddRange([0x12, 0x34, 0x81, 0x80, 0, 1, 0, 1, 0, 0, 0, 0]);
        message.AddRange(name);
        message.AddRange([0, 16, 0, 1]);
        message.AddRange([0xc0, 0x0c, 0, 16, 0, 1, 0, 0, 0x0e, 0x10, (byte)(text.Count >> 8), (byte)text.Count]);
        message.AddRange(text);
        var udp = new byte[8 + message.Count];
        BinaryPrimitives.WriteUInt16BigEndian(udp, 53);
        BinaryPrimitives.WriteUInt16BigEndian(udp.AsSpan(2), 40000);
        BinaryPrimitives.WriteUInt16BigEndian(udp.AsSpan(4), (ushort)udp.Length);
        message.CopyTo(udp, 8);
        return udp;
    }

    private static byte[] Ethernet(ushort type, ReadOnlySpan<byte> payload)
    {
        var frame = new byte[14 + payload.Length];
        frame[0] = 2;
        frame[6] = 4;
        BinaryPrimitives.WriteUInt16BigEndian(frame.AsSpan(12), type);
        payload.CopyTo(frame.AsSpan(14));
        return frame;
    }

    /// <summary>IPv4 fragments of <paramref name="datagram"/> (the UDP datagram) at the given (offset, length) pieces.</summary>
    private static byte[] Fragment4(byte[] udp, int offset, int length, bool more, ushort id = 77)
    {
        var ip = new byte[20 + length];
        ip[0] = 0x45;
        BinaryPrimitives.WriteUInt16BigEndian(ip.AsSpan(2), (ushort)ip.Length);
        BinaryPrimitives.WriteUInt16BigEndian(ip.AsSpan(4), id);
        BinaryPrimitives.WriteUInt16BigEndian(ip.AsSpan(6), (ushort)((more ? 0x2000 : 0) | (offset / 8)));
        ip[8] = 64;
        ip[9] = 17;
        Server.WriteBytes(ip.AsSpan(12));
        Client.WriteBytes(ip.AsSpan(16));
        udp.AsSpan(offset, length).CopyTo(ip.AsSpan(20));
        return Ethernet(0x0800, ip);
    }

    private static byte[] Fragment6(byte[] udp, int offset, int length, bool more, uint id = 99)
    {
        var ip = new byte[48 + length];
        ip[0] = 0x60;
        BinaryPrimitives.WriteUInt16BigEndian(ip.AsSpan(4), (ushort)(8 + length));
        ip[6] = 44; // fragment header
        ip[7] = 64;
        Server6.WriteBytes(ip.AsSpan(8));
        Client6.WriteBytes(ip.AsSpan(24));
        ip[40] = 17;
        BinaryPrimitives.WriteUInt16BigEndian(ip.AsSpan(42), (ushort)(offset | (more ? 1 : 0)));
        BinaryPrimitives.WriteUInt32BigEndian(ip.AsSpan(44), id);
        udp.AsSpan(offset, length).CopyTo(ip.AsSpan(48));
        return Ethernet(0x86DD, ip);
    }

    private static List<DecodedPacket> Read(IEnumerable<byte[]> frames, bool reassemble = true)
    {
        var stream = new MemoryStream();
        using (var writer = new PcapWriter(stream, LinkType.Ethernet, leaveOpen: true))
        {
            long t = 1_700_000_000L * PacketTimestamp.NanosPerSecond;
            foreach (var frame in frames) writer.Write(new PacketTimestamp(t += 1_000_000, TimestampKind.Absolute), frame);
        }
        stream.Position = 0;
        using var source = CaptureOpener.Open(stream, "fragments.pcap");
        var packets = new List<DecodedPacket>();
        var packet = new DecodedPacket { ReassembleFragments = reassemble };
        while (source.TryRead(packet))
        {
            var copy = new DecodedPacket();
            packet.CopyTo(copy);
            packets.Add(copy);
        }
        return packets;
    }

    private static IEnumerable<(int Offset, int Length, bool More)> Pieces(int total, int size)
    {
        for (int offset = 0; offset < total; offset += size) yield return (offset, Math.Min(size, total - offset), offset + size < total);
    }

    private static void AssertWholeAnswer(DecodedPacket p, int udpLength)
    {
        Assert.True(p.Reassembled);
        Assert.True(p.Has(PacketLayers.Dns), p.Layers.ToString());
        Assert.False(p.Dns.Incomplete);
        Assert.Equal(0x1234, p.Dns.Id);
        Assert.Equal(1, p.Dns.AnswerCount);
        Assert.Equal(udpLength, p.UdpLength);
        Assert.Equal(53, p.SourcePort);
        Assert.False(p.Has(PacketLayers.Fragment));
    }

    [Theory]
    [InlineData(4, false)]
    [InlineData(4, true)]
    [InlineData(6, false)]
    [InlineData(6, true)]
    public void The_fragment_that_completes_a_datagram_is_read_as_the_datagram(int version, bool reversed)
    {
        var udp = BigAnswer(3000);
        var pieces = Pieces(udp.Length, 1232).ToList();
        if (reversed) pieces.Reverse();
        var frames = pieces.Select(f => version == 4 ? Fragment4(udp, f.Offset, f.Length, f.More) : Fragment6(udp, f.Offset, f.Length, f.More));
        var packets = Read(frames);
        Assert.Equal(pieces.Count, packets.Count);
        AssertWholeAnswer(packets[^1], udp.Length);
        Assert.All(packets.Take(packets.Count - 1), p => Assert.False(p.Reassembled));
    }

    [Fact]
    public void A_reader_that_does_not_ask_sees_the_fragments()
    {
        var udp = BigAnswer(3000);
        var packets = Read(Pieces(udp.Length, 1232).Select(f => Fragment4(udp, f.Offset, f.Length, f.More)), reassemble: false);
        Assert.All(packets, p => Assert.False(p.Reassembled));
        Assert.True(packets[^1].Has(PacketLayers.Fragment));
    }

    [Fact]
    public void A_missing_last_fragment_leaves_the_fragments_as_they_are()
    {
        var udp = BigAnswer(3000);
        var pieces = Pieces(udp.Length, 1232).ToList();
        var packets = Read(pieces.Take(pieces.Count - 1).Select(f => Fragment4(udp, f.Offset, f.Length, f.More)));
        Assert.All(packets, p => Assert.False(p.Reassembled));
        Assert.All(packets, p => Assert.True(p.Dns.Incomplete || !p.Has(PacketLayers.Dns)));
    }

    [Fact]
    public void An_exact_duplicate_changes_nothing()
    {
        var udp = BigAnswer(3000);
        var pieces = Pieces(udp.Length, 1232).ToList();
        var frames = new List<byte[]> { Fragment4(udp, pieces[0].Offset, pieces[0].Length, true) };
        frames.AddRange(pieces.Select(f => Fragment4(udp, f.Offset, f.Length, f.More)));
        var packets = Read(frames);
        AssertWholeAnswer(packets[^1], udp.Length);
        Assert.Equal(0, packets.Sum(p => p.Anomalies.Count));
    }

    [Fact]
    public void Overlapping_fragments_drop_the_datagram_and_say_so()
    {
        // The teardrop shape: the second piece starts inside the first and runs past it.
        var udp = BigAnswer(3000);
        var frames = new[]
        {
            Fragment4(udp, 0, 1232, more: true),
            Fragment4(udp, 1224, 1232, more: true),
            Fragment4(udp, 2456, udp.Length - 2456, more: false),
        };
        var packets = Read(frames);
        Assert.All(packets, p => Assert.False(p.Reassembled));
        Assert.Contains(packets, p => p.Anomalies.Contains(AnomalyKind.FragmentOverlap));
    }

    [Fact]
    public void A_datagram_longer_than_IP_allows_is_dropped_and_marked()
    {
        // The ping of death: a last fragment that ends past 65,535 bytes.
        var udp = new byte[2000];
        var packets = Read([Fragment4(udp, 0, 1000, more: true), Ethernet(0x0800, PingOfDeathTail())]);
        Assert.All(packets, p => Assert.False(p.Reassembled));
        Assert.Contains(packets, p => p.Anomalies.Contains(AnomalyKind.FragmentTooLarge));

        static byte[] PingOfDeathTail()
        {
            var ip = new byte[20 + 1000];
            ip[0] = 0x45;
            BinaryPrimitives.WriteUInt16BigEndian(ip.AsSpan(2), (ushort)ip.Length);
            BinaryPrimitives.WriteUInt16BigEndian(ip.AsSpan(4), 77);
            BinaryPrimitives.WriteUInt16BigEndian(ip.AsSpan(6), (ushort)(65_000 / 8));
            ip[8] = 64;
            ip[9] = 17;
            Server.WriteBytes(ip.AsSpan(12));
            Client.WriteBytes(ip.AsSpan(16));
            return ip;
        }
    }

    [Fact]
    public void Thousands_of_unfinished_datagrams_stay_bounded()
    {
        // Every fragment a first piece of a new datagram (a fragment flood): at most a fixed number wait.
        var udp = BigAnswer(3000);
        var frames = Enumerable.Range(0, 5000).Select(i => Fragment4(udp, 0, 1232, more: true, id: (ushort)i));
        var packets = Read(frames);
        Assert.Equal(5000, packets.Count);
        Assert.All(packets, p => Assert.False(p.Reassembled));
    }

    [Fact]
    public void Random_fragments_of_a_few_datagrams_never_throw_and_complete_only_whole()
    {
        // Offsets, lengths, flags and ids at random, of both families, interleaved: whatever completes is a datagram
        // whose UDP length fits it.
        var random = new Random(20261207);
        var udp = BigAnswer(3000);
        var frames = new List<byte[]>();
        for (int i = 0; i < 4000; i++)
        {
            int offset = random.Next(0, 5) * 8 * random.Next(1, 100) % 3000 / 8 * 8;
            int length = Math.Min(udp.Length - offset, random.Next(1, 1400));
            if (length <= 0) continue;
            bool more = random.Next(3) != 0;
            frames.Add(random.Next(2) == 0
                ? Fragment4(udp, offset, length, more, id: (ushort)random.Next(4))
                : Fragment6(udp, offset, length, more, id: (uint)random.Next(4)));
        }
        var packets = Read(frames);
        Assert.Equal(frames.Count, packets.Count);
        Assert.All(packets.Where(p => p.Reassembled), p => Assert.False(p.Has(PacketLayers.Fragment)));
    }

    [Fact]
    public void Every_prefix_of_every_fragment_is_read_without_an_exception()
    {
        var udp = BigAnswer(3000);
        foreach (var frame in Pieces(udp.Length, 1232).Select(f => Fragment6(udp, f.Offset, f.Length, f.More)))
        {
            for (int cut = 0; cut < 70; cut++)
            {
                var packets = Read([frame[..Math.Min(cut, frame.Length)]]);
                Assert.All(packets, p => Assert.False(p.Reassembled));
            }
        }
        _ = IPAddress.Loopback;
    }
}
