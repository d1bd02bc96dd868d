using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using NetTriage.Analysis.Detection.Activity;
using NetTriage.Analysis.Detection.Tunneling;
using NetTriage.Analysis.Text;
using NetTriage.Analysis.Tracking;
using NetTriage.Packets;
using NetTriage.Packets.Dns;
using static NetTriage.Analysis.Diagnosis.CauseText;

namespace NetTriage.Analysis.Detection.Spoofing;

/// <summary>
/// Forged and rewritten DNS answers. A client takes the first answer that matches its query's ports, id and
/// question (RFC 5452 9.1), so whoever answers first decides where the user goes:
/// <list type="bullet">
/// <item><c>dns-spoofing</c>: one query answered twice, differently (dnsspoof, ettercap's dns_spoof, a Kaminsky-style
/// race: the forger copies the id it sniffed and the real server's answer follows), or answered from an address the
/// client never asked.</item>
/// <item><c>dns-hijack</c>: one server answering names of unrelated domains with one address and a short TTL, as
/// resolvers that turn "no such name" into an advertising or search page do (or an attacker controlling the
/// resolver); stronger still when the same names get "no such name" from elsewhere in the capture.</item>
/// </list>
/// </summary>
internal sealed class DnsSpoofingDetection : ActivityDetector
{
    public static readonly ActivityKindRow[] Kinds =
    [
        new() { Kind = FindingKind.DnsSpoofing, Name = "dns-spoofing", Layer = Layer.Application },
        new() { Kind = FindingKind.DnsHijack, Name = "dns-hijack", Layer = Layer.Application },
    ];

    /// <summary>
    /// Queries answered twice with different answers (a different rcode, or address sets with nothing in common), or
    /// answered from an address not asked. One is enough: a server answers a transmission once, and an answer to a
    /// retransmission is told apart by the query sent again between the two. Round-robin and CDN answers that
    /// change between transmissions are never compared.
    /// </summary>
    internal const int MinConflicts = 1;
    /// <summary>
    /// Unrelated registered domains answered with one single address by one server. Redirecting resolvers answer every
    /// mistyped or unknown name with their page's address; five unrelated domains on one address with a short TTL and
    /// nothing else in the answer is what they do, and what shared hosting behind a CNAME does not.
    /// </summary>
    internal const int MinUnrelatedDomains = 5;
    /// <summary>
    /// The longest TTL of a redirection's answers: redirecting resolvers answer with 0 to 60 s so that a name that comes
    /// to exist is not hidden for long; real sites' apex records are cached for minutes to days.
    /// </summary>
    internal const uint MaxRedirectTtl = 60;
    /// <summary>A second answer this long after the first is an answer to something else (a retry the capture missed).</summary>
    internal static readonly long RaceWindow = 2 * PacketTimestamp.NanosPerSecond;

    private const int MaxExchanges = 16_384;
    private const int MaxVictims = 1024;
    private const int MaxRedirects = 4096;
    private const int MaxNxNames = 16_384;
    private const int DomainsKept = 64;
    private const int ExamplesKept = 6;
    private const int EvidenceKept = 8;

    private readonly record struct Exchange(IpAddr Client, ushort ClientPort, ushort Id, ulong Question)
    {
        public bool Equals(Exchange other) => Question == other.Question && Id == other.Id && ClientPort == other.ClientPort && Client == other.Client;
        public override int GetHashCode() => KeyHash.Finish(KeyHash.Of(Client) * 31 + ((uint)ClientPort << 16 | Id) + (uint)Question + (uint)(Question >> 32) * 17);
    }

    /// <summary>An exchange's answers from one server address: answers from two servers asked in turn are not compared.</summary>
    private readonly record struct Answered(Exchange Exchange, IpAddr Server)
    {
        public bool Equals(Answered other) => Exchange.Equals(other.Exchange) && Server == other.Server;
        public override int GetHashCode() => Exchange.GetHashCode() * 31 + (int)KeyHash.Of(Server);
    }

    /// <summary>
    /// A query in flight: the servers asked (a stub resolver sends the same id to its next server when the first is
    /// silent, so the first and the latest) and how many times it was sent.
    /// </summary>
    private struct Asked
    {
        public IpAddr Server, Latest;
        public int Sent;
    }

