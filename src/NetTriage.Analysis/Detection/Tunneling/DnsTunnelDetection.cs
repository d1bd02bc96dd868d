using System.Runtime.CompilerServices;
using NetTriage.Analysis.Detection.Activity;
using NetTriage.Analysis.Detection.Failures;
using NetTriage.Analysis.Detection.Scans;
using NetTriage.Analysis.Text;
using NetTriage.Analysis.Tracking;
using NetTriage.Packets;
using NetTriage.Packets.Dns;
using static NetTriage.Analysis.Diagnosis.CauseText;

namespace NetTriage.Analysis.Detection.Tunneling;

/// <summary>
/// DNS tunnels (iodine, dnscat2, dns2tcp, and exfiltration scripts): data written into the names of queries under
/// one domain whose authoritative server is the other end, and read back from the answers (NULL, TXT, CNAME, MX).
/// Resolvers pass them on, so the channel crosses firewalls that allow nothing else. What gives it away is the
/// names: many distinct ones under one registered domain, each a long run of encoded data (base32, base64, hex, or
/// raw bytes), where everyday names are words, a few digits, and repeat.
/// </summary>
internal sealed class DnsTunnelDetection : ActivityDetector
{
    public static readonly ActivityKindRow[] Kinds =
    [
        new() { Kind = FindingKind.DnsTunneling, Name = "dns-tunneling", Layer = Layer.Application },
    ];

    /// <summary>
    /// Distinct encoded names under one domain. A browser visiting a site asks for a few dozen names, all of them
    /// words; a tunnel writes a new name for every message (iodine sends hundreds a minute while idle-polling).
    /// Zeek's and RITA's tunnel checks count unique subdomains the same way; 50 is a few seconds of any tunnel's
    /// transfer and more encoded names than the busy healthy captures hold under any domain.
    /// </summary>
    internal const int MinEncodedNames = 50;
    /// <summary>
    /// Characters of data (the labels left of the registered domain, dots left out) before a name can be called
    /// encoded: a tunnel fills labels to carry the most per query (iodine 100 and more, dnscat2 up to 250), while
    /// everyday hosts' names below their domain are short ("www", "mail-eu-1", "e1234.a").
    /// </summary>
    internal const int MinEncodedLength = 20;

    private const int MaxDomains = 4096;
    /// <summary>Distinct encoded names remembered per domain: far past the threshold, so a tunnel is never missed, and bounded.</summary>
    private const int MaxNamesPerDomain = 1024;
    private const int MaxPeers = 16;
    private const int EvidenceKept = 8;
    private const int MaxLabels = 128;

    private readonly Dictionary<ulong, Domain> _domains = [];
    private readonly EvidenceLines _lines = new();
    private bool _capped;

    private sealed class Domain(string name, PacketTimestamp first)
    {
        public readonly string Name = name;
        public long Queries, Encoded, Answers, Failures, BytesOut, BytesIn;
        public readonly HashSet<ulong> Names = [];
        public bool NamesCapped;
        /// <summary>Queries by type: A, AAAA, TXT, NULL, CNAME, MX, and the rest (from the domain's first encoded name on).</summary>
        public readonly long[] Types = new long[TypeNames.Length];
        public readonly BoundedSet<IpAddr> Clients = new(MaxPeers);
        public readonly BoundedSet<IpAddr> Servers = new(MaxPeers);
        public int TcpQueries;
        public PacketTimestamp First = first, Last = first, FirstEncoded;
        public readonly ActivityEvidence Evidence = new(EvidenceKept);
    }

    private static readonly string[] TypeNames = ["A", "AAAA", "TXT", "NULL", "CNAME", "MX", "other"];

    private static int TypeIndex(ushort type) => type switch
    {
        DnsType.A => 0,
        DnsType.AAAA => 1,
        DnsType.TXT => 2,
        10 => 3, // NULL (RFC 1035 3.3.10): iodine's favourite, since it carries any bytes
        DnsType.CNAME => 4,
        DnsType.MX => 5,
        _ => 6,
    };

