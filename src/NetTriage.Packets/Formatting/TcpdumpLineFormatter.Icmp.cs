namespace NetTriage.Packets.Formatting;

public sealed partial class TcpdumpLineFormatter
{
    /// <summary>ICMPv4 as tcpdump's icmp_print shows it without -v: <c>ICMP {message}, length {ICMP length}</c>.</summary>
    private void WriteIcmp(DecodedPacket p)
    {
        ref readonly IcmpInfo icmp = ref p.Icmp;
        ref readonly QuotedPacket quoted = ref icmp.Quoted;
        bool cut = false;
        _line.Append("ICMP ");
        switch (icmp.Type)
        {
            case 0:
            case 8:
                // RFC 792 p.14
                _line.Append(icmp.Type == 8 ? "echo request, id " : "echo reply, id ");
                _line.AppendFormatted(icmp.Identifier);
                _line.Append(", seq ");
                _line.AppendFormatted(icmp.Sequence);
                break;
            case 3:
                cut = WriteUnreachable(in icmp);
                break;
            case 4:
                _line.Append("source quench");
                break;
            case 5:
                // RFC 792 p.12: codes 0-3 redirect for the network, host, TOS and network, TOS and host.
                _line.Append(icmp.Code is 2 or 3 ? "redirect-tos " : icmp.Code > 3 ? "redirect-#" : "redirect ");
                if (icmp.Code > 3)
                {
                    _line.AppendFormatted(icmp.Code);
                    _line.Append(' ');
                }
                if (quoted.Present)
                {
                    _line.AppendFormatted(quoted.Destination);
                    _line.Append(' ');
                }
                else
                {
                    cut = true;
                }
                _line.Append(icmp.Code switch
                {
                    0 or 2 => "to net ",
                    1 or 3 => "to host ",
                    _ => "to ",
                });
                _line.AppendFormatted(icmp.Gateway);
                break;
            case 9:
                _line.Append("router advertisement");
                break;
            case 10:
                _line.Append("router solicitation");
                break;
            case 11:
                // RFC 792 p.6
                switch (icmp.Code)
                {
                    case 0:
                        _line.Append("time exceeded in-transit");
                        break;
                    case 1:
                        _line.Append("ip reassembly time exceeded");
                        break;
                    default:
                        _line.Append("time exceeded-#");
                        _line.AppendFormatted(icmp.Code);
                        break;
                }
                break;
            case 12:
                // RFC 792 p.8: code 0 carries a pointer to the octet in error.
                if (icmp.Code != 0)
                {
                    _line.Append("parameter problem - code ");
                    _line.AppendFormatted(icmp.Code);
                }
                else
                {
                    _line.Append("parameter problem - octet ");
                    _line.AppendFormatted(icmp.Parameter & 0xFF);
                }
                break;
            case 13:
            case 14:
                _line.Append(icmp.Type == 13 ? "time stamp query id " : "time stamp reply id ");
                _line.AppendFormatted(icmp.Identifier);
                _line.Append(" seq ");
                _line.AppendFormatted(icmp.Sequence);
                break;
            case 15:
                _line.Append("information request");
                break;
            case 16:
                _line.Append("information reply");
                break;
            case 17:
                _line.Append("address mask request");
                break;
            case 18:
                _line.Append("address mask reply");
                break;
            default:
                _line.Append("type-#");
                _line.AppendFormatted(icmp.Type);
                break;
        }
        _line.Append(", length ");
        _line.AppendFormatted(IcmpLength(p));
        if (cut && !_truncationWritten)
        {
            _line.Append(" [|icmp]");
            _truncationWritten = true;
        }
    }

