using System.Buffers.Binary;

namespace NetTriage.Packets.Link;

/// <summary>
/// PPP's header (RFC 1661 2, RFC 1662 3.1): the address and control bytes 0xFF 0x03 unless the link compresses them
/// away, then the protocol in two bytes, or in one when its low bit is set (protocol-field compression, RFC 1661 6.5).
/// Also the names tcpdump gives the protocols (print-ppp.c's ppptype2str), for the lines of what is not decoded.
/// </summary>
public static class PppHeader
{
    public const ushort Ipv4 = 0x0021, Ipv6 = 0x0057, MplsUnicast = 0x0281, MplsMulticast = 0x0283;

    /// <summary>
    /// Reads the protocol and the header's length. As tcpdump, asks for two bytes after the address and control even
    /// when the protocol is compressed into one: false when they are not there.
    /// </summary>
    internal static bool TryRead(ReadOnlySpan<byte> data, out ushort protocol, out int headerLength)
    {
        int offset = data.Length >= 2 && data[0] == 0xFF && data[1] == 0x03 ? 2 : 0;
        if (data.Length < offset + 2)
        {
            protocol = 0;
            headerLength = 0;
            return false;
        }
        if ((data[offset] & 0x01) != 0)
        {
            protocol = data[offset];
            headerLength = offset + 1;
        }
        else
        {
            protocol = BinaryPrimitives.ReadUInt16BigEndian(data[offset..]);
            headerLength = offset + 2;
        }
        return true;
    }

    /// <summary>
    /// The link's own traffic: the network control protocols (0x8000 to 0xBFFF: IPCP, IPV6CP, CCP...) and the link
    /// control and authentication ones (0xC000 and up: LCP, PAP, CHAP, EAP), RFC 1661 2. Not a packet to follow, nor
    /// traffic left undecoded.
    /// </summary>
    internal static bool IsControl(ushort protocol) => protocol >= 0x8000;

    /// <summary>tcpdump's name of a PPP protocol ("unknown" for the others).</summary>
    public static string Name(ushort protocol) => protocol switch
    {
        0x0021 => "IP",
        0x0023 => "OSI",
        0x0025 => "NS",
        0x0027 => "DECNET",
        0x0029 => "APPLE",
        0x002b => "IPX",
        0x002d => "VJC IP",
        0x002f => "VJNC IP",
        0x0031 => "BRPDU",
        0x0033 => "STII",
        0x0035 => "VINES",
        0x003d => "MLPPP",
        0x0057 => "IP6",
        0x00fd => "Compressed",
        0x0201 => "HELLO",
        0x0231 => "LUXCOM",
        0x0233 => "SNS",
        0x0281 or 0x0283 => "MPLS",
        0x8021 => "IPCP",
        0x8023 => "OSICP",
        0x8025 => "NSCP",
        0x8027 => "DECNETCP",
        0x8029 => "APPLECP",
        0x802b => "IPXCP",
        0x8033 => "STIICP",
        0x8035 => "VINESCP",
        0x8057 => "IP6CP",
        0x80fd => "CCP",
        0x8281 => "MPLSCP",
        0xc021 => "LCP",
        0xc023 => "PAP",
        0xc025 => "LQM",
        0xc027 => "SPAP",
        0xc02b => "BACP",
        0xc02d => "BAP",
        0xc223 => "CHAP",
        0xc227 => "EAP",
        _ => "unknown",
    };
}
