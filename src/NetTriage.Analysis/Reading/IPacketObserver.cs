using NetTriage.Packets;

namespace NetTriage.Analysis.Reading;

/// <summary>
/// Sees every packet the analysis reads, in order, on the tracking thread (one at a time; the packet is lent until
/// the call returns). For outputs that follow the same pass as the analysis, such as the Zeek logs.
/// </summary>
public interface IPacketObserver
{
    void Observe(DecodedPacket packet, int input);
}
