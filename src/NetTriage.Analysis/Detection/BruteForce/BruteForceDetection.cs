using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using NetTriage.Analysis.Detection.Activity;
using NetTriage.Analysis.Detection.Scans;
using NetTriage.Analysis.Text;
using NetTriage.Analysis.Tracking;
using NetTriage.Packets;
using NetTriage.Packets.Login;
using NetTriage.Packets.Services;

namespace NetTriage.Analysis.Detection.BruteForce;

/// <summary>
/// Password guessing: many failed logins from one source to one service, as Zeek's detect-bruteforcing.zeek and
/// ssh/detect-bruteforcing.zeek count them (30 failures in 30 minutes). Three readings, by what the capture shows:
/// <list type="bullet">
/// <item>HTTP: answers 401 or 407 (RFC 9110 15.5.2, 15.5.8) and 403 to the same client, most for one path.</item>
/// <item>Cleartext logins: the server's refusals (FTP 530, SMTP AUTH 535, POP3 -ERR, IMAP NO), read by the
/// decoder (<see cref="LoginReplyDecoder"/>).</item>
/// <item>Encrypted or opaque logins (SSH, RDP, telnet, the TLS ports, databases): one login attempt is one short
/// session, and a guessing tool repeats the same exchange, so its sessions have the same size. Many short
/// sessions of one size profile are the attack; sessions of varied sizes (scripts, file transfers) are not.</item>
/// </list>
/// Whether a login finally succeeded is said from the accepted answer (HTTP 2xx or 3xx on the path, FTP 230, SMTP
/// 235, IMAP OK) or, for encrypted logins, from a session far longer or larger than the attempts.
/// <para>
/// State: one record per (client, server, port) that logged in or asked over HTTP, at most
/// <see cref="MaxAccounts"/> (records without a failure are dropped first when full), and one per open login
/// session, at most <see cref="MaxSessions"/>; both are structs in their tables' entries. An account's failure
/// tally and its session profile are side objects made when it first fails or ends a session: most accounts are
/// HTTP clients that never fail, and a full table of 8,192 held 2.4 MB when every account carried every reading's
/// fields.
/// </para>
/// </summary>
internal sealed class BruteForceDetection : ActivityDetector
{
    public static readonly ActivityKindRow[] Kinds =
    [
        new() { Kind = FindingKind.BruteForce, Name = "brute-force", Layer = Layer.Application },
    ];

    /// <summary>Failures within one <see cref="Epoch"/>: detect-bruteforcing.zeek's threshold (30 in 30 minutes).</summary>
    internal const int MinFailures = 30;
    internal static readonly long Epoch = 30 * 60 * PacketTimestamp.NanosPerSecond;
    /// <summary>HTTP: share of the failures that asked for the main path (a login form or API), so that a page whose many resources are forbidden is not a brute force.</summary>
    internal const double SamePathShare = 0.8;
    /// <summary>A login session is short below this: a refused attempt lasts seconds (a tool's timeout at most).</summary>
    internal static readonly long ShortSession = 60 * PacketTimestamp.NanosPerSecond;
    /// <summary>Sessions' share that must be short and of one size profile (within <see cref="SizeTolerance"/> of the median client bytes).</summary>
    internal const double ProfileShare = 0.7;
    internal const double SizeTolerance = 0.25;
    /// <summary>
    /// SSH: bytes a client sends before it can try a password (its version string, KEXINIT and key exchange, RFC
    /// 4253 7): sessions below it never reached authentication (a monitoring check that reads the banner).
    /// </summary>
    internal const int SshMinClientBytes = 1000;
    /// <summary>
    /// SSH: the largest server message (TCP payload) read as an authentication reply. Once the key exchange is done
    /// (the server's cleartext NEWKEYS, RFC 4253 7.3, found by the decoder), the server's answers to login attempts (SSH_MSG_USERAUTH_FAILURE, RFC 4252 5.1: a list of method names,
    /// encrypted and padded) are a few dozen bytes; after a login works, OpenSSH sends its host keys (hostkeys-00,
    /// several hundred bytes) and the session's data follows. A session that never saw a larger message never got
    /// past authentication, and its short replies count its refused attempts (sshd's MaxAuthTries lets a connection
    /// try six, so a guessing tool makes several attempts per session).
    /// </summary>
    internal const int SshAuthReplyMax = 128;
    /// <summary>A session this many times longer or larger (server bytes) than the attempts' median looks like a login that worked.</summary>
    internal const double SuccessFactor = 4;