    public override PacketLayers Reads => PacketLayers.Dns;

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public override void Observe(DecodedPacket p, int input)
    {
        if (!p.Has(PacketLayers.Dns) || p.Dns.Opcode != 0 || p.Dns.StoredQuestions == 0) return;
        bool response = p.Dns.IsResponse;
        // Unicast DNS only: mDNS and LLMNR names are local service names, not a path out.
        if ((response ? p.SourcePort : p.DestinationPort) != DnsPorts.Dns) return;
        var name = p.Text.GetSpan(p.Dns.Questions[0].Name);
        // Most names are short, and answers matter only to domains already followed: nothing to parse then.
        if (_domains.Count == 0 && (response || name.Length < MinEncodedLength + 4)) return;
        Span<int> dots = stackalloc int[MaxLabels];
        int labels = Labels(name, dots);
        if (labels < 2) return;
        int registered = RegisteredDomainStart(name, dots, labels, out int domainLabels);
        if (IsLocalOrReverse(name[registered..])) return;
        ulong key = Hash(name[registered..]);
        int characters = 0;
        if (!_domains.TryGetValue(key, out var d))
        {
            // A domain is followed from its first encoded name on: everyday domains cost no state at all.
            if (response || labels <= domainLabels || !LooksEncoded(name[..Math.Max(0, registered - 1)], out characters)) return;
            if (_domains.Count >= MaxDomains && !Prune()) { _capped = true; return; }
            d = new Domain(System.Text.Encoding.ASCII.GetString(name[registered..]).ToLowerInvariant(), p.Timestamp);
            _domains[key] = d;
        }
        d.Last = CaptureClock.Later(d.Last, p.Timestamp);
        if (response)
        {
            d.Answers++;
            if (p.Dns.Rcode != 0) d.Failures++;
            foreach (ref readonly var r in p.Dns.StoredRecordSpan)
            {
                if (r.Section == DnsSection.Answer) d.BytesIn += r.DataLength;
            }
            return;
        }
        d.Queries++;
        d.Types[TypeIndex(p.Dns.Questions[0].Type)]++;
        if (p.Dns.OverTcp) d.TcpQueries++;
        d.Clients.Add(p.Ip.Source);
        d.Servers.Add(p.Ip.Destination);
        if (labels <= domainLabels) return;
        var data = name[..Math.Max(0, registered - 1)]; // the labels left of the domain, without the dot between
        if (characters == 0 && !LooksEncoded(data, out characters)) return;
        d.BytesOut += characters;
        if (d.Encoded++ == 0) d.FirstEncoded = p.Timestamp;
        if (d.Names.Count < MaxNamesPerDomain) d.Names.Add(Hash(name));
        else d.NamesCapped = true;
        d.Evidence.Add(_lines, p, input, "query with an encoded name");
    }

    /// <summary>Splits a presentation-form name at its unescaped dots: the start of each label, and how many labels.</summary>
    internal static int Labels(ReadOnlySpan<byte> name, Span<int> starts)
    {
        int n = 0;
        int start = 0;
        for (int i = 0; i < name.Length; i++)
        {
            if (name[i] == (byte)'\\') { i += i + 1 < name.Length && IsDigit(name[i + 1]) ? 3 : 1; continue; }
            if (name[i] != (byte)'.') continue;
            if (i > start && n < starts.Length) starts[n++] = start;
            start = i + 1;
        }
        if (start < name.Length && n < starts.Length) starts[n++] = start;
        return n;
    }

    /// <summary>
    /// Where the registered domain begins: the last two labels, or three under a two-letter country code whose second
    /// level is a short category (co.uk, com.au, ne.jp). A heuristic without the public suffix list: a tunnel under a
    /// longer suffix is still counted, only under a wider name.
    /// </summary>
    internal static int RegisteredDomainStart(ReadOnlySpan<byte> name, ReadOnlySpan<int> starts, int labels, out int domainLabels)
    {
        int tld = starts[labels - 1];
        int tldLength = name.Length - tld - (name[^1] == (byte)'.' ? 1 : 0);
        int sldLength = tld - 1 - starts[labels - 2];
        domainLabels = labels >= 3 && tldLength == 2 && sldLength <= 3 ? 3 : 2;
        return starts[labels - domainLabels];
    }

    private static bool IsLocalOrReverse(ReadOnlySpan<byte> domain)
    {
        if (domain.Length > 0 && domain[^1] == (byte)'.') domain = domain[..^1];
        return EndsWith(domain, "arpa"u8) || EndsWith(domain, "local"u8);
    }

    private static bool EndsWith(ReadOnlySpan<byte> name, ReadOnlySpan<byte> suffix) =>
        name.Length >= suffix.Length && System.Text.Ascii.EqualsIgnoreCase(name[^suffix.Length..], suffix)
        && (name.Length == suffix.Length || name[^(suffix.Length + 1)] == (byte)'.');