    /// <summary>The first answer to an exchange, enough to compare the next one with.</summary>
    private struct Answer
    {
        public IpAddr Server;
        public PacketTimestamp Time;
        public int SentBefore;
        public int Rcode;
        public byte IpTtl;
        public MacAddress Mac;
        public uint DnsTtl;
        public int Addresses;
        public IpAddr A0, A1, A2, A3;
        /// <summary>The message was cut (a snap length, a damaged packet): its records are not all known.</summary>
        public bool Incomplete;
    }

    // Two generations each: when the current table fills it becomes the previous one and a new one starts, so an
    // exchange is remembered for at least MaxExchanges more exchanges whatever the traffic.
    private Dictionary<Exchange, Asked> _asked = [], _askedOld = [];
    /// <summary>
    /// When the current generation of queries began. A generation also ends after <see cref="AskedWindow"/>: a query is
    /// remembered at least that long (a stub's whole retry sequence, 5 s a try over three servers at most), far longer
    /// than the answers it is compared with are kept, and a quiet resolver's queries no longer stay for the capture. It
    /// ends too when the clock goes back past its start by more than <see cref="CaptureClock.JumpBackNanos"/>: another
    /// segment of capture, whose time would otherwise reach the window only once it had caught up.
    /// </summary>
    private long _askedSince = long.MinValue;
    internal static readonly long AskedWindow = 30 * PacketTimestamp.NanosPerSecond;
    private Dictionary<Answered, Answer> _answers = [], _answersOld = [];
    /// <summary>
    /// When the current generation of answers began. Answers are only ever compared within <see cref="RaceWindow"/>, so
    /// a generation also ends when it is older than that: an answer is remembered for at least the window (the
    /// generation before the last is the one dropped, all older than it) and a busy resolver's thousands of answers a
    /// second no longer fill the tables with answers no later one can race. A clock gone back ends it as it ends the
    /// queries' generation, and answers further apart than the window either way never race.
    /// </summary>
    private long _answersSince = long.MinValue;
    private readonly Dictionary<IpAddr, Victim> _victims = new(IpAddrComparer.Instance);
    private readonly Dictionary<(IpAddr Server, IpAddr Address), Redirect> _redirects = new(IpAddrPairComparer.Instance);
    private readonly HashSet<ulong> _nxNames = [];
    private readonly EvidenceLines _lines = new();
    private bool _capped;

    private sealed class Victim(PacketTimestamp first)
    {
        public long Races, WrongServer;
        public readonly HashSet<IpAddr> Servers = new(IpAddrComparer.Instance);
        public readonly HashSet<IpAddr> Answerers = new(IpAddrComparer.Instance);
        public readonly List<string> Examples = [];
        public bool TtlDiffers, MacDiffers;
        public PacketTimestamp First = first, Last = first;
        public readonly ActivityEvidence Evidence = new(EvidenceKept);
    }

    private sealed class Redirect(PacketTimestamp first)
    {
        public long Answers;
        public readonly BoundedSet<ulong> Domains = new(DomainsKept);
        public readonly List<string> Names = [];
        public readonly BoundedSet<ulong> NameHashes = new(DomainsKept);
        public readonly BoundedSet<IpAddr> Clients = new(DomainsKept);
        public uint MaxTtl;
        public long Corroborated;
        public PacketTimestamp First = first, Last = first;
        public readonly ActivityEvidence Evidence = new(EvidenceKept);
    }

    public override PacketLayers Reads => PacketLayers.Dns;

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public override void Observe(DecodedPacket p, int input)
    {
        if (!p.Has(PacketLayers.Dns) || p.Dns.Opcode != 0 || p.Dns.StoredQuestions == 0) return;
        var dns = p.Dns;
        var name = p.Text.GetSpan(dns.Questions[0].Name);
        ulong nameHash = Hash(name);
        if (!dns.IsResponse)
        {
            if (p.DestinationPort != DnsPorts.Dns) return;
            long now = p.Timestamp.Nanoseconds;
            if (_askedSince == long.MinValue) _askedSince = now;
            else if (now - _askedSince > AskedWindow || CaptureClock.JumpedBack(_askedSince, now))
            {
                (_askedOld, _asked) = (_asked, Clear(_askedOld));
                _askedSince = now;
            }
            var key = new Exchange(p.Ip.Source, p.SourcePort, dns.Id, nameHash ^ dns.Questions[0].Type);
            ref var asked = ref CollectionsMarshal.GetValueRefOrAddDefault(_asked, key, out bool exists);
            if (!exists && _askedOld.TryGetValue(key, out var old)) asked = old;
            if (asked.Sent == 0) asked.Server = p.Ip.Destination;
            asked.Latest = p.Ip.Destination;
            asked.Sent++;
            if (_asked.Count >= MaxExchanges)
            {
                (_askedOld, _asked) = (_asked, Clear(_askedOld));
                _askedSince = now;
            }
            return;
        }
        if (p.SourcePort != DnsPorts.Dns) return;
        ObserveAnswer(p, input, name, nameHash);
    }