    internal const int MaxAccounts = 8192;
    internal const int MaxSessions = 16_384;
    /// <summary>Attempts counted in one session at most: sshd allows 6 by default and rarely more than a few dozen.</summary>
    private const int MaxAttemptsPerSession = 64;
    /// <summary>Session sizes kept per account for the profile (the first ones; the profile is stable).</summary>
    private const int SizesKept = 64;
    private const int EvidenceKept = 12;

    private readonly Dictionary<AccountKey, Account> _accounts = [];
    private readonly Dictionary<FlowKey, Session> _sessions = [];
    private readonly EvidenceLines _lines = new();
    private bool _accountsFull, _sessionsFull;

    private readonly record struct AccountKey(IpAddr Client, IpAddr Server, ushort Port)
    {
        public bool Equals(AccountKey other) => Port == other.Port && Client == other.Client && Server == other.Server;
        public override int GetHashCode() => KeyHash.Finish(KeyHash.Of(Client) * 31 + KeyHash.Of(Server) + Port);
    }

    private readonly record struct FlowKey(IpAddr Client, IpAddr Server, ushort ClientPort, ushort ServerPort)
    {
        public bool Equals(FlowKey other) => ClientPort == other.ClientPort && ServerPort == other.ServerPort && Client == other.Client && Server == other.Server;
        public override int GetHashCode() => KeyHash.Finish(KeyHash.Of(Client) * 31 + KeyHash.Of(Server) + ((uint)ClientPort << 16 | ServerPort));
    }

    private enum Reading : byte { Http, Replies, Sessions }

    /// <summary>
    /// What every account needs, in the table's entry (about 56 bytes); the rest is in side objects made only for the
    /// accounts that use them.
    /// </summary>
    private struct Account
    {
        public Reading Reading;
        /// <summary>HTTP: the path of the last request.</summary>
        public int LastPath;
        public long Failures, Successes;
        public PacketTimestamp First, Last;
        /// <summary>From the first failure (or, read as sessions, the first attempt) on; null before.</summary>
        public Tally? Tally;
        /// <summary>From the first login session that ended on; null for an account without sessions.</summary>
        public SessionProfile? Profile;

        /// <summary>Failures (or attempts) in the busiest epoch: 0 before the first.</summary>
        public readonly long PeakEpoch => Tally?.PeakEpoch ?? 0;
        /// <summary>Login sessions ended: 0 without a profile.</summary>
        public readonly long Sessions => Profile?.Sessions ?? 0;
    }

    /// <summary>An account's failures (or attempts) by epoch and by second, when they began, and their evidence.</summary>
    private sealed class Tally
    {
        public long EpochStart, InEpoch, PeakEpoch;
        /// <summary>Failures (or sessions) in the current second, and the busiest second.</summary>
        public long Second = long.MinValue, InSecond, PeakSecond;
        public PacketTimestamp? FirstFailure, SuccessAfterFailure;
        // HTTP: the path of the failures.
        public int MainPath;
        public long MainPathFailures;
        public string? MainPathText;
        public ActivityEvidence? Evidence;
    }

    /// <summary>An account's login sessions: their count, sizes and durations (the profile), and the longest and largest.</summary>
    private sealed class SessionProfile
    {
        public long Sessions, ShortSessions;
        /// <summary>Login attempts: one a session, or for SSH the refusals counted inside it; and whether any session held several.</summary>
        public long LoginAttempts;
        public bool CountedInside;
        /// <summary>SSH: the first session that passed authentication (a larger server message after the key exchange).</summary>
        public PacketTimestamp? SshPassedAt;
        public int[]? ClientSizes;
        public long[]? Durations, ServerSizes;
        public long LongestSession, LargestServerBytes;
        public PacketTimestamp LongestStart, LargestStart;
    }

