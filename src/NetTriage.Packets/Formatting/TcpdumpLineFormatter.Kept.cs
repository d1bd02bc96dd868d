using System.Globalization;
using System.Text;
using NetTriage.Packets.Dns;

namespace NetTriage.Packets.Formatting;

public sealed partial class TcpdumpLineFormatter
{
    /// <summary>
    /// The <c>tcpdump -n</c> line of a DNS query from the fields an analysis keeps of it once the packet is gone
    /// (the query of a transaction that later failed): the same line <see cref="Write"/> makes of the packet, but
    /// for the question's name, written as kept.
    /// </summary>
    public static string DnsQueryLine(bool v6, IpAddr client, ushort clientPort, IpAddr server, ushort serverPort, bool overTcp,
        ushort id, bool recursionDesired, ushort type, string name, int messageLength, int opcode = 0)
    {
        var sb = new StringBuilder();
        sb.Append(v6 ? "IP6 " : "IP ");
        sb.Append(client.ToString()).Append('.').Append(clientPort.ToString(CultureInfo.InvariantCulture));
        sb.Append(" > ").Append(server.ToString()).Append('.').Append(serverPort.ToString(CultureInfo.InvariantCulture)).Append(": ");
        if (overTcp) sb.Append("Flags [P.], ");
        sb.Append(id.ToString(CultureInfo.InvariantCulture));
        // The opcode as print-domain.c's ns_ops names it, between the id and the flags (a query's is empty).
        sb.Append(opcode switch
        {
            0 => "",
            1 => " inv_q",
            2 => " stat",
            4 => " notify",
            5 => " update",
            _ => " op" + opcode.ToString(CultureInfo.InvariantCulture),
        });
        if (recursionDesired) sb.Append('+');
        sb.Append(' ').Append(TypeText(type)).Append("? ").Append(name);
        sb.Append(" (").Append(messageLength.ToString(CultureInfo.InvariantCulture)).Append(')');
        return sb.ToString();
    }

    /// <summary>The <c>tcpdump -n</c> line of a connection's first SYN (no options kept), from the fields an analysis keeps of it.</summary>
    public static string SynLine(bool v6, IpAddr client, ushort clientPort, IpAddr server, ushort serverPort, uint sequence, ushort window) =>
        string.Create(CultureInfo.InvariantCulture,
            $"{(v6 ? "IP6" : "IP")} {client}.{clientPort} > {server}.{serverPort}: Flags [S], seq {sequence}, win {window}, length 0");

    /// <summary>A query type as tcpdump names it ("A", "AAAA"), or "TYPE" and its number (RFC 3597 5).</summary>
    public static string TypeText(ushort type) =>
        DnsNames.TypeName(type) ?? "TYPE" + type.ToString(CultureInfo.InvariantCulture);
}
