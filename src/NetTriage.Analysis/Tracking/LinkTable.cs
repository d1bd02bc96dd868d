using System.Runtime.CompilerServices;
using NetTriage.Packets;

namespace NetTriage.Analysis.Tracking;

/// <summary>
/// The first hop of the IP traffic, at the link layer: for each unicast hardware address, the IP packets framed to
/// it and from it, the IP addresses it claimed in ARP, and which source addresses its packets carried. A gateway is
/// the hardware address that packets for many IP destinations are framed to; a gateway that forwards nothing sends
/// no packet from an address other than its own, which is what a dead or wrong default gateway looks like from a
/// client (RFC 1122 3.3.1.1: a host sends every off-link datagram to its gateway's hardware address).
/// <para>
/// Bounded: <see cref="MaxHops"/> hardware addresses (a capture on one segment has a handful), each with
/// <see cref="SourcesKept"/> source addresses told apart and the rest counted.
/// </para>
/// </summary>
internal sealed class LinkTable
{
    internal const int MaxHops = 4096;
    internal const int SourcesKept = 4;
    internal const int ClaimsKept = 2;

    internal sealed class Hop(MacAddress mac)
    {
        public MacAddress Mac { get; } = mac;
        /// <summary>IP packets framed to this hardware address.</summary>
        public long To;
        /// <summary>
        /// Of those, TCP segments with ACK and without SYN: a client sends them only after something came back (a
        /// SYN-ACK, data). A capture of one direction shows them although no answer is in it; a dead gateway never
        /// draws them from a client that started after it died.
        /// </summary>
        public long AcksTo;
        /// <summary>IP packets framed from this hardware address, by IP source (the first ones; the others counted together).</summary>
        public long From;
        public readonly IpAddr[] Sources = new IpAddr[SourcesKept];
        public readonly long[] SourcePackets = new long[SourcesKept];
        public int SourceCount;
        public long OtherSourcePackets;
        /// <summary>IP addresses this hardware address claimed as ARP sender (requests or replies), the first ones.</summary>
        public readonly IpAddr[] Claims = new IpAddr[ClaimsKept];
        public int ClaimCount;
        /// <summary>The first ARP packet that claimed an address for it, as evidence.</summary>
        public PacketRef? FirstClaim;
        public PacketLine FirstClaimLine;

        public bool Claimed(IpAddr ip)
        {
            for (int i = 0; i < ClaimCount; i++) if (Claims[i] == ip) return true;
            return false;
        }

        /// <summary>
        /// IP packets it sent whose source is not an address it claimed in ARP: packets it forwarded from elsewhere. When
        /// it claimed none in the capture every packet counts: its own address cannot be told from a forwarded one.
        /// </summary>
        public long Forwarded
        {
            get
            {
                long n = OtherSourcePackets;
                for (int i = 0; i < SourceCount; i++) if (!Claimed(Sources[i])) n += SourcePackets[i];
                return n;
            }
        }
    }

    private readonly Dictionary<MacAddress, Hop> _hops = [];
    /// <summary>The IP packets without a link layer (tcpdump's text without -e, Linux cooked or raw IP captures).</summary>
    private readonly Hop _noLink = new(default);
    /// <summary>
    /// A direct-mapped cache of hops by hardware address, in front of the table: a capture at a host or a gateway
    /// frames most packets to or from a handful of addresses, which then cost no table lookup.
    /// </summary>
    private readonly Hop?[] _recent = new Hop?[1 << RecentBits];
    private const int RecentBits = 9;

    public bool Capped { get; private set; }

    public IReadOnlyDictionary<MacAddress, Hop> Hops => _hops;

    /// <summary>The hop of <paramref name="mac"/>; zero is the packets without a link layer (they count To and AcksTo only).</summary>
    public Hop? Of(MacAddress mac) => mac.Value == 0 ? _noLink : _hops.GetValueOrDefault(mac);

    /// <summary>An IPv4, IPv6 or ARP packet; its hardware addresses are zero without Ethernet.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Observe(DecodedPacket p, int input, EvidenceLines lines)
    {
        if (p.Has(PacketLayers.Arp))
        {
            ref readonly var arp = ref p.Arp;
            // RFC 5227 probes (sender 0.0.0.0) claim nothing; tcpdump's text of a request carries no hardware address.
            if (arp.SenderMac.Value == 0 || IsGroup(arp.SenderMac) || arp.SenderIp.IsV4 && arp.SenderIp.V4Value == 0) return;
            if (HopOf(arp.SenderMac) is not { } claimer || claimer.Claimed(arp.SenderIp)) return;
            if (claimer.ClaimCount < ClaimsKept) claimer.Claims[claimer.ClaimCount++] = arp.SenderIp;
            if (claimer.FirstClaim is null)
            {
                claimer.FirstClaim = PacketRef.Of(p, input);
                claimer.FirstClaimLine = lines.Of(p);
            }
            return;
        }
        var to = p.DestinationMac;
        if (!IsGroup(to))
        {
            var hop = to.Value == 0 ? _noLink : Find(to);
            if (hop is not null)
            {
                hop.To++;
                if (p.Has(PacketLayers.Tcp) && (p.Tcp.Flags & (TcpFlags.Ack | TcpFlags.Syn)) == TcpFlags.Ack) hop.AcksTo++;
            }
        }
        var from = p.SourceMac;
        if (from.Value != 0 && !IsGroup(from))
        {
            var hop = Find(from);
            if (hop is not null)
            {
                hop.From++;
                AddSource(hop, p.Ip.Source);
            }
        }
    }

    /// <summary>The group bit (the least significant bit of the first octet): broadcast and multicast frames.</summary>
    private static bool IsGroup(MacAddress mac) => (mac.Value & (1UL << 40)) != 0;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private Hop? Find(MacAddress mac)
    {
        int slot = (int)((mac.Value * 0x9E37_79B9_7F4A_7C15UL) >> (64 - RecentBits));
        var hop = _recent[slot];
        if (hop is not null && hop.Mac.Value == mac.Value) return hop;
        hop = HopOf(mac);
        if (hop is not null) _recent[slot] = hop;
        return hop;
    }

    private Hop? HopOf(MacAddress mac)
    {
        if (_hops.TryGetValue(mac, out var hop)) return hop;
        if (_hops.Count >= MaxHops)
        {
            Capped = true;
            return null;
        }
        hop = new Hop(mac);
        _hops[mac] = hop;
        return hop;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void AddSource(Hop hop, IpAddr ip)
    {
        // Most hardware addresses send from one address: the first is checked before the loop.
        if (hop.SourceCount > 0 && hop.Sources[0] == ip)
        {
            hop.SourcePackets[0]++;
            return;
        }
        AddOtherSource(hop, ip);
    }

    private static void AddOtherSource(Hop hop, IpAddr ip)
    {
        for (int i = 1; i < hop.SourceCount; i++)
        {
            if (hop.Sources[i] == ip)
            {
                hop.SourcePackets[i]++;
                return;
            }
        }
        if (hop.SourceCount < SourcesKept)
        {
            hop.Sources[hop.SourceCount] = ip;
            hop.SourcePackets[hop.SourceCount++] = 1;
        }
        else
        {
            hop.OtherSourcePackets++;
        }
    }
}
