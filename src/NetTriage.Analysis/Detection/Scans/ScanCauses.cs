using NetTriage.Analysis.Detection.Activity;
using NetTriage.Analysis.Text;
using NetTriage.Packets;
using static NetTriage.Analysis.Diagnosis.CauseText;

namespace NetTriage.Analysis.Detection.Scans;

/// <summary>What a scan may be, ranked: reconnaissance before an attack, or an authorised scan; and what to do.</summary>
internal static class ScanCauses
{
    public static List<Cause> Of(DetectedActivity a, IpAddr scanner)
    {
        var f = a.Facts!;
        string target = a.Targets.Count == 1 ? a.Targets[0].ToString() : "the targets";
        bool stealth = f.Technique.Contains("fin", StringComparison.Ordinal) || f.Technique.Contains("null", StringComparison.Ordinal)
            || f.Technique.Contains("xmas", StringComparison.Ordinal);
        bool halfOpen = f.Technique.Contains("syn", StringComparison.Ordinal);

        var forRecon = new List<Phrase>
        {
            a.Kind == FindingKind.PortScan
                ? $"{scanner} tried {Describe.Count(f.Ports, "port")} on {target}; {Describe.Count(a.Failed, "port")} never answered open: no application needs that many ports of one host."
                : $"{scanner} tried {Describe.Count(f.Targets, "host")}; {Describe.Count(a.Failed, "host")} never answered open: no client needs that many servers it does not know.",
        };
        if (halfOpen) forRecon.Add("It reset each connection as soon as a port answered open (half-open probes, as nmap -sS makes): no application connects that way.");
        if (stealth) forRecon.Add("It sent probes without SYN or ACK (FIN, NULL or Xmas), which no TCP stack sends: they exist to slip past filters that only watch SYNs.");
        if (f.Open > 0) forRecon.Add($"It learned that {Describe.Count(f.Open, a.Kind == FindingKind.PortScan ? "port is" : "host is", a.Kind == FindingKind.PortScan ? "ports are" : "hosts are")} open.");
        var against = new List<Phrase> { "An authorised scan (vulnerability management, an asset inventory, a monitoring check) sends the same packets: only the organisation's records can tell them apart." };

        var steps = new List<Phrase>
        {
            $"Find out whether {scanner} is an authorised scanner; if it is not, treat it as hostile or compromised.",
            Phrase.Of($"If it is not authorised, block it at the edge (`iptables -I INPUT -s {scanner} -j DROP`, or the firewall's equivalent) and look at its other traffic."),
        };
        if (f.OpenList.Count > 0)
        {
            steps.Add(Phrase.Of($"Review what it found open ({string.Join(", ", f.OpenList.Take(10))}{(f.OpenList.Count > 10 ? ", ..." : "")}): on {target}, `ss -ltnp` lists the listeners; close or filter what should not be reachable from {scanner}."));
        }
        steps.Add(Phrase.Of($"Look for what followed from {scanner} (logins, exploits against the open ports): `tcpdump -nr <capture> host {scanner}`."));

        double score = 0.6 + (halfOpen || stealth ? 0.15 : 0) + (f.Open > 0 ? 0.1 : 0);
        return
        [
            Make("reconnaissance", $"{scanner} is mapping {(a.Kind == FindingKind.PortScan ? "the services of " + target : "which hosts offer a service")}: reconnaissance, often before an attack",
                score, forRecon, against, steps),
            Make("authorised-scan", "An authorised security or inventory scan", 0.3,
                [],
                ["Nothing in the traffic marks a scan as authorised; an authorised scanner is usually known by its address."],
                [$"Ask the security team whether {scanner} runs scheduled scans."]),
        ];
    }
}