    private struct Session
    {
        public PacketTimestamp Start, Last;
        public long ClientBytes, ServerBytes;
        /// <summary>
        /// SSH: short server messages after the key exchange (the first is the service accept), the two most common
        /// sizes among the others with their counts, the smallest, and whether a larger message came (authentication passed).
        /// </summary>
        public int AuthReplies, SizeA, CountA, SizeB, CountB, Smallest;
        public bool KexDone, PastAuth;

        /// <summary>Refusals: the commonest reply size (each failure has the same fields, so the same padded size).</summary>
        public readonly int Refusals => Math.Max(CountA, CountB);
        public readonly int RefusalSize => CountA >= CountB ? SizeA : SizeB;
        /// <summary>
        /// A reply smaller than the refusals after them: USERAUTH_SUCCESS has no fields (RFC 4252 5.1), the smallest
        /// message of authentication, so a password was accepted.
        /// </summary>
        public readonly bool Accepted => Refusals > 0 && Smallest < RefusalSize;

        public void AuthReply(int size)
        {
            if (++AuthReplies == 1) return; // the service accept
            if (Smallest == 0 || size < Smallest) Smallest = size;
            if (size == SizeA || CountA == 0) { SizeA = size; CountA++; }
            else if (size == SizeB || CountB == 0) { SizeB = size; CountB++; }
        }
    }

    public override PacketLayers Reads => PacketLayers.Tcp;

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public override void Observe(DecodedPacket p, int input)
    {
        if (!p.Has(PacketLayers.Tcp)) return;
        if (p.Has(PacketLayers.Http)) Http(p, input);
        else if (p.Login != LoginReply.None) Reply(p, input);
        if (IsSessionPort(p.DestinationPort) || IsSessionPort(p.SourcePort)) SessionPacket(p, input);
    }

    /// <summary>
    /// Login ports whose sessions are followed: SSH 22, telnet 23, FTP 21, mail submission and retrieval (587,
    /// 110, 143: their STARTTLS sessions cannot be read) and their TLS ports (465, 993, 995), RDP 3389, VNC 5900.
    /// Not SMTP 25 (a relay delivers mail in many short sessions to one server), nor LDAP, SMB or databases (an
    /// application opens one connection a request, all of one size): their sessions are not logins.
    /// </summary>
    /// <remarks>Asked twice a TCP packet: the ports above the highest (clients' ports) are told at once.</remarks>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static bool IsSessionPort(ushort port) => port <= 5900 && port is 21 or 22 or 23 or 110 or 143 or 465 or 587 or 993 or 995 or 3389 or 5900;

    /// <summary>
    /// Encrypted logins: sessions a second at least, on average over their window. A guessing tool makes several a
    /// second; a mail client polling once a minute makes 30 sessions of one size in 30 minutes and is no attack.
    /// A guesser slower than this is missed.
    /// </summary>
    internal const double MinSessionRate = 0.1;

    /// <summary>The login protocol's name for a port.</summary>
    private static string ServiceName(ushort port) => port switch
    {
        21 => "FTP", 22 => "SSH", 23 => "Telnet", 25 or 587 => "SMTP", 465 => "SMTPS", 110 => "POP3", 995 => "POP3S",
        143 => "IMAP", 993 => "IMAPS", 3389 => "RDP", 5900 => "VNC",
        _ => WellKnownServices.Of(port, tcp: true).Protocol ?? "TCP",
    };

    // ---- HTTP ------------------------------------------------------------------------------------

    private void Http(DecodedPacket p, int input)
    {
        if (p.Http.IsRequest)
        {
            var key = new AccountKey(p.Ip.Source, p.Ip.Destination, p.DestinationPort);
            ref var account = ref Find(key, p.Timestamp, create: true, Reading.Http);
            if (Unsafe.IsNullRef(ref account)) return;
            var target = p.Text.GetSpan(p.Http.Target);
            int path = PathHash(target);
            account.LastPath = path;
            if (account.Failures > 0 && account.Tally is { MainPathText: null } tally && path == tally.MainPath)
            {
                tally.MainPathText = p.GetText(p.Http.Target);
            }
            return;
        }
        int status = p.Http.StatusCode;
        var back = new AccountKey(p.Ip.Destination, p.Ip.Source, p.SourcePort);
        ref var a = ref CollectionsMarshal.GetValueRefOrNullRef(_accounts, back);
        if (Unsafe.IsNullRef(ref a)) return;
        a.Last = CaptureClock.Later(a.Last, p.Timestamp);
        if (status is 401 or 403 or 407)
        {
            var tally = a.Tally ??= new Tally();
            if (a.Failures == 0) tally.MainPath = a.LastPath;
            if (a.LastPath == tally.MainPath) tally.MainPathFailures++;
            Failure(ref a, p, input, "refused");
        }
        else if (status is >= 200 and < 400 && a.Failures > 0 && a.LastPath == a.Tally!.MainPath)
        {
            Success(ref a, p, input);
        }
    }

