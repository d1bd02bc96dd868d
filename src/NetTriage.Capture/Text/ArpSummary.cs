using NetTriage.Packets;

namespace NetTriage.Capture.Text;

/// <summary>
/// ARP as print-arp.c prints it (RFC 826; RARP RFC 903; InARP RFC 2390):
/// "[Ethernet (len 6), IPv4 (len 4), ]Request who-has A [(MAC)] tell B, length N", "Reply A is-at MAC, length N",
/// "Reverse Request who-is MAC tell MAC", "Reverse Reply MAC at A", "Inverse Request who-is X tell Y", "Inverse Reply X at Y".
/// </summary>
internal static class ArpSummary
{
    private const ushort HardwareEthernet = 1;
    private const ushort OpRequest = 1, OpReply = 2, OpReverseRequest = 3, OpReverseReply = 4, OpInverseRequest = 8, OpInverseReply = 9;

    /// <summary>Reads the text after "ARP, " (or after an -e EtherType of ARP). An ARP record is always understood.</summary>
    public static bool Parse(ReadOnlySpan<char> s, DecodedPacket p)
    {
        p.Layers |= PacketLayers.Arp;
        if (p.EtherType == 0 || p.EtherType is EtherType.Vlan or EtherType.QinQ or EtherType.QinQOld) p.EtherType = EtherType.Arp;
        ref var arp = ref p.Arp;
        arp.HardwareType = HardwareEthernet;
        arp.ProtocolType = EtherType.Ipv4;
        arp.HardwareLength = 6;
        arp.ProtocolLength = 4;

        s = TextScan.SkipSpaces(s);
        ReadAddressFormats(ref s, ref arp);

        if (TextScan.StartsWith(s, "[|arp]"))
        {
            p.Truncated = true;
            p.AddAnomaly(AnomalyKind.ArpTruncated);
            return true;
        }
        var t = s;
        if (TextScan.TryConsume(ref t, "Request who-has "))
        {
            arp.Operation = OpRequest;
            arp.TargetIp = ReadIp(ref t);
            TextScan.SkipSpaces(ref t);
            if (t.Length > 0 && t[0] == '(')
            {
                // The target hardware address, printed when it is not zero.
                var u = t[1..];
                if (SummaryParser.TryReadMac(ref u, out var targetMac)) arp.TargetMac = targetMac;
                int close = t.IndexOf(')');
                if (close > 0) t = TextScan.SkipSpaces(t[(close + 1)..]);
            }
            if (TextScan.TryConsume(ref t, "tell ")) arp.SenderIp = ReadIp(ref t);
        }
        else if (TextScan.TryConsume(ref t, "Reply "))
        {
            arp.Operation = OpReply;
            arp.SenderIp = ReadIp(ref t);
            TextScan.SkipSpaces(ref t);
            if (TextScan.TryConsume(ref t, "is-at ") && SummaryParser.TryReadMac(ref t, out var mac)) arp.SenderMac = mac;
        }
        else if (TextScan.TryConsume(ref t, "Reverse Request who-is "))
        {
            arp.Operation = OpReverseRequest;
            if (SummaryParser.TryReadMac(ref t, out var target)) arp.TargetMac = target;
            TextScan.SkipSpaces(ref t);
            if (TextScan.TryConsume(ref t, "tell ") && SummaryParser.TryReadMac(ref t, out var sender)) arp.SenderMac = sender;
        }
        else if (TextScan.TryConsume(ref t, "Reverse Reply "))
        {
            arp.Operation = OpReverseReply;
            if (SummaryParser.TryReadMac(ref t, out var target)) arp.TargetMac = target;
            TextScan.SkipSpaces(ref t);
            if (TextScan.TryConsume(ref t, "at ")) arp.TargetIp = ReadIp(ref t);
        }
        else if (TextScan.TryConsume(ref t, "Inverse Request "))
        {
            arp.Operation = OpInverseRequest;
        }
        else if (TextScan.TryConsume(ref t, "Inverse Reply "))
        {
            arp.Operation = OpInverseReply;
        }
        else if (TextScan.TryConsume(ref t, "Unknown ("))
        {
            if (TextScan.TryReadUInt16(ref t, out ushort op)) arp.Operation = op;
        }
        if (TextScan.TryFindLength(t, out int length)) p.PayloadClaimedLength = length;
        return true;
    }

    /// <summary>"Ethernet (len 6), IPv4 (len 4), " or "Unknown Hardware (N) (len N), Unknown Protocol (0xHHHH) (len N), ".</summary>
    private static void ReadAddressFormats(ref ReadOnlySpan<char> s, ref ArpInfo arp)
    {
        for (int i = 0; i < 2; i++)
        {
            var rest = s;
            TextScan.SkipToComma(ref rest);
            var item = s[..(s.Length - rest.Length)];
            int lenAt = item.IndexOf("(len ", StringComparison.Ordinal);
            if (lenAt < 0 || rest.IsEmpty) return;
            var lenText = item[(lenAt + 5)..];
            TextScan.TryReadUInt32(ref lenText, out uint len);
            var name = item[..lenAt].TrimEnd();
            if (i == 0)
            {
                arp.HardwareLength = (byte)Math.Min(len, byte.MaxValue);
                if (TextScan.TryConsume(ref name, "Unknown Hardware (") && TextScan.TryReadUInt16(ref name, out ushort hw)) arp.HardwareType = hw;
                else if (!name.SequenceEqual("Ethernet")) arp.HardwareType = 0;
            }
            else
            {
                arp.ProtocolLength = (byte)Math.Min(len, byte.MaxValue);
                if (TextScan.TryConsume(ref name, "Unknown Protocol (") && TextScan.TryReadHex(ref name, out uint pt) && pt <= ushort.MaxValue)
                {
                    arp.ProtocolType = (ushort)pt;
                }
            }
            s = TextScan.SkipSpaces(rest[1..]);
        }
    }

    private static IpAddr ReadIp(ref ReadOnlySpan<char> t)
    {
        var token = TextScan.ReadToken(ref t);
        if (token.Length > 0 && token[^1] == ',') token = token[..^1];
        return Endpoints.TryParseAddress(token, out var address) ? address : default;
    }
}
