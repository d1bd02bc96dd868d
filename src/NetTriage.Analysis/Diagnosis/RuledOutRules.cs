using NetTriage.Analysis.Text;

namespace NetTriage.Analysis.Diagnosis;

/// <summary>
/// What the evidence rules out, including traffic that is absent: after a name failed to resolve, was any
/// connection attempted? After it resolved, did the client connect to the address it got? Who answered?
/// </summary>
internal static class RuledOutRules
{
    public static List<RuledOut> For(IncidentContext c)
    {
        var list = new List<RuledOut>();
        if (c.IsDns && NoConnectionAfterFailure(c) is { } web) list.Add(web);

        if (c.FromTargetCount > 0)
        {
            list.Add(new RuledOut($"{c.ServerText} being down, or the network path to it",
                $"{c.ServerText} itself sent {Describe.Count(c.FromTargetCount, "ICMP error")}: it is up and the clients' packets reach it."));
        }
        if (c.ResetCount > 0)
        {
            list.Add(new RuledOut($"{c.ServerText} being down, or the network path to it",
                $"{c.ServerText} answered {Describe.Count(c.ResetCount, "connection attempt")} with a TCP reset: its TCP stack is up and reachable."));
        }
        if (!c.IsDns && c.Resolution is { } resolved)
        {
            var (client, resolution) = resolved;
            list.Add(new RuledOut("Name resolution",
                $"{Describe.Name(resolution.Name)} resolved to {c.ServerText} for {client} at {Describe.Clock(resolution.Answer.Time)} (frame {resolution.Answer.Frame}), and the client connected to that address: the failure is in the connection, not in DNS."));
        }
        var otherAnswers = OtherServersAnswered(c);
        if (otherAnswers > 0)
        {
            list.Add(new RuledOut("The clients' own network access",
                $"The same clients exchanged traffic successfully with other hosts during the capture ({Describe.Count(otherAnswers, "successful DNS answer or connection", "successful DNS answers or connections")})."));
        }
        return list;
    }

    /// <summary>
    /// For a name that failed to resolve: whether the affected clients attempted any TCP connection from the
    /// first failure on. None means the failure came before any connection, so the service behind the name
    /// (the web server, in the seed incident) never received a request.
    /// </summary>
    public static RuledOut? NoConnectionAfterFailure(IncidentContext c)
    {
        if (c.DnsFailed == 0) return null;
        foreach (var client in c.Clients)
        {
            if (c.Traffic.LatestAttemptOf(client) is { } latest && latest.Kind == c.First.Kind && latest.Nanoseconds >= c.First.Nanoseconds)
            {
                return null;
            }
        }
        string names = c.Names.Count == 1 ? c.Names[0] : "the names";
        return new RuledOut("The web server (any service behind " + names + ")",
            $"No TCP connection was attempted by {c.ClientsText} from the first failure ({Describe.Clock(c.First)}) to the end of the capture: " +
            $"resolution failed before any connection could be made (no HTTP or HTTPS was ever sent), so no request reached the web server.");
    }

    /// <summary>Successful exchanges of the incident's clients with hosts other than its server.</summary>
    private static long OtherServersAnswered(IncidentContext c) => c.Traffic.SuccessesElsewhere(c.Clients, c.Server);
}
