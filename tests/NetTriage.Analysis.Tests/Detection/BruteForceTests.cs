using NetTriage.Analysis.Detection.BruteForce;
using NetTriage.Packets;

namespace NetTriage.Analysis.Tests.Detection;

/// <summary>
/// Password guessing built packet by packet: HTTP 401 answers on one path, refused FTP logins, short SSH sessions
/// of one size; each threshold met and just missed, and the traps: a page whose resources are forbidden, SSH
/// sessions of varied sizes (a script at work), a monitoring check that reads the banner.
/// </summary>
public sealed class BruteForceTests
{
    private const string Attacker = "10.0.0.66";
    private const string Server = "10.0.0.10";

    private static Scenario HttpLogins(Scenario s, int failures, bool success, Func<int, string>? path = null)
    {
        for (int i = 0; i < failures + (success ? 1 : 0); i++)
        {
            ushort port = (ushort)(40000 + i);
            string target = path?.Invoke(i) ?? "/admin/";
            s.Tcp(Attacker, port, Server, 80, TcpFlags.Syn, 1000);
            s.Tcp(Server, 80, Attacker, port, TcpFlags.Syn | TcpFlags.Ack, 5000, 1001);
            s.TcpText(Attacker, port, Server, 80, $"GET {target} HTTP/1.1\r\nHost: site\r\nAuthorization: Basic eDp5\r\n\r\n", 1001, 5001);
            s.TcpText(Server, 80, Attacker, port, i < failures ? "HTTP/1.1 401 Unauthorized\r\nContent-Length: 0\r\n\r\n" : "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n", 5001, 1100);
            s.Tcp(Attacker, port, Server, 80, TcpFlags.Fin | TcpFlags.Ack, 1100, 5100);
            s.After(0.02);
        }
        return s;
    }

    [Fact]
    public void Sixty_refused_http_logins_then_an_accepted_one_are_one_incident_that_says_the_login_worked()
    {
        var report = HttpLogins(new Scenario(), 60, success: true).Analyze();

        var incident = Assert.Single(report.Incidents);
        Assert.Equal(FindingKind.BruteForce, incident.Kind);
        Assert.Equal(Severity.High, incident.Severity);
        var facts = Assert.Single(report.Findings).Attack!;
        Assert.Equal(60, facts.LoginFailures);
        Assert.True(facts.LoginSucceeded);
        Assert.Equal("/admin/", facts.Path);
        Assert.Contains("then a login was accepted", report.Findings[0].Title.Text, StringComparison.Ordinal);
    }

    [Fact]
    public void Twenty_nine_refusals_are_no_brute_force_and_thirty_are()
    {
        var below = HttpLogins(new Scenario(), BruteForceDetection.MinFailures - 1, success: false).Analyze();
        Assert.DoesNotContain(below.Findings, f => f.Kind == FindingKind.BruteForce);
        var at = HttpLogins(new Scenario(), BruteForceDetection.MinFailures, success: false).Analyze();
        var finding = Assert.Single(at.Findings, f => f.Kind == FindingKind.BruteForce);
        Assert.False(finding.Attack!.LoginSucceeded);
        Assert.Equal(Severity.Medium, finding.Severity);
    }

    [Fact]
    public void A_page_whose_many_resources_are_forbidden_is_not_a_brute_force()
    {
        // 40 different static files answered 403: a misconfigured directory, not guessing on one login path.
        var report = HttpLogins(new Scenario(), 40, success: false, i => $"/static/file{i}.css").Analyze();
        Assert.DoesNotContain(report.Findings, f => f.Kind == FindingKind.BruteForce);
    }

    private static Scenario FtpLogins(Scenario s, int failures, bool success)
    {
        for (int i = 0; i < failures + (success ? 1 : 0); i++)
        {
            ushort port = (ushort)(41000 + i / 3); // three attempts a connection, as hydra makes
            if (i % 3 == 0)
            {
                s.Tcp(Attacker, port, Server, 21, TcpFlags.Syn, 1000);
                s.Tcp(Server, 21, Attacker, port, TcpFlags.Syn | TcpFlags.Ack, 5000, 1001);
                s.TcpText(Server, 21, Attacker, port, "220 (vsFTPd 3.0.3)\r\n", 5001, 1001);
            }
            s.TcpText(Attacker, port, Server, 21, "USER alice\r\n", 1001, 5021);
            s.TcpText(Server, 21, Attacker, port, "331 Please specify the password.\r\n", 5021, 1013);
            s.TcpText(Attacker, port, Server, 21, $"PASS guess{i}\r\n", 1013, 5055);
            s.TcpText(Server, 21, Attacker, port, i < failures ? "530 Login incorrect.\r\n" : "230 Login successful.\r\n", 5055, 1030);
            s.After(0.05);
        }
        return s;
    }