    private static int PathHash(ReadOnlySpan<byte> target)
    {
        // The query string is the credentials' place in some forms: the path alone is the login's address.
        int q = target.IndexOf((byte)'?');
        var hash = new HashCode();
        hash.AddBytes(q >= 0 ? target[..q] : target);
        return hash.ToHashCode();
    }

    // ---- cleartext replies -----------------------------------------------------------------------

    private void Reply(DecodedPacket p, int input)
    {
        var key = new AccountKey(p.Ip.Destination, p.Ip.Source, p.SourcePort);
        ref var a = ref Find(key, p.Timestamp, create: true, Reading.Replies);
        if (Unsafe.IsNullRef(ref a)) return;
        a.Reading = Reading.Replies;
        a.Last = CaptureClock.Later(a.Last, p.Timestamp);
        if (p.Login == LoginReply.Rejected) Failure(ref a, p, input, "refused");
        else if (a.Failures > 0) Success(ref a, p, input);
        else a.Successes++;
    }

    private void Failure(ref Account a, DecodedPacket p, int input, string role)
    {
        a.Failures++;
        var tally = a.Tally ??= new Tally();
        tally.FirstFailure ??= p.Timestamp;
        Count(tally, p.Timestamp);
        // Evidence from the third failure on: a mistyped password or two is ordinary.
        if (a.Failures == 3) tally.Evidence = new ActivityEvidence(EvidenceKept);
        tally.Evidence?.Add(_lines, p, input, role);
    }

    /// <summary>A login accepted after failures (so the account has its tally).</summary>
    private void Success(ref Account a, DecodedPacket p, int input)
    {
        a.Successes++;
        var tally = a.Tally!;
        tally.SuccessAfterFailure ??= p.Timestamp;
        tally.Evidence?.Add(_lines, p, input, "accepted");
    }

    /// <summary>Failures in 30-minute epochs from the first (SumStats' epochs in detect-bruteforcing.zeek), keeping the busiest.</summary>
    private static void Count(Tally t, PacketTimestamp time)
    {
        // An epoch also ends when the clock goes back past it (another segment of capture): counting on would merge two stretches of capture.
        if (t.InEpoch == 0 || time.Nanoseconds - t.EpochStart >= Epoch || CaptureClock.JumpedBack(t.EpochStart, time.Nanoseconds))
        {
            t.EpochStart = time.Nanoseconds;
            t.InEpoch = 0;
        }
        if (++t.InEpoch > t.PeakEpoch) t.PeakEpoch = t.InEpoch;
        ScanDetection.Tick(ref t.Second, ref t.InSecond, ref t.PeakSecond, time);
    }

    // ---- sessions --------------------------------------------------------------------------------

