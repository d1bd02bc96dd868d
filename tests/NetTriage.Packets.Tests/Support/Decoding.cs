namespace NetTriage.Packets.Tests.Support;

internal static class Decoding
{
    /// <summary>Decodes a frame as a capture source would: reset, frame-level fields, then the decoders.</summary>
    public static DecodedPacket Decode(LinkType linkType, ReadOnlySpan<byte> frame, DecodedPacket? packet = null, int? originalLength = null)
    {
        packet ??= new DecodedPacket();
        packet.Reset();
        packet.FrameNumber = 1;
        packet.LinkType = linkType;
        packet.CapturedLength = frame.Length;
        packet.OriginalLength = originalLength ?? frame.Length;
        PacketDecoder.Decode(linkType, frame, packet);
        return packet;
    }

    public static IEnumerable<object[]> Prefixes(int length) => Enumerable.Range(0, length).Select(i => new object[] { i });

    public static string Text(this DecodedPacket packet, TextRef text) => packet.GetText(text);

    public static string Anomalies(this DecodedPacket packet) => string.Join(",", packet.Anomalies.Kept.ToArray());
}
