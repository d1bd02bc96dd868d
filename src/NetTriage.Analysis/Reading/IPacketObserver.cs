using NetTriage.Packets;

namespace NetTriage.Analysis.Reading;

/// <summary>
/// Sees every packet the analysis reads, in order, one at a time (on the reading thread when the analysis has two, beside
/// the tracker); the packet is lent until the call returns. For outputs that follow the same pass as the analysis and
/// read nothing of its state, such as the Zeek logs. An exception it throws ends the analysis after the packets before
/// it, as one from reading does.
/// </summary>
public interface IPacketObserver
{
    void Observe(DecodedPacket packet, int input);

    /// <summary>
    /// The observer wants the packets' checksums verified (<see cref="DecodedPacket.VerifyChecksums"/>): the decoder
    /// notes wrong ones, and decodes as it always does, so the analysis sees the same packets either way.
    /// </summary>
    bool VerifiesChecksums => false;
}
