using NetTriage.Analysis.Detection.Activity;
using NetTriage.Packets;

namespace NetTriage.Analysis.Tests.Detection;

/// <summary>
/// The sensors show a packet only to the families that read one of its layers: the packing of those layers into a
/// slot must keep each one, and drop none a family chooses by.
/// </summary>
public sealed class SensorDispatchTests
{
    private static readonly PacketLayers[] Chosen =
        [PacketLayers.Arp, PacketLayers.Ipv4, PacketLayers.Ipv6, PacketLayers.Udp, PacketLayers.Tcp, PacketLayers.Icmp, PacketLayers.Icmpv6,
            PacketLayers.Dns, PacketLayers.Http, PacketLayers.Tls, PacketLayers.Fragment];

    [Fact]
    public void Each_chosen_layer_has_its_own_bit_and_every_combination_round_trips()
    {
        Assert.Equal(Chosen.Length, Chosen.Select(ActivitySensors.Slot).Distinct().Count());
        Assert.All(Chosen, l => Assert.Equal(1, System.Numerics.BitOperations.PopCount((uint)ActivitySensors.Slot(l))));
        for (int slot = 0; slot < 1 << Chosen.Length; slot++)
        {
            Assert.Equal(slot, ActivitySensors.Slot(ActivitySensors.LayersOf(slot)));
        }
    }

    [Fact]
    public void Layers_no_family_chooses_by_do_not_change_the_slot()
    {
        var other = PacketLayers.Ethernet | PacketLayers.Vlan | PacketLayers.LinuxSll | PacketLayers.Loopback;
        Assert.Equal(0, ActivitySensors.Slot(other));
        Assert.Equal(ActivitySensors.Slot(PacketLayers.Tcp | PacketLayers.Dns), ActivitySensors.Slot(other | PacketLayers.Tcp | PacketLayers.Dns));
    }

    [Fact]
    public void Every_layer_a_family_reads_is_one_the_slot_keeps()
    {
        var families = new ActivitySensors().Detectors;
        Assert.Equal(16, families.Count);
        foreach (var family in families)
        {
            var read = family.Reads;
            Assert.Equal(read, ActivitySensors.LayersOf(ActivitySensors.Slot(read)));
        }
    }
}
