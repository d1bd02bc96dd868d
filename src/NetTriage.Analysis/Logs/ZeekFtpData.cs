using NetTriage.Packets;

namespace NetTriage.Analysis.Logs;

/// <summary>
/// FTP data connections announced on a control connection and expected (Zeek's ftp script schedules its FTP_DATA
/// analyzer for them): PORT and EPRT ask the server to connect back to the client's address and port; the 227 and 229
/// replies to PASV and EPSV ask the client to connect to the server's. A TCP connection from that originator to that
/// address and port within 5 minutes is named ftp-data. Bounded: past <see cref="MaxExpected"/> announcements waiting,
/// a new one replaces the oldest.
/// </summary>
internal sealed class ZeekFtpData
{
    private const int MaxExpected = 1024;
    private static readonly long Expiry = 300 * PacketTimestamp.NanosPerSecond;

    private readonly Dictionary<(IpAddr Orig, IpAddr Resp, ushort Port), long> _expected = [];
    private readonly Queue<(IpAddr Orig, IpAddr Resp, ushort Port)> _order = new();

    public int Count => _expected.Count;

    /// <summary>A control connection's segment announced a data connection.</summary>
    public void Announce(ZeekConnection control, in FtpDataChannel channel, long now)
    {
        // Active: the server (the control connection's responder) connects to the announced address. Passive: the client
        // connects to it (229 names no address: the server's own).
        var key = channel.Passive
            ? (control.OrigHost, channel.Host.IsNone ? control.RespHost : channel.Host, channel.Port)
            : (control.RespHost, channel.Host, channel.Port);
        if (!_expected.ContainsKey(key))
        {
            while (_expected.Count >= MaxExpected && _order.TryDequeue(out var oldest)) _expected.Remove(oldest);
            _order.Enqueue(key);
        }
        _expected[key] = now + Expiry;
    }

    /// <summary>Whether a new TCP connection is an announced data connection (each announcement serves once).</summary>
    public bool Expected(IpAddr orig, IpAddr resp, ushort port, long now)
    {
        var key = (orig, resp, port);
        if (!_expected.TryGetValue(key, out long until)) return false;
        _expected.Remove(key);
        return until >= now;
    }
}