    [Fact]
    public void Refused_ftp_logins_are_read_from_the_server_replies()
    {
        var report = FtpLogins(new Scenario(), 40, success: true).Analyze();
        var finding = Assert.Single(report.Findings, f => f.Kind == FindingKind.BruteForce);
        Assert.Equal(40, finding.Attack!.LoginFailures);
        Assert.True(finding.Attack.LoginSucceeded);
        Assert.Equal("password", finding.Attack.Technique);
        var below = FtpLogins(new Scenario(), BruteForceDetection.MinFailures - 1, success: false).Analyze();
        Assert.DoesNotContain(below.Findings, f => f.Kind == FindingKind.BruteForce);
    }

    /// <summary>SSH sessions: handshake, client bytes in segments, server bytes, then the client closes.</summary>
    private static Scenario SshSessions(Scenario s, int sessions, Func<int, int> clientBytes, double gap = 0.5, int serverBytes = 1200)
    {
        for (int i = 0; i < sessions; i++)
        {
            ushort port = (ushort)(42000 + i);
            s.Tcp(Attacker, port, Server, 22, TcpFlags.Syn, 1000);
            s.Tcp(Server, 22, Attacker, port, TcpFlags.Syn | TcpFlags.Ack, 5000, 1001);
            int left = clientBytes(i);
            uint seq = 1001;
            while (left > 0)
            {
                int n = Math.Min(left, 1400);
                s.Tcp(Attacker, port, Server, 22, TcpFlags.Psh | TcpFlags.Ack, seq, 5001, n);
                seq += (uint)n;
                left -= n;
            }
            s.Tcp(Server, 22, Attacker, port, TcpFlags.Psh | TcpFlags.Ack, 5001, seq, serverBytes);
            s.Tcp(Attacker, port, Server, 22, TcpFlags.Fin | TcpFlags.Ack, seq, (uint)(5001 + serverBytes));
            s.After(gap);
        }
        return s;
    }

    [Fact]
    public void Thirty_short_ssh_sessions_of_one_size_are_password_guessing_and_varied_ones_are_not()
    {
        var guessing = SshSessions(new Scenario(), 40, i => 1600 + i % 5).Analyze();
        var finding = Assert.Single(guessing.Findings, f => f.Kind == FindingKind.BruteForce);
        Assert.Equal("login-sessions", finding.Attack!.Technique);
        Assert.Equal(40, finding.Attack.LoginFailures);
        Assert.Null(finding.Attack.LoginSucceeded);
        Assert.True(finding.Attack.SameSizeShare >= BruteForceDetection.ProfileShare);

        // A script running commands: 40 sessions whose sizes vary from 1.5 KB to 60 KB.
        var script = SshSessions(new Scenario(), 40, i => 1500 + (i * 7919 % 40) * 1500).Analyze();
        Assert.DoesNotContain(script.Findings, f => f.Kind == FindingKind.BruteForce);

        // A monitoring check that reads the banner and leaves: its sessions never reach authentication.
        var check = SshSessions(new Scenario(), 60, _ => 40).Analyze();
        Assert.DoesNotContain(check.Findings, f => f.Kind == FindingKind.BruteForce);
    }

    [Fact]
    public void A_session_far_longer_than_the_attempts_says_a_login_probably_worked()
    {
        var s = SshSessions(new Scenario(), 35, i => 1600);
        SshSessions(s, 1, _ => 1600, gap: 0, serverBytes: 1200);
        // The last session stays open for a minute and receives a shell's output.
        s.Tcp(Attacker, 43000, Server, 22, TcpFlags.Syn, 1000);
        s.Tcp(Server, 22, Attacker, 43000, TcpFlags.Syn | TcpFlags.Ack, 5000, 1001);
        s.Tcp(Attacker, 43000, Server, 22, TcpFlags.Psh | TcpFlags.Ack, 1001, 5001, 1400);
        s.Tcp(Attacker, 43000, Server, 22, TcpFlags.Psh | TcpFlags.Ack, 2401, 5001, 200);
        for (int i = 0; i < 30; i++)
        {
            s.After(2);
            s.Tcp(Server, 22, Attacker, 43000, TcpFlags.Psh | TcpFlags.Ack, (uint)(5001 + i * 1400), 2601, 1400);
        }
        s.Tcp(Attacker, 43000, Server, 22, TcpFlags.Fin | TcpFlags.Ack, 2601, 47001);
        var finding = Assert.Single(s.Analyze().Findings, f => f.Kind == FindingKind.BruteForce);
        Assert.True(finding.Attack!.LoginSucceeded);
    }