    private void SessionPacket(DecodedPacket p, int input)
    {
        var flags = p.Tcp.Flags;
        bool toServer = IsSessionPort(p.DestinationPort) && (!IsSessionPort(p.SourcePort) || p.DestinationPort < p.SourcePort);
        var key = toServer
            ? new FlowKey(p.Ip.Source, p.Ip.Destination, p.SourcePort, p.DestinationPort)
            : new FlowKey(p.Ip.Destination, p.Ip.Source, p.DestinationPort, p.SourcePort);
        if ((flags & (TcpFlags.Syn | TcpFlags.Ack)) == TcpFlags.Syn && toServer)
        {
            if (_sessions.Count >= MaxSessions && !_sessions.ContainsKey(key) && !RoomForSession(p.Timestamp)) return;
            ref var created = ref CollectionsMarshal.GetValueRefOrAddDefault(_sessions, key, out bool exists);
            if (!exists) created = new Session { Start = p.Timestamp, Last = p.Timestamp };
            return;
        }
        ref var s = ref CollectionsMarshal.GetValueRefOrNullRef(_sessions, key);
        if (Unsafe.IsNullRef(ref s)) return;
        s.Last = CaptureClock.Later(s.Last, p.Timestamp);
        if (toServer) s.ClientBytes += p.PayloadClaimedLength;
        else
        {
            s.ServerBytes += p.PayloadClaimedLength;
            if (key.ServerPort == 22 && p.PayloadClaimedLength > 0 && !s.PastAuth)
            {
                // Counted from the server's NEWKEYS on (the decoder finds it in the clear): what follows is encrypted
                // authentication. A session whose key exchange the capture missed is one attempt, as other ports'.
                if (p.SshNewKeys) s.KexDone = true;
                else if (s.KexDone)
                {
                    if (p.PayloadClaimedLength <= SshAuthReplyMax) s.AuthReply(p.PayloadClaimedLength);
                    else s.PastAuth = true;
                }
            }
        }
        if ((flags & (TcpFlags.Fin | TcpFlags.Rst)) != 0)
        {
            var session = s;
            _sessions.Remove(key);
            End(key, session, p, input);
        }
    }

    /// <summary>Drops sessions idle for over <see cref="ShortSession"/> (their end was not captured) or left before the clock went back; false when that frees little.</summary>
    private bool RoomForSession(PacketTimestamp now)
    {
        if (_sessionsFull) return false;
        int before = _sessions.Count;
        foreach (var (key, s) in _sessions)
        {
            // A session last heard in a later segment of capture (the clock went back since) is as good as idle.
            if (now.Nanoseconds - s.Last.Nanoseconds > ShortSession || CaptureClock.JumpedBack(s.Last.Nanoseconds, now.Nanoseconds)) _sessions.Remove(key);
        }
        if (before - _sessions.Count < MaxSessions / 4) _sessionsFull = true;
        return _sessions.Count < MaxSessions;
    }

    private void End(FlowKey key, Session s, DecodedPacket? p, int input)
    {
        // Only sessions in which the client said something are login attempts (a port check sends nothing).
        if (s.ClientBytes == 0) return;
        if (key.ServerPort == 22 && s.ClientBytes < SshMinClientBytes) return;
        ref var a = ref Find(new AccountKey(key.Client, key.Server, key.ServerPort), s.Start, create: true, Reading.Sessions);
        if (Unsafe.IsNullRef(ref a)) return;
        if (a.Last.Nanoseconds < s.Last.Nanoseconds) a.Last = s.Last;
        // Any reading's account keeps its sessions (a cleartext login's too): they decide which accounts a full table drops.
        var prof = a.Profile ??= new SessionProfile();
        prof.Sessions++;
        long duration = s.Last.Nanoseconds - s.Start.Nanoseconds;
        if (duration < ShortSession) prof.ShortSessions++;
        if (prof.Sessions <= SizesKept)
        {
            prof.ClientSizes ??= new int[SizesKept];
            prof.Durations ??= new long[SizesKept];
            prof.ServerSizes ??= new long[SizesKept];
            int i = (int)prof.Sessions - 1;
            prof.ClientSizes[i] = (int)Math.Min(int.MaxValue, s.ClientBytes);
            prof.Durations[i] = duration;
            prof.ServerSizes[i] = s.ServerBytes;
        }
        if (duration > prof.LongestSession) { prof.LongestSession = duration; prof.LongestStart = s.Start; }
        if (s.ServerBytes > prof.LargestServerBytes) { prof.LargestServerBytes = s.ServerBytes; prof.LargestStart = s.Start; }
        // SSH: the attempts inside a session that never passed authentication are its refusals (the replies of the
        // commonest size after the service accept, RFC 4253 10); any other session is one attempt.
        bool ssh = key.ServerPort == 22;
        int attempts = ssh && !s.PastAuth && s.Refusals > 0 ? Math.Min(s.Refusals, MaxAttemptsPerSession) : 1;
        prof.LoginAttempts += attempts;
        if (attempts > 1) prof.CountedInside = true;
        if (ssh && (s.PastAuth || s.Accepted)) prof.SshPassedAt ??= s.Last;
        if (a.Reading == Reading.Sessions)
        {
            var tally = a.Tally ??= new Tally();
            tally.FirstFailure ??= s.Start;
            for (int i = 0; i < attempts; i++) Count(tally, s.Start);
            if (prof.Sessions == 3) tally.Evidence = new ActivityEvidence(EvidenceKept);
            if (p is not null) tally.Evidence?.Add(_lines, p, input, "session end");
        }
    }