    /// <summary>
    /// Destination unreachable (RFC 792 p.4, RFC 1122 3.2.2.1, RFC 1812 5.2.7.1): tcpdump names the
    /// destination of the quoted packet, and for port unreachable its protocol and destination port.
    /// Returns true when the quote was too short for what tcpdump would print.
    /// </summary>
    private bool WriteUnreachable(in IcmpInfo icmp)
    {
        ref readonly QuotedPacket quoted = ref icmp.Quoted;
        if (!quoted.Present)
        {
            _line.Append("unreachable - #");
            _line.AppendFormatted(icmp.Code);
            return true;
        }
        switch (icmp.Code)
        {
            case 2:
                _line.AppendFormatted(quoted.Destination);
                _line.Append(" protocol ");
                _line.AppendFormatted(quoted.Protocol);
                _line.Append(" unreachable");
                return false;
            case 3:
                _line.AppendFormatted(quoted.Destination);
                switch (quoted.Protocol)
                {
                    case IpProtocol.Tcp:
                        _line.Append(" tcp port ");
                        break;
                    case IpProtocol.Udp:
                        _line.Append(" udp port ");
                        break;
                    default:
                        _line.Append(" protocol ");
                        _line.AppendFormatted(quoted.Protocol);
                        _line.Append(" port ");
                        break;
                }
                if (!quoted.HasPorts)
                {
                    _line.Append("unreachable");
                    return true;
                }
                _line.AppendFormatted(quoted.DestinationPort);
                _line.Append(" unreachable");
                return false;
            case 4:
                // RFC 1191 4: the next-hop MTU, when the router sent one.
                _line.AppendFormatted(quoted.Destination);
                _line.Append(" unreachable - need to frag");
                if ((icmp.Parameter & 0xFFFF) != 0)
                {
                    _line.Append(" (mtu ");
                    _line.AppendFormatted(icmp.Parameter & 0xFFFF);
                    _line.Append(')');
                }
                return false;
        }

        (string? prefix, string suffix) = icmp.Code switch
        {
            0 => ("net ", " unreachable"),
            1 => ("host ", " unreachable"),
            5 => (null, " unreachable - source route failed"),
            6 => ("net ", " unreachable - unknown"),
            7 => ("host ", " unreachable - unknown"),
            8 => (null, " unreachable - source host isolated"),
            9 => ("net ", " unreachable - admin prohibited"),
            10 => ("host ", " unreachable - admin prohibited"),
            11 => ("net ", " unreachable - tos prohibited"),
            12 => ("host ", " unreachable - tos prohibited"),
            13 => ("host ", " unreachable - admin prohibited filter"),
            14 => ("host ", " unreachable - host precedence violation"),
            15 => ("host ", " unreachable - precedence cutoff"),
            _ => (null, " unreachable - #"),
        };
        if (prefix is not null)
        {
            _line.Append(prefix);
        }
        _line.AppendFormatted(quoted.Destination);
        _line.Append(suffix);
        if (icmp.Code > 15)
        {
            _line.AppendFormatted(icmp.Code);
        }
        return false;
    }