    /// <summary>
    /// Whether the labels left of the domain read as encoded data rather than a host's name. Data has at least
    /// <see cref="MinEncodedLength"/> characters and either (a) a tenth or more of them outside a hostname's letters,
    /// digits and hyphen (raw bytes, as iodine's base128 sends, or base64's symbols), or (b) few vowels (under a
    /// quarter of the letters and digits: base32 has 5 in 32 symbols, hex 2 in 16, words about 40%) with letters and
    /// digits alternating inside runs (a tenth of the characters or more: base32 and hex switch at about a third of
    /// them; hostnames keep digits together, as in "web01" or "ec2-54-12-3-4"). Long hyphenated names of words
    /// ("mail-server-eu-west-frontend") fail (b) on their vowels.
    /// </summary>
    internal static bool LooksEncoded(ReadOnlySpan<byte> data, out int characters)
    {
        int n = 0, notHost = 0, alnum = 0, vowels = 0, switches = 0;
        int previous = 0; // 1 letter, 2 digit, 0 neither
        for (int i = 0; i < data.Length; i++)
        {
            byte b = data[i];
            int kind = 0;
            if (b == (byte)'.') { previous = 0; continue; }
            n++;
            if (b == (byte)'\\')
            {
                notHost++;
                i += i + 1 < data.Length && IsDigit(data[i + 1]) ? 3 : 1;
            }
            else if (IsDigit(b))
            {
                kind = 2;
                alnum++;
            }
            else if ((uint)((b | 0x20) - 'a') <= 'z' - 'a')
            {
                kind = 1;
                alnum++;
                if ((b | 0x20) is (byte)'a' or (byte)'e' or (byte)'i' or (byte)'o' or (byte)'u') vowels++;
            }
            else if (b != (byte)'-')
            {
                notHost++;
            }
            if (kind != 0 && previous != 0 && kind != previous) switches++;
            previous = kind;
        }
        characters = n;
        if (n < MinEncodedLength) return false;
        if (notHost * 10 >= n) return true;
        return alnum > 0 && vowels * 4 < alnum && switches * 10 >= n;
    }

    private static bool IsDigit(byte b) => (uint)(b - '0') <= 9;

    /// <summary>FNV-1a over the name, case folded (DNS names compare without case, RFC 4343).</summary>
    internal static ulong Hash(ReadOnlySpan<byte> name)
    {
        ulong h = 14695981039346656037UL;
        foreach (byte b in name)
        {
            h ^= (byte)(b is >= (byte)'A' and <= (byte)'Z' ? b | 0x20 : b);
            h *= 1099511628211UL;
        }
        return h;
    }

    /// <summary>
    /// Drops the domains with fewer than a tenth of the threshold's encoded names (a stray hash lookup); false when that
    /// frees little, and from then on, so that a full table is not scanned again at every new domain.
    /// </summary>
    private bool Prune()
    {
        if (_capped) return false;
        int before = _domains.Count;
        foreach (var (key, d) in _domains)
        {
            if (d.Names.Count < MinEncodedNames / 10) _domains.Remove(key);
        }
        if (before - _domains.Count < MaxDomains / 4) _capped = true;
        return _domains.Count < MaxDomains;
    }

    public override void Finish(TrafficView traffic, List<DetectedActivity> found)
    {
        foreach (var d in _domains.Values)
        {
            if (d.Names.Count < MinEncodedNames) continue;
            found.Add(Build(d, _capped));
        }
    }