    private static Dictionary<TKey, TValue> Clear<TKey, TValue>(Dictionary<TKey, TValue> d) where TKey : notnull
    {
        d.Clear();
        return d;
    }

    private void ObserveAnswer(DecodedPacket p, int input, ReadOnlySpan<byte> name, ulong nameHash)
    {
        var dns = p.Dns;
        var key = new Exchange(p.Ip.Destination, p.DestinationPort, dns.Id, nameHash ^ dns.Questions[0].Type);
        var current = Read(p);
        bool known = _asked.TryGetValue(key, out var asked) || _askedOld.TryGetValue(key, out asked);
        current.SentBefore = known ? asked.Sent : 0;

        if (known && asked.Server != p.Ip.Source && asked.Latest != p.Ip.Source)
        {
            var v = VictimOf(p);
            if (v is not null)
            {
                v.WrongServer++;
                v.Servers.Add(asked.Server);
                v.Answerers.Add(p.Ip.Source);
                if (v.Examples.Count < ExamplesKept) v.Examples.Add($"{Describe.Name(Text(name))}: asked {asked.Server}, answered by {p.Ip.Source} ({AnswerText(current)})");
                v.Evidence.Add(_lines, p, input, "answer from a server not asked");
            }
        }
        else
        {
            var answered = new Answered(key, p.Ip.Source);
            long now = p.Timestamp.Nanoseconds;
            if (_answersSince == long.MinValue) _answersSince = now;
            else if (now - _answersSince > RaceWindow || CaptureClock.JumpedBack(_answersSince, now))
            {
                (_answersOld, _answers) = (_answers, Clear(_answersOld));
                _answersSince = now;
            }
            // Most answers are the first to their exchange: it is added by the lookup that finds it absent (one lookup
            // fewer), and taken out again in the rare case the previous generation holds it.
            ref var first = ref CollectionsMarshal.GetValueRefOrAddDefault(_answers, answered, out bool exists);
            bool isNew = !exists;
            if (isNew)
            {
                ref var old = ref CollectionsMarshal.GetValueRefOrNullRef(_answersOld, answered);
                if (!Unsafe.IsNullRef(ref old))
                {
                    _answers.Remove(answered);
                    first = ref old;
                    isNew = false;
                }
            }
            if (isNew)
            {
                first = current;
                if (_answers.Count >= MaxExchanges)
                {
                    (_answersOld, _answers) = (_answers, Clear(_answersOld));
                    _answersSince = now;
                }
            }
            else if (current.SentBefore > first.SentBefore || Math.Abs(p.Timestamp.Nanoseconds - first.Time.Nanoseconds) > RaceWindow)
            {
                // The query went out again, or long ago (or, the clock having gone back, long after): a new transmission's answer.
                first = current;
            }
            else if (Conflicts(first, current))
            {
                var v = VictimOf(p);
                if (v is not null)
                {
                    v.Races++;
                    v.Servers.Add(p.Ip.Source);
                    v.Answerers.Add(p.Ip.Source);
                    if (first.IpTtl != current.IpTtl) v.TtlDiffers = true;
                    if (first.Mac.Value != 0 && current.Mac.Value != 0 && first.Mac.Value != current.Mac.Value) v.MacDiffers = true;
                    double ms = Math.Abs(p.Timestamp.Nanoseconds - first.Time.Nanoseconds) / 1e6;
                    if (v.Examples.Count < ExamplesKept) v.Examples.Add($"{Describe.Name(Text(name))}: first {AnswerText(first)}, then {ms.ToString("0.#", System.Globalization.CultureInfo.InvariantCulture)} ms later {AnswerText(current)}");
                    v.Evidence.Add(_lines, p, input, "second, different answer to one query");
                }
            }
        }
        if (dns.Rcode == DnsRcode.NXDomain)
        {
            if (_nxNames.Count < MaxNxNames) _nxNames.Add(nameHash);
            else _capped = true;
        }
        else if (dns.Rcode == 0 && !current.Incomplete && current.Addresses == 1 && dns.AnswerCount == 1 && current.DnsTtl <= MaxRedirectTtl)
        {
            CountRedirect(p, input, name, nameHash, current);
        }
    }

    private static Answer Read(DecodedPacket p)
    {
        var a = new Answer { Server = p.Ip.Source, Time = p.Timestamp, Rcode = p.Dns.Rcode, IpTtl = p.Ip.Ttl, Mac = p.SourceMac, DnsTtl = uint.MaxValue, Incomplete = p.Dns.Incomplete };
        foreach (ref readonly var r in p.Dns.StoredRecordSpan)
        {
            if (r.Section != DnsSection.Answer || r.Type is not (DnsType.A or DnsType.AAAA)) continue;
            a.DnsTtl = Math.Min(a.DnsTtl, r.Ttl);
            switch (a.Addresses++)
            {
                case 0: a.A0 = r.Address; break;
                case 1: a.A1 = r.Address; break;
                case 2: a.A2 = r.Address; break;
                case 3: a.A3 = r.Address; break;
            }
        }
        return a;
    }

    /// <summary>
    /// Different rcodes, or address sets with nothing in common (the first four of each compared). A message whose
    /// records were cut is never in conflict: its missing addresses are unknown, not different.
    /// </summary>
    private static bool Conflicts(in Answer a, in Answer b)
    {
        if (a.Incomplete || b.Incomplete) return false;
        if (a.Rcode != b.Rcode) return true;
        if (a.Addresses == 0 || b.Addresses == 0) return a.Addresses != b.Addresses;
        for (int i = 0; i < Math.Min(a.Addresses, 4); i++)
        {
            var x = At(a, i);
            for (int j = 0; j < Math.Min(b.Addresses, 4); j++)
            {
                if (x == At(b, j)) return false;
            }
        }
        return true;
    }

    private static IpAddr At(in Answer a, int i) => i switch { 0 => a.A0, 1 => a.A1, 2 => a.A2, _ => a.A3 };

    private static string AnswerText(Answer a)
    {
        string what = a.Rcode != 0 ? DnsNames.RcodeName(a.Rcode)
            : a.Addresses == 0 ? "no address"
            : string.Join(", ", Enumerable.Range(0, Math.Min(a.Addresses, 4)).Select(i => At(a, i).ToString()))
                + (a.DnsTtl != uint.MaxValue ? $", TTL {a.DnsTtl} s" : "");
        return $"{what}, IP TTL {a.IpTtl}{(a.Mac.Value != 0 ? $", from {a.Mac}" : "")}";
    }

    private Victim? VictimOf(DecodedPacket p)
    {
        var client = p.Ip.Destination;
        if (!_victims.TryGetValue(client, out var v))
        {
            if (_victims.Count >= MaxVictims) { _capped = true; return null; }
            v = new Victim(p.Timestamp);
            _victims[client] = v;
        }
        v.Last = CaptureClock.Later(v.Last, p.Timestamp);
        return v;
    }

    private void CountRedirect(DecodedPacket p, int input, ReadOnlySpan<byte> name, ulong nameHash, in Answer a)
    {
        var key = (p.Ip.Source, a.A0);
        if (!_redirects.TryGetValue(key, out var r))
        {
            if (_redirects.Count >= MaxRedirects) { _capped = true; return; }
            r = new Redirect(p.Timestamp);
            _redirects[key] = r;
        }
        r.Answers++;
        r.Last = CaptureClock.Later(r.Last, p.Timestamp);
        r.MaxTtl = Math.Max(r.MaxTtl, a.DnsTtl);
        r.Clients.Add(p.Ip.Destination);
        if (r.Domains.Count < DomainsKept) r.Domains.Add(Hash(RegisteredDomain(name)));
        if (r.NameHashes.Add(nameHash))
        {
            if (r.Names.Count < ExamplesKept) r.Names.Add(Describe.Name(Text(name)));
            r.Evidence.Add(_lines, p, input, "answer");
        }
    }

    /// <summary>The registered domain of a name (the last two labels, three under co.uk and the like), or the name itself.</summary>
    private static ReadOnlySpan<byte> RegisteredDomain(ReadOnlySpan<byte> name)
    {
        Span<int> starts = stackalloc int[128];
        int labels = DnsTunnelDetection.Labels(name, starts);
        if (labels < 2) return name;
        return name[DnsTunnelDetection.RegisteredDomainStart(name, starts, labels, out _)..];
    }

    private static string Text(ReadOnlySpan<byte> name) => System.Text.Encoding.ASCII.GetString(name);

    private static ulong Hash(ReadOnlySpan<byte> name) => DnsTunnelDetection.Hash(name);

    public override void Finish(TrafficView traffic, List<DetectedActivity> found)
    {
        foreach (var (client, v) in _victims)
        {
            if (v.Races + v.WrongServer >= MinConflicts) found.Add(Spoofing(client, v));
        }
        foreach (var ((server, address), r) in _redirects)
        {
            if (r.Domains.Count < MinUnrelatedDomains) continue;
            r.Corroborated = r.NameHashes.Count(_nxNames.Contains);
            found.Add(Hijack(server, address, r));
        }
    }

    private DetectedActivity Spoofing(IpAddr client, Victim v)
    {
        long conflicts = v.Races + v.WrongServer;
        var servers = v.Servers.Order().ToList();
        var answerers = v.Answerers.Order().ToList();
        string tells = (v.TtlDiffers, v.MacDiffers) switch
        {
            (true, true) => "the two answers came with different IP TTLs and from different hardware addresses, so from two hosts",
            (true, false) => "the two answers came with different IP TTLs, so from hosts at different distances",
            (false, true) => "the two answers came from different hardware addresses, so from two hosts on the segment",
            _ => "",
        };
        // The forger claims the server's own address in a race: the actors named are only the addresses that answered
        // unasked; the hardware addresses are in the examples.
        var actors = answerers.Except(servers).ToList();
        var facts = new AttackFacts
        {
            Technique = v.Races > 0 ? "answer-race" : "wrong-server",
            Packets = conflicts,
            Sources = answerers.Count,
            Targets = 1,
            RaceAnswers = v.Races,
            WrongServerAnswers = v.WrongServer,
            Examples = v.Examples,
            Capped = _capped,
        };
        var activity = new DetectedActivity
        {
            Kind = FindingKind.DnsSpoofing,
            Layer = Layer.Application,
            Severity = Severity.High,
            Protocol = "DNS",
            Transport = "UDP",
            Port = DnsPorts.Dns,
            Targets = [client],
            Actors = actors,
            First = v.First,
            Last = v.Last,
            Attempts = conflicts,
            Failed = 0,
            Facts = facts,
            Evidence = v.Evidence.Packets,
            EvidenceTotal = v.Evidence.Total,
            Absorbs = _ => false,
            FindingTitle = _ => $"{client} got {Describe.Count(conflicts, "forged-looking answer")}: " + string.Join(", ", new[]
            {
                v.Races > 0 ? $"{Describe.Count(v.Races, "query", "queries")} answered twice, differently" : null,
                v.WrongServer > 0 ? $"{Describe.Count(v.WrongServer, "answer")} from a server it did not ask" : null,
            }.Where(t => t is not null)),
            IncidentTitle = _ => $"Forged DNS answers to {client}",
            Summary = a => $"{client}'s DNS queries to {string.Join(", ", servers)} got answers that cannot all be real {Describe.Window(a.First, a.Last)}: "
                + (v.Races > 0 ? $"{Describe.Count(v.Races, "query", "queries")} answered twice with different answers, where a server answers once. " : "")
                + (v.WrongServer > 0 ? $"{Describe.Count(v.WrongServer, "answer")} came from {string.Join(", ", actors)}, which it never asked. " : "")
                + (tells.Length > 0 ? char.ToUpperInvariant(tells[0]) + tells[1..] + ". " : "")
                + $"The client takes whichever answer arrives first, so each of these lookups may have sent it elsewhere. For example: {v.Examples[0]}.",
            Causes = _ =>
            [
                Make("dns-spoofing", $"An attacker on the path or the same segment forges answers to {client}'s queries (dnsspoof, ettercap, bettercap), racing the real server", 0.8,
                    [
                        v.Races > 0 ? $"{Describe.Count(v.Races, "query", "queries")} got two different answers within {RaceWindow / PacketTimestamp.NanosPerSecond} s, with no query sent again between them." : $"{Describe.Count(v.WrongServer, "answer")} matched a query's id and name but came from an address not asked.",
                        tells.Length > 0 ? $"The forger shows: {tells}." : "Compare the answers with what the names' authoritative servers give.",
                    ],
                    ["A resolver behind a load balancer or with two addresses can answer from the one not asked (clients drop those answers), but never twice with different addresses."],
                    [
                        Phrase.Of($"Ask the names again from a trusted network (`dig @1.1.1.1 NAME`) and compare with the answers {client} got."),
                        Phrase.Of($"Look for ARP spoofing on {client}'s segment, and find the host whose hardware address sent the forged answers."),
                        "Use DNSSEC validation, or DNS over TLS or HTTPS, for the clients.",
                    ]),
                Make("resolver-addresses", $"A resolver answers from another of its addresses, or two resolvers share one address", 0.15,
                    ["Answers from a server not asked can be a multi-homed resolver's."],
                    [v.Races > 0 ? "Two different answers to one transmission are not explained by it." : "Nothing in the capture shows the resolvers' configuration."],
                    [Phrase.Of($"Check which addresses the resolvers {string.Join(", ", servers)} answer from.")]),
            ],
        };
        activity.Moments.Add((v.First, Phrase.Of($"First forged-looking answer to {client}.")));
        return activity;
    }

    private static DetectedActivity Hijack(IpAddr server, IpAddr address, Redirect r)
    {
        var clients = r.Clients.Order().ToList();
        var facts = new AttackFacts
        {
            Technique = "nxdomain-redirect",
            Packets = r.Answers,
            Sources = 1,
            Targets = clients.Count,
            RedirectAddress = address.ToString(),
            Examples = r.Names,
            UnrelatedDomains = r.Domains.Count,
            NxdomainElsewhere = r.Corroborated,
        };
        string names = string.Join(", ", r.Names.Take(4));
        var activity = new DetectedActivity
        {
            Kind = FindingKind.DnsHijack,
            Layer = Layer.Application,
            Severity = Severity.Medium,
            Protocol = "DNS",
            Transport = "UDP",
            Port = DnsPorts.Dns,
            Targets = clients,
            Actors = [server],
            First = r.First,
            Last = r.Last,
            Attempts = r.Answers,
            Failed = 0,
            Facts = facts,
            Evidence = r.Evidence.Packets,
            EvidenceTotal = r.Evidence.Total,
            Absorbs = _ => false,
            FindingTitle = _ => $"{server} answered names of {Describe.Count(r.Domains.Count, "unrelated domain")} with the one address {address} (TTL {r.MaxTtl} s at most)",
            IncidentTitle = _ => $"DNS answers redirected to {address} by {server}",
            Summary = a => $"{server} answered {Describe.Count(r.NameHashes.Count, "name")} of {Describe.Count(r.Domains.Count, "unrelated domain")} ({names}) with the single address {address} and a TTL of {(r.MaxTtl == 0 ? "0 s" : $"{r.MaxTtl} s or less")} {Describe.Window(a.First, a.Last)}"
                + (r.Corroborated > 0 ? $"; {Describe.Count(r.Corroborated, "of these names", "of these names")} got \"no such name\" (NXDOMAIN) from another answer in the capture." : ".")
                + $" Names that do not exist are being turned into {address}: users who mistype, and programs that check for a name, reach that address instead of an error.",
            Causes = _ =>
            [
                Make("nxdomain-redirect", $"The resolver {server} (or an ISP's box in front of it) rewrites \"no such name\" into {address}, an advertising or search page", r.Corroborated > 0 ? 0.75 : 0.55,
                    [
                        $"{Describe.Count(r.Domains.Count, "unrelated domain")} resolve to the one address {address}, with nothing else in the answers.",
                        r.Corroborated > 0 ? $"{Describe.Count(r.Corroborated, "name")} answered this way got NXDOMAIN elsewhere in the capture." : $"TTLs of {r.MaxTtl} s or less, as redirecting resolvers give.",
                    ],
                    ["Shared hosting puts unrelated sites on one address, usually behind names (CNAME) and with longer TTLs."],
                    [
                        Phrase.Of($"Ask one of the names from another resolver (`dig @1.1.1.1 {r.Names[0]}`): NXDOMAIN there confirms the rewriting."),
                        Phrase.Of($"See what {address} serves, and turn the resolver's redirection off (ISPs offer an opt-out) or use another resolver."),
                    ]),
                Make("dns-hijack", $"An attacker controls {server} or the path to it and sends users to {address}", 0.3,
                    [$"Every name in the list resolves to {address}; a hijacked resolver does exactly this."],
                    ["A provider's redirection service does the same without an attacker."],
                    [Phrase.Of($"Check who operates {server} and whether clients were given it on purpose (DHCP, VPN).")]),
            ],
        };
        activity.Moments.Add((r.First, Phrase.Of($"First name answered with {address}.")));
        return activity;
    }
}
