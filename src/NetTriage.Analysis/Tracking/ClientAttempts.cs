using NetTriage.Packets;

namespace NetTriage.Analysis.Tracking;

/// <summary>
/// What the diagnosis asks of a client's connection attempts, in a few words whatever their number: when it last
/// tried to connect (was anything attempted after a failure?), and how many of its connections succeeded, with
/// the servers of the first few (did it reach hosts other than the failing one?).
/// </summary>
internal sealed class ClientAttempts
{
    private const int ServersKept = 8;
    private readonly IpAddr[] _servers = new IpAddr[ServersKept];
    private readonly long[] _counts = new long[ServersKept];
    private int _kept;

    /// <summary>The latest attempt's start (the latest by capture time).</summary>
    public PacketTimestamp? Latest { get; private set; }
    /// <summary>Connections that got established, to any server.</summary>
    public long Established { get; private set; }
    /// <summary>Of those, the ones to servers past the first <see cref="ServersKept"/> (not told apart).</summary>
    public long EstablishedUntracked { get; private set; }

    public void Attempted(PacketTimestamp time)
    {
        if (time.Kind == TimestampKind.None) return;
        if (Latest is not { } latest || time.Kind != latest.Kind || time.Nanoseconds >= latest.Nanoseconds) Latest = time;
    }

    public void Connected(IpAddr server)
    {
        Established++;
        for (int i = 0; i < _kept; i++)
        {
            if (_servers[i] == server)
            {
                _counts[i]++;
                return;
            }
        }
        if (_kept < ServersKept)
        {
            _servers[_kept] = server;
            _counts[_kept++] = 1;
            return;
        }
        EstablishedUntracked++;
    }

    /// <summary>Established connections to servers other than <paramref name="server"/>, at least (those to untracked servers may include it).</summary>
    public long EstablishedToOthers(IpAddr server)
    {
        long others = Established - EstablishedUntracked;
        for (int i = 0; i < _kept; i++)
        {
            if (_servers[i] == server) others -= _counts[i];
        }
        return others;
    }
}

/// <summary>Traffic counters of one host.</summary>
internal sealed class HostCounters
{
    public long PacketsSent;
    public long PacketsReceived;
    public long BytesSent;
    public long BytesReceived;
}