    private ref Account Find(AccountKey key, PacketTimestamp time, bool create, Reading reading)
    {
        ref var a = ref CollectionsMarshal.GetValueRefOrNullRef(_accounts, key);
        if (!Unsafe.IsNullRef(ref a) || !create) return ref a;
        if (_accounts.Count >= MaxAccounts && !RoomForAccount()) return ref Unsafe.NullRef<Account>();
        a = ref CollectionsMarshal.GetValueRefOrAddDefault(_accounts, key, out _);
        a = new Account { Reading = reading, First = time, Last = time };
        return ref a;
    }

    private bool RoomForAccount()
    {
        if (_accountsFull) return false;
        int before = _accounts.Count;
        foreach (var (key, a) in _accounts)
        {
            if (a.Failures == 0 && a.Sessions < 3) _accounts.Remove(key);
        }
        if (before - _accounts.Count < MaxAccounts / 4) _accountsFull = true;
        return _accounts.Count < MaxAccounts;
    }

    // ---- judgement ---------------------------------------------------------------------------------

    public override void Finish(TrafficView traffic, List<DetectedActivity> found)
    {
        foreach (var (key, s) in _sessions.ToList()) End(key, s, null, 0);
        _sessions.Clear();
        foreach (var (key, a) in _accounts)
        {
            if (Judge(key, a) is { } activity) found.Add(activity);
        }
    }

    private DetectedActivity? Judge(AccountKey key, Account a)
    {
        switch (a.Reading)
        {
            case Reading.Http:
                if (a.PeakEpoch < MinFailures || a.Tally!.MainPathFailures < a.Failures * SamePathShare) return null;
                return Make(key, a, "HTTP", a.Failures, a.Successes > 0, null);
            case Reading.Replies:
                if (a.PeakEpoch < MinFailures) return null;
                return Make(key, a, ServiceName(key.Port), a.Failures, a.Successes > 0, null);
            default:
                // Read as sessions: the account was made when a session ended, so it has a profile, and a tally once counted.
                if (a.PeakEpoch < MinFailures) return null;
                var prof = a.Profile!;
                if (prof.ShortSessions < prof.Sessions * ProfileShare) return null;
                if (ScanDetection.Rate(prof.Sessions, a.Tally!.FirstFailure ?? a.First, a.Last) < MinSessionRate) return null;
                int kept = (int)Math.Min(prof.Sessions, SizesKept);
                var sizes = prof.ClientSizes!.AsSpan(0, kept).ToArray();
                Array.Sort(sizes);
                double median = sizes[kept / 2];
                int same = sizes.Count(x => Math.Abs(x - median) <= median * SizeTolerance);
                double share = (double)same / kept;
                if (share < ProfileShare) return null;
                var durations = prof.Durations!.AsSpan(0, kept).ToArray();
                Array.Sort(durations);
                var servers = prof.ServerSizes!.AsSpan(0, kept).ToArray();
                Array.Sort(servers);
                bool longer = prof.LongestSession >= Math.Max(durations[kept / 2] * SuccessFactor, 10 * PacketTimestamp.NanosPerSecond);
                bool larger = servers[kept / 2] > 0 && prof.LargestServerBytes >= servers[kept / 2] * SuccessFactor;
                // SSH sessions that passed authentication next to sessions refused inside: a password worked.
                bool passed = prof.CountedInside && prof.SshPassedAt is not null;
                var activity = Make(key, a, ServiceName(key.Port), prof.CountedInside ? prof.LoginAttempts : prof.Sessions, longer || larger || passed ? true : null, Math.Round(share, 3));
                if (passed)
                {
                    activity.Moments.Add((prof.SshPassedAt!.Value, Phrase.Plain("A session passed authentication (a reply smaller than the refusals, as USERAUTH_SUCCESS is, or a larger message after them): a login probably succeeded.")));
                }
                else if (longer || larger)
                {
                    var at = longer ? prof.LongestStart : prof.LargestStart;
                    activity.Moments.Add((at, Phrase.Of($"A session unlike the attempts ({(longer ? $"{Describe.Duration(prof.LongestSession / (double)PacketTimestamp.NanosPerSecond)} long" : $"{prof.LargestServerBytes} bytes from the server")}): a login probably succeeded.")));
                }
                return activity;
        }
    }

