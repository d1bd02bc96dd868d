using System.Buffers;
using System.Runtime.CompilerServices;
using System.Text;
using NetTriage.Packets;
using NetTriage.Packets.Formatting;

namespace NetTriage.Analysis.Tracking;

/// <summary>
/// The tcpdump line of a packet kept as evidence, made by the one formatter (<see cref="TcpdumpLineFormatter"/>)
/// while the decoded packet is at hand: a report cites packets long after the streaming stages let them go. Only
/// the answers of failures kept in detail are written (a few thousand at most).
/// </summary>
internal sealed class EvidenceLines
{
    private readonly TcpdumpLineFormatter _formatter = new(new TcpdumpLineOptions
    {
        TimestampStyle = TimestampStyle.None,
        FrameNumbers = false,
        AbsoluteSequenceNumbers = true,
        Annotations = false,
    });
    private readonly ArrayBufferWriter<char> _writer = new(256);

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public PacketLine Of(DecodedPacket p)
    {
        _writer.ResetWrittenCount();
        _formatter.Write(p, _writer);
        var line = _writer.WrittenSpan[..^1]; // without the line feed
        if (p.Tunnel.Depth > 0)
        {
            // tcpdump prints the tunnel's outer header first; the line here is the inner packet's, so it says where it came from.
            string tunnel = " (" + TunnelNames.Describe(p.Tunnel) + ")";
            var withTunnel = string.Concat(line, tunnel);
            var bytes = new byte[Encoding.UTF8.GetByteCount(withTunnel)];
            Encoding.UTF8.GetBytes(withTunnel, bytes);
            return new PacketLine(bytes);
        }
        var utf8 = new byte[Encoding.UTF8.GetByteCount(line)];
        Encoding.UTF8.GetBytes(line, utf8);
        return new PacketLine(utf8);
    }
}
