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
}
