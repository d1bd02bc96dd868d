using NetTriage.Analysis.Detection.Activity;
using NetTriage.Analysis.Text;
using NetTriage.Packets;
using static NetTriage.Analysis.Diagnosis.CauseText;

namespace NetTriage.Analysis.Detection.BruteForce;

/// <summary>What many failed logins may be, ranked: password guessing, or a client with a stale password; and what to do.</summary>
internal static class BruteForceCauses
{
    public static List<Cause> Of(DetectedActivity a, IpAddr client, IpAddr server, int port, string protocol)
    {
        var f = a.Facts!;
        bool sessions = f.Technique == "login-sessions";
        var forGuessing = new List<Phrase>
        {
            sessions
                ? $"{client} opened {Describe.Count(f.LoginFailures ?? 0, "short login session")} to {protocol} on {server} at {f.RatePerSecond:0.#} a second: a person logs in a few times, not dozens."
                : $"{server} refused {Describe.Count(f.LoginFailures ?? 0, "login")} from {client} at {f.RatePerSecond:0.#} a second: a person gives up after a few.",
        };
        if (f.SameSizeShare is { } same) forGuessing.Add($"{same * 100:0}% of the sessions have the same size: one exchange repeated by a tool, as hydra, medusa or ncrack make.");
        if (f.Path is { } path) forGuessing.Add($"Most of the refusals answered requests for {path}.");
        if (f.LoginSucceeded == true) forGuessing.Add("A login was accepted after the failures: the guessing may have found a password.");
        var against = new List<Phrase>
        {
            "A client configured with an old password retries the same way, on a schedule: its failures are evenly spaced and it never succeeds.",
        };

        var steps = new List<Phrase>();
        if (f.LoginSucceeded == true)
        {
            steps.Add($"Treat the account that logged in from {client} as compromised: find it in the server's authentication log at the time of the accepted login, change its password, and look at what it did.");
        }
        steps.Add($"Find out whether {client} belongs to a known user or system; if not, block it ({(port == 22 ? "fail2ban's sshd jail, or " : "")}the firewall).");
        steps.Add(port == 22
            ? Phrase.Of($"On {server}: `journalctl -u ssh --since today | grep {client}` lists the failed passwords and the user names tried.")
            : Phrase.Of($"On {server}, read the service's authentication log for {client}: the user names tried show whether the guessing is targeted."));
        steps.Add("Require multi-factor authentication or keys on exposed logins, and rate-limit failed attempts.");

        double score = 0.7 + (f.SameSizeShare is not null || f.Path is not null ? 0.1 : 0) + (f.LoginSucceeded == true ? 0.1 : 0);
        return
        [
            Make("password-guessing", $"{client} is guessing passwords on {protocol} at {server}", score, forGuessing, against, steps),
            Make("stale-credentials", $"A program on {client} retries with an outdated password", 0.25,
                [],
                ["Retries with a stale password are spaced by a schedule and never succeed; the figures above say how fast these came."],
                [$"Ask the owner of {client} whether a scheduled job or mail client logs in to {server}."]),
        ];
    }
}