    /// <summary>
    /// An SSH session as sshd and a guessing client make it: versions and key exchange in the clear (an OpenSSH-sized
    /// KEXINIT of 1.1 kB from the client, larger than libssh's), the service accept (44 bytes encrypted), then one 84-byte request and one reply per attempt: <paramref name="reply"/>
    /// gives each reply's size (44 a refusal, 28 USERAUTH_SUCCESS), and after them the server's closing messages.
    /// </summary>
    private static Scenario SshAuthSession(Scenario s, ushort port, int attempts, Func<int, int> reply, params int[] after)
    {
        s.Tcp(Attacker, port, Server, 22, TcpFlags.Syn, 1000);
        s.Tcp(Server, 22, Attacker, port, TcpFlags.Syn | TcpFlags.Ack, 5000, 1001);
        uint c = 1001, v = 5001;
        void Client(int n) { s.Tcp(Attacker, port, Server, 22, TcpFlags.Psh | TcpFlags.Ack, c, v, n); c += (uint)n; }
        void Reply(int n) { s.Tcp(Server, 22, Attacker, port, TcpFlags.Psh | TcpFlags.Ack, v, c, n); v += (uint)n; }
        void Clear(byte[] bytes) { s.TcpData(Server, 22, Attacker, port, bytes, v, c); v += (uint)bytes.Length; }
        // Versions, KEXINIT, the ECDH exchange and NEWKEYS, in the clear (RFC 4253 6: length, padding length, message).
        Client(24); Clear("SSH-2.0-OpenSSH_9.2p1\r\n"u8.ToArray());
        Client(1100); Clear(SshPacket(20, 1088));
        Client(48); Clear([.. SshPacket(31, 508), .. SshPacket(21, 16)]);
        Client(16);
        Client(44); Reply(44); // service request and accept
        for (int i = 0; i < attempts; i++)
        {
            Client(84);
            Reply(reply(i));
        }
        foreach (int n in after) Reply(n);
        s.Tcp(Attacker, port, Server, 22, TcpFlags.Fin | TcpFlags.Ack, c, v);
        s.After(0.3);
        return s;
    }

    /// <summary>A cleartext SSH binary packet of <paramref name="size"/> bytes in all carrying message <paramref name="type"/>.</summary>
    private static byte[] SshPacket(byte type, int size)
    {
        var p = new byte[size];
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(p, (uint)(size - 4));
        p[4] = 8; // padding length
        p[5] = type;
        return p;
    }

    [Fact]
    public void Ssh_refusals_are_counted_inside_sessions_and_the_smallest_reply_says_a_password_worked()
    {
        // hydra against sshd: six refusals a connection (MaxAuthTries), then "too many failures" (76 bytes).
        var s = new Scenario();
        for (int i = 0; i < 8; i++) SshAuthSession(s, (ushort)(44000 + i), 6, _ => 44, 76);
        var refused = Assert.Single(s.Analyze().Findings, f => f.Kind == FindingKind.BruteForce).Attack!;
        Assert.Equal("ssh-auth", refused.Technique);
        Assert.Equal(48, refused.LoginFailures);
        Assert.Null(refused.LoginSucceeded);

        // The ninth connection's third password is accepted: USERAUTH_SUCCESS, the smallest message.
        SshAuthSession(s, 44100, 3, i => i == 2 ? 28 : 44);
        var found = Assert.Single(s.Analyze().Findings, f => f.Kind == FindingKind.BruteForce).Attack!;
        Assert.Equal(50, found.LoginFailures);
        Assert.True(found.LoginSucceeded);
    }

    [Fact]
    public void Everyday_ssh_logins_that_pass_authentication_are_one_attempt_each()
    {
        // An admin's 40 logins in a few minutes: the client's "none" probe refused, the key accepted, then OpenSSH's
        // host keys (600 bytes) and the session's output. Each is one attempt, and their sizes are one profile, but
        // none is refused beyond the probe: no brute force from counting inside them.
        var s = new Scenario();
        for (int i = 0; i < 40; i++) SshAuthSession(s, (ushort)(45000 + i), 2, k => k == 0 ? 44 : 28, 600, 1400, 1400);
        var report = s.Analyze();
        Assert.DoesNotContain(report.Findings, f => f.Kind == FindingKind.BruteForce && f.Attack!.Technique == "ssh-auth");
    }
}