    /// <summary>A finding for an account judged an attack: it has counted failures (or attempts), so it has its tally.</summary>
    private static DetectedActivity Make(AccountKey key, Account a, string protocol, long failures, bool? succeeded, double? sameSize)
    {
        var (client, server, port) = key;
        var tally = a.Tally!;
        bool sessions = a.Reading == Reading.Sessions;
        bool countedInside = a.Profile?.CountedInside ?? false;
        var first = tally.FirstFailure ?? a.First;
        var facts = new AttackFacts
        {
            Technique = a.Reading switch { Reading.Http => "http-auth", Reading.Replies => "password", _ => countedInside ? "ssh-auth" : "login-sessions" },
            Packets = sessions ? a.Sessions : a.Failures + a.Successes,
            Sources = 1,
            Targets = 1,
            PeakPerSecond = tally.PeakSecond,
            RatePerSecond = ScanDetection.Rate(failures, first, a.Last),
            LoginFailures = failures,
            LoginSucceeded = sessions ? succeeded : succeeded ?? false,
            Path = a.Reading == Reading.Http ? tally.MainPathText : null,
            SameSizeShare = sameSize,
        };
        string attempts = !sessions ? Describe.Count(failures, "failed login")
            : countedInside ? $"{Describe.Count(failures, "refused login attempt")} in {Describe.Count(a.Sessions, "session")}"
            : Describe.Count(failures, "login session");
        string service = $"{protocol} on {server} port {port}";
        string outcome = facts.LoginSucceeded switch
        {
            true when sessions => "a later session looks like a login that worked",
            true => "then a login was accepted",
            false => "no login was accepted",
            _ => "whether a login worked cannot be read from encrypted sessions",
        };
        var activity = new DetectedActivity
        {
            Kind = FindingKind.BruteForce,
            Layer = Layer.Application,
            Severity = facts.LoginSucceeded == true ? Severity.High : Severity.Medium,
            Protocol = protocol,
            Transport = "TCP",
            Port = port,
            Targets = [server],
            Actors = [client],
            First = first,
            Last = a.Last,
            Attempts = sessions ? a.Sessions : a.Failures + a.Successes,
            Failed = sessions ? a.Sessions : a.Failures,
            Facts = facts,
            Evidence = tally.Evidence?.Packets ?? [],
            EvidenceTotal = tally.Evidence?.Total ?? 0,
            Absorbs = g => g.Key.Server == server && g.Key.Port == port && ScanDetection.OnlyFrom(g, client),
            FindingTitle = _ => $"{client} tried to log in to {service}: {attempts}{(facts.Path is { } path ? $" for {path}" : "")}; {outcome}",
            IncidentTitle = _ => $"Password guessing against {service} from {client}",
            Summary = _ => Phrase.Of($"{client} made {attempts} to {service} {Describe.Window(first, a.Last)} ({facts.RatePerSecond:0.#} a second{(sameSize is { } s ? $"; {s * 100:0}% of the sessions have the same size, as a tool repeating one exchange makes" : "")}): password guessing. {outcome[..1].ToUpperInvariant()}{outcome[1..]}."),
            Causes = x => BruteForceCauses.Of(x, client, server, port, protocol),
        };
        activity.Moments.Add((first, Phrase.Of($"First failed login from {Phrase.Address(client.ToString())}.")));
        if (tally.SuccessAfterFailure is { } ok && !sessions) activity.Moments.Add((ok, "A login was accepted after the failures."));
        return activity;
    }
}
