using System.Text;

namespace NetTriage.Analysis.Tracking;

/// <summary>A packet's tcpdump line as kept for evidence: UTF-8 (half the memory of a string), a string when shown.</summary>
internal readonly struct PacketLine(byte[] utf8)
{
    private readonly byte[]? _utf8 = utf8;

    public bool IsEmpty => _utf8 is null;

    public override string ToString() => _utf8 is null ? "" : Encoding.UTF8.GetString(_utf8);
}