    /// <summary>ICMPv6 as tcpdump's icmp6_print shows it without -v (RFC 4443, RFC 4861).</summary>
    private void WriteIcmp6(DecodedPacket p)
    {
        ref readonly IcmpInfo icmp = ref p.Icmp;
        ref readonly QuotedPacket quoted = ref icmp.Quoted;
        bool cut = false;
        _line.Append("ICMP6, ");
        switch (icmp.Type)
        {
            case 1:
                // RFC 4443 3.1. tcpdump's name for code 1 really starts with a space.
                _line.Append("destination unreachable, ");
                _line.Append(icmp.Code switch
                {
                    0 => "unreachable route",
                    1 => " unreachable prohibited",
                    2 => "beyond scope",
                    3 => "unreachable address",
                    4 => "unreachable port",
                    _ => string.Empty,
                });
                if (icmp.Code > 4)
                {
                    _line.Append("unknown unreach code (");
                    _line.AppendFormatted(icmp.Code);
                    _line.Append(')');
                    break;
                }
                if (!quoted.Present)
                {
                    cut = true;
                    break;
                }
                switch (icmp.Code)
                {
                    case 2:
                        _line.Append(' ');
                        _line.AppendFormatted(quoted.Destination);
                        _line.Append(", source address ");
                        _line.AppendFormatted(quoted.Source);
                        break;
                    case 4:
                        if (!quoted.HasPorts)
                        {
                            cut = true;
                            break;
                        }
                        _line.Append(", ");
                        _line.AppendFormatted(quoted.Destination);
                        switch (quoted.Protocol)
                        {
                            case IpProtocol.Tcp:
                                _line.Append(" tcp port ");
                                _line.AppendFormatted(quoted.DestinationPort);
                                break;
                            case IpProtocol.Udp:
                                _line.Append(" udp port ");
                                _line.AppendFormatted(quoted.DestinationPort);
                                break;
                            default:
                                _line.Append(" protocol ");
                                _line.AppendFormatted(quoted.Protocol);
                                _line.Append(" port ");
                                _line.AppendFormatted(quoted.DestinationPort);
                                _line.Append(" unreachable");
                                break;
                        }
                        break;
                    default:
                        _line.Append(' ');
                        _line.AppendFormatted(quoted.Destination);
                        break;
                }
                break;
            case 2:
                // RFC 4443 3.2
                _line.Append("packet too big, mtu ");
                _line.AppendFormatted(icmp.Parameter);
                break;
            case 3:
                // RFC 4443 3.3
                _line.Append("time exceeded in-transit");
                switch (icmp.Code)
                {
                    case 0:
                        if (quoted.Present)
                        {
                            _line.Append(" for ");
                            _line.AppendFormatted(quoted.Destination);
                        }
                        else
                        {
                            cut = true;
                        }
                        break;
                    case 1:
                        _line.Append(" (reassembly)");
                        break;
                    default:
                        _line.Append(", unknown code (");
                        _line.AppendFormatted(icmp.Code);
                        _line.Append(')');
                        break;
                }
                break;
            case 4:
                // RFC 4443 3.4, RFC 7112 for code 3.
                _line.Append("parameter problem");
                string? problem = icmp.Code switch
                {
                    0 => ", erroneous - octet ",
                    1 => ", next header - octet ",
                    2 => ", option - octet ",
                    3 => ", incomplete header chain - octet ",
                    _ => null,
                };
                if (problem is null)
                {
                    _line.Append(", code-#");
                    _line.AppendFormatted(icmp.Code);
                }
                else
                {
                    _line.Append(problem);
                    _line.AppendFormatted(icmp.Parameter);
                }
                break;
            case 128:
            case 129:
                // RFC 4443 4.1, 4.2
                _line.Append(icmp.Type == 128 ? "echo request, id " : "echo reply, id ");
                _line.AppendFormatted(icmp.Identifier);
                _line.Append(", seq ");
                _line.AppendFormatted(icmp.Sequence);
                break;
            case 135:
                // RFC 4861 4.3
                _line.Append("neighbor solicitation, who has ");
                _line.AppendFormatted(icmp.Gateway);
                break;
            case 136:
                // RFC 4861 4.4
                _line.Append("neighbor advertisement, tgt is ");
                _line.AppendFormatted(icmp.Gateway);
                break;
            case 137:
                // RFC 4861 4.5: tcpdump prints the destination, then the target; only the target is kept,
                // and the destination is shown only when the decoder filled the quoted packet.
                _line.Append("redirect");
                if (quoted.Present)
                {
                    _line.Append(", ");
                    _line.AppendFormatted(quoted.Destination);
                }
                _line.Append(" to ");
                _line.AppendFormatted(icmp.Gateway);
                break;
            default:
                _line.Append(Icmp6TypeName(icmp.Type));
                break;
        }
        _line.Append(", length ");
        _line.AppendFormatted(IcmpLength(p));
        if (cut && !_truncationWritten)
        {
            _line.Append(" [|icmp6]");
            _truncationWritten = true;
        }
    }

    /// <summary>ICMPv6 type names as tcpdump's icmp6_type_values spells them.</summary>
    private static string Icmp6TypeName(byte type) => type switch
    {
        130 => "multicast listener query",
        131 => "multicast listener report",
        132 => "multicast listener done",
        133 => "router solicitation",
        134 => "router advertisement",
        138 => "router renumbering",
        139 => "node information query",
        140 => "node information reply",
        141 => "inverse neighbor solicitation",
        142 => "inverse neighbor advertisement",
        143 => "multicast listener report v2",
        144 => "ha discovery request",
        145 => "ha discovery reply",
        146 => "mobile router solicitation",
        147 => "mobile router advertisement",
        155 => "RPL",
        200 => "mtrace response",
        201 => "mtrace message",
        _ => UnknownIcmp6Type(type),
    };

    private static readonly string[] UnknownIcmp6TypeNames = BuildUnknownIcmp6TypeNames();

    private static string UnknownIcmp6Type(byte type) => UnknownIcmp6TypeNames[type];

    private static string[] BuildUnknownIcmp6TypeNames()
    {
        var names = new string[256];
        for (int i = 0; i < names.Length; i++)
        {
            names[i] = "unknown icmp6 type (" + i.ToString(System.Globalization.CultureInfo.InvariantCulture) + ")";
        }
        return names;
    }

    /// <summary>The ICMP message length tcpdump prints: the model's claimed payload length, else the IP payload length.</summary>
    private static int IcmpLength(DecodedPacket p) =>
        p.PayloadClaimedLength > 0 ? p.PayloadClaimedLength : Math.Max(0, p.Ip.TotalLength - p.Ip.HeaderLength);
}