    private static DetectedActivity Build(Domain d, bool capped)
    {
        var clients = d.Clients.Order().ToList();
        var servers = d.Servers.Order().ToList();
        string domain = d.Name.TrimEnd('.');
        var types = Enumerable.Range(0, TypeNames.Length).Where(i => d.Types[i] > 0).OrderByDescending(i => d.Types[i])
            .Select(i => $"{TypeNames[i]} {d.Types[i]}").ToList();
        string names = (d.NamesCapped ? "at least " : "") + Describe.Count(d.Names.Count, "distinct encoded name");
        var facts = new AttackFacts
        {
            Technique = "dns-" + TypeNames[Array.IndexOf(d.Types, d.Types.Max())].ToLowerInvariant(),
            Packets = d.Queries + d.Answers,
            Sources = clients.Count,
            Targets = servers.Count,
            RatePerSecond = ScanDetection.Rate(d.Queries, d.First, d.Last),
            BytesOut = d.BytesOut,
            BytesIn = d.BytesIn,
            Domain = domain,
            EncodedNames = d.Names.Count,
            QueryTypes = types,
            Capped = capped || d.NamesCapped,
        };
        string who = clients.Count == 1 ? clients[0].ToString() : Describe.Count(clients.Count, "host");
        string via = servers.Count == 1 ? servers[0].ToString() : Describe.Count(servers.Count, "server");
        double share = d.Queries > 0 ? Math.Round(d.Encoded / (double)d.Queries, 3) : 0;
        var activity = new DetectedActivity
        {
            Kind = FindingKind.DnsTunneling,
            Layer = Layer.Application,
            Severity = Severity.High,
            Protocol = "DNS",
            Transport = d.TcpQueries * 2 > d.Queries ? "TCP" : "UDP",
            Port = DnsPorts.Dns,
            Targets = servers,
            Actors = clients,
            First = d.First,
            Last = d.Last,
            Attempts = d.Queries,
            Failed = d.Failures,
            Facts = facts,
            Evidence = d.Evidence.Packets,
            EvidenceTotal = d.Evidence.Total,
            Absorbs = g => g.Key.Port == DnsPorts.Dns && Under(g, domain),
            FindingTitle = _ => $"{who} asked {via} for {names} under {domain}: {Describe.Bytes(d.BytesOut)} written into names, {Describe.Bytes(d.BytesIn)} of answers back",
            IncidentTitle = _ => $"DNS tunnel through {domain} from {who}",
            Summary = a => $"{who} sent {Describe.Count(d.Queries, "query", "queries")} for names under {domain} to {via} {Describe.Window(a.First, a.Last)} (counted from the first encoded name); {Describe.Percent(share)} of them carry a long encoded name ({names}, {Describe.Bytes(d.BytesOut)} of data), where everyday names are words and repeat. Query types: {string.Join(", ", types)}; {Describe.Bytes(d.BytesIn)} came back in {Describe.Count(d.Answers, "answer")}. A data channel through DNS to whoever runs {domain}'s name server.",
            Causes = _ =>
            [
                Make("dns-tunnel", $"A DNS tunnel (iodine, dnscat2, dns2tcp) or exfiltration tool on {who} carries data through {domain}'s name server", 0.75,
                    [
                        $"{names} under {domain}, each of {MinEncodedLength} characters or more with the letter and digit mix of base32, base64 or hex, or raw bytes.",
                        $"{Describe.Bytes(d.BytesOut + d.BytesIn)} moved through names and answers; the query types are {string.Join(", ", types)}.",
                    ],
                    ["Security products (anti-virus and mail reputation services) look up hashes as names under their own domains; they do so from many hosts, and the domain is theirs."],
                    [
                        Phrase.Of($"Look up who owns {domain} and where its name servers are (`whois {domain}`, `dig NS {domain}`)."),
                        Phrase.Of($"Find the process on {who} that sends the queries, then block {domain} at the resolver."),
                        "Let clients use only the internal resolvers, and alert on query names longer than 50 characters.",
                    ]),
                Make("reputation-lookups", $"A security product on {who} looks up hashes under {domain}", 0.2,
                    [$"Reputation services encode hashes as names much as a tunnel encodes data; {domain} would then be a known vendor's domain."],
                    [$"{Describe.Bytes(d.BytesOut)} in names is more than hash lookups send unless many files or mails are checked."],
                    [Phrase.Of($"Check whether {domain} belongs to the vendor of a product installed on {who}.")]),
            ],
        };
        activity.Moments.Add((d.FirstEncoded, Phrase.Of($"First query with an encoded name under {domain}.")));
        return activity;
    }

    /// <summary>Whether every name of a DNS failure group is the tunnel's domain or under it.</summary>
    private static bool Under(FailureGroup g, string domain)
    {
        if (g.Dns.Count == 0 && g.UnkeptNameSample.Count == 0) return false;
        return g.Dns.TrueForAll(a => IsUnder(a.QName, domain)) && g.UnkeptNameSample.TrueForAll(n => IsUnder(n, domain));
    }

    private static bool IsUnder(string name, string domain)
    {
        var n = name.AsSpan().TrimEnd('.');
        return n.EndsWith(domain, StringComparison.OrdinalIgnoreCase)
            && (n.Length == domain.Length || n[n.Length - domain.Length - 1] == '.');
    }
}
