using System.Runtime.InteropServices;
using NetTriage.Packets;

namespace NetTriage.Analysis.Tracking;

/// <summary>
/// The addresses each name resolved to in the capture, with the TTLs the answers gave: what the history store keeps
/// so that a later capture can say a name's answer changed (a new address, a TTL raised), the sign of a move, a
/// failover or a redirection. One entry per (name, address), fed by answers without error; at most
/// <see cref="MaxPairs"/>, past which new pairs are not kept (and <see cref="Capped"/> says so).
/// </summary>
internal sealed class DnsAnswers
{
    /// <summary>Pairs kept at most (about 100 bytes each): far more names than a capture of ordinary traffic resolves.</summary>
    internal const int MaxPairs = 10_000;

    private readonly Dictionary<(string Name, IpAddr Address), Entry> _pairs = [];

    public bool Capped { get; private set; }

    private sealed class Entry
    {
        public uint MinTtl = uint.MaxValue, MaxTtl;
        public long Answers;
    }

    /// <summary>An answer record of <paramref name="name"/> gave <paramref name="address"/> with <paramref name="ttl"/>.</summary>
    public void Add(string name, IpAddr address, uint ttl)
    {
        ref var entry = ref CollectionsMarshal.GetValueRefOrAddDefault(_pairs, (name, address), out bool exists);
        if (!exists)
        {
            if (_pairs.Count > MaxPairs)
            {
                _pairs.Remove((name, address));
                Capped = true;
                return;
            }
            entry = new Entry();
        }
        entry!.Answers++;
        if (ttl < entry.MinTtl) entry.MinTtl = ttl;
        if (ttl > entry.MaxTtl) entry.MaxTtl = ttl;
    }

    public List<DnsAnswerSeen> ToList() =>
        _pairs.OrderBy(p => p.Key.Name, StringComparer.Ordinal).ThenBy(p => p.Key.Address)
            .Select(p => new DnsAnswerSeen(Describe(p.Key.Name), p.Key.Address.ToString(), p.Value.MinTtl, p.Value.MaxTtl, p.Value.Answers)).ToList();

    /// <summary>Names as the report writes them: lower case, without the root's dot.</summary>
    private static string Describe(string name) => (name.Length > 1 && name[^1] == '.' ? name[..^1] : name).ToLowerInvariant();
}
