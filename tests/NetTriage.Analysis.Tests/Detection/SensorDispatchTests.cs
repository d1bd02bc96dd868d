using NetTriage.Analysis.Detection.Activity;
using NetTriage.Analysis.Detection.Beaconing;
using NetTriage.Analysis.Detection.BruteForce;
using NetTriage.Analysis.Detection.Floods;
using NetTriage.Analysis.Detection.Reflection;
using NetTriage.Analysis.Detection.Scans;
using NetTriage.Analysis.Detection.TlsFailures;
using NetTriage.Capture;
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

    [Fact]
    public void A_connections_segments_skip_the_families_that_count_handshakes_and_probes()
    {
        // SYN, SYN-ACK, ACK with data, FIN-ACK, RST, and a NULL probe (no flags), built byte by byte.
        var bytes = new Scenario()
            .Tcp("10.0.0.1", 40000, "10.0.0.2", 22, TcpFlags.Syn, 1).After(0.01)
            .Tcp("10.0.0.2", 22, "10.0.0.1", 40000, TcpFlags.Syn | TcpFlags.Ack, 500, 2).After(0.01)
            .Tcp("10.0.0.1", 40000, "10.0.0.2", 22, TcpFlags.Ack | TcpFlags.Psh, 2, 501, payload: 40).After(0.01)
            .Tcp("10.0.0.1", 40000, "10.0.0.2", 22, TcpFlags.Fin | TcpFlags.Ack, 42, 501).After(0.01)
            .Tcp("10.0.0.2", 22, "10.0.0.1", 40000, TcpFlags.Rst, 501).After(0.01)
            .Tcp("10.0.0.3", 50000, "10.0.0.2", 23, TcpFlags.None, 7)
            .Bytes();
        var sensors = new ActivitySensors();
        var shown = new List<HashSet<Type>>();
        using (var source = CaptureOpener.Open(new MemoryStream(bytes), "dispatch.pcap"))
        {
            var packet = new DecodedPacket();
            while (source.TryRead(packet)) shown.Add([.. sensors.ReadersOf(packet).Select(d => d.GetType())]);
        }
        Assert.Equal(6, shown.Count);
        Type[] probes = [typeof(ScanDetection), typeof(FloodDetection), typeof(ReflectionDetection)];
        Type[] sessions = [typeof(BeaconDetection), typeof(BruteForceDetection), typeof(TlsFailureDetection)];
        foreach (int opening in new[] { 0, 1, 4, 5 })
        {
            Assert.All(probes, t => Assert.Contains(t, shown[opening]));
            Assert.All(sessions, t => Assert.Contains(t, shown[opening]));
        }
        foreach (int segment in new[] { 2, 3 })
        {
            Assert.All(probes, t => Assert.DoesNotContain(t, shown[segment]));
        }
        // The data segment starts no TLS record: TLS failures, which read handshakes, are not shown it.
        Assert.Contains(typeof(BeaconDetection), shown[2]);
        Assert.Contains(typeof(BruteForceDetection), shown[2]);
        Assert.DoesNotContain(typeof(TlsFailureDetection), shown[2]);
        // The FIN-ACK carries nothing: only the login sessions (whose last packet it may be) read it.
        Assert.Contains(typeof(BruteForceDetection), shown[3]);
        Assert.DoesNotContain(typeof(BeaconDetection), shown[3]);
        Assert.DoesNotContain(typeof(TlsFailureDetection), shown[3]);
    }
}
