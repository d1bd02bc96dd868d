namespace NetTriage.Packets;

/// <summary>
/// Entry point of the decoders: turns one frame's bytes into a <see cref="DecodedPacket"/>.
/// Hand-written rather than built on a packet library because it runs once per packet on captures of
/// many gigabytes and must neither allocate nor trust a single length field of hostile input.
/// </summary>
public static class PacketDecoder
{
    /// <summary>
    /// Decodes <paramref name="frame"/> as <paramref name="linkType"/> into <paramref name="packet"/>.
    /// The caller has reset the packet and set its frame-level fields (number, time, lengths, link type).
    /// Never throws on malformed bytes: problems become anomalies and decoding stops at that layer.
    /// </summary>
    public static void Decode(LinkType linkType, ReadOnlySpan<byte> frame, DecodedPacket packet)
    {
        // Filled in by the decoder layers (Link/, Ip/, Transport/, Icmp/, Dns/, Http/, Tls/).
        packet.LinkType = linkType;
        _ = frame;
    }
}
