using NetTriage.Packets;

namespace NetTriage.Analysis.Logs;

/// <summary>
/// When Zeek names a connection's service ssh: its SSH analyzer (on port 22, or wherever both sides open with an
/// identification line, as its DPD signatures require) confirms the protocol when the key exchange ends in the clear:
/// an SSH 2 NEWKEYS from either side, or SSH 1's session-key message from the client. It parses the binary packets only
/// once both identification lines settle the version, so a capture holding one side (half-duplex) or two lines that
/// name no common version gets no service.
/// </summary>
internal static class ZeekSsh
{
    private const SshMarks Versions = SshMarks.Version1 | SshMarks.Version199 | SshMarks.Version2;

    /// <summary>Reads what one segment shows (<see cref="DecodedPacket.Ssh"/>) into the connection.</summary>
    public static void Segment(ZeekConnection c, SshMarks marks, bool fromOrig)
    {
        var version = marks & Versions;
        if (version != SshMarks.None)
        {
            // The first identification line of a side is its version.
            ref var side = ref fromOrig ? ref c.SshOrig : ref c.SshResp;
            if ((side & Versions) == SshMarks.None) side |= version;
        }
        if ((marks & (SshMarks.NewKeys | SshMarks.SessionKey)) == 0) return;
        int agreed = Version(c.SshOrig & Versions, c.SshResp & Versions);
        if ((agreed == 2 && (marks & SshMarks.NewKeys) != 0) || (agreed == 1 && fromOrig && (marks & SshMarks.SessionKey) != 0))
        {
            c.AddService("ssh");
        }
    }

    /// <summary>
    /// The version two identification lines agree on (Zeek's SSH version rules): 2 when both speak 2 (1.99 speaks
    /// either), 1 when both speak 1 and the client is not 1.99, 0 when they share none or a side is unknown.
    /// </summary>
    private static int Version(SshMarks client, SshMarks server)
    {
        if (client == SshMarks.None || server == SshMarks.None) return 0;
        bool client2 = client is SshMarks.Version2 or SshMarks.Version199, server2 = server is SshMarks.Version2 or SshMarks.Version199;
        if (client == SshMarks.Version199 && server == SshMarks.Version199) return 2;
        if (client2 && server2) return 2;
        if (client == SshMarks.Version1 && server is SshMarks.Version1 or SshMarks.Version199) return 1;
        if (client == SshMarks.Version199 && server == SshMarks.Version1) return 1;
        return 0;
    }
}
