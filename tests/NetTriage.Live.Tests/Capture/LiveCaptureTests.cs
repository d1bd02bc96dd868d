using System.Net;
using System.Net.Sockets;
using NetTriage.Capture;
using NetTriage.Live.Capture;
using NetTriage.Packets;

namespace NetTriage.Live.Tests.Capture;

/// <summary>The live capture on the loopback interface (needs root or CAP_NET_RAW; skips otherwise).</summary>
public sealed class LiveCaptureTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("nettriage-live-capture-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string FilePath(string name) => Path.Combine(_dir, name);

    [Fact]
    public void An_interface_libpcap_does_not_know_is_named_in_the_error()
    {
        var e = Assert.Throws<LiveCaptureException>(() => LiveCapture.Start("nt-no-such-if0", "icmp", FilePath("none.pcapng")));

        Assert.True(e.Message.Contains("no interface named 'nt-no-such-if0'", StringComparison.Ordinal)
            || e.Message.Contains("libpcap is not installed", StringComparison.Ordinal), e.Message);
        Assert.False(File.Exists(FilePath("none.pcapng")));
    }

    private static LiveCapture StartOrSkip(string filter, string path)
    {
        Skip.IfNot(OperatingSystem.IsLinux(), "live capture on lo is tested on Linux");
        try
        {
            return LiveCapture.Start("lo", filter, path);
        }
        catch (LiveCaptureException e)
        {
            Skip.If(true, $"cannot capture here: {e.Message}");
            throw;
        }
    }

    private static void Send(int port, int count)
    {
        using var udp = new UdpClient();
        for (int i = 0; i < count; i++) udp.Send([1, 2, 3, (byte)i], 4, new IPEndPoint(IPAddress.Loopback, port));
    }

    [SkippableFact]
    public async Task Captures_what_the_filter_lets_through_and_widens_it_while_running()
    {
        int first = 47_001 + Random.Shared.Next(1000), second = first + 1000;
        string path = FilePath("lo.pcapng");
        var capture = StartOrSkip($"udp and dst port {first}", path);
        LiveCaptureResult result;
        try
        {
            Send(first, 2);
            Send(second, 3); // not yet in the filter
            await capture.SetFilterAsync($"udp and (dst port {first} or dst port {second})");
            Send(second, 4);
            await Task.Delay(300);
        }
        finally
        {
            result = capture.Stop();
        }

        Assert.Null(result.Error);
        Assert.Equal(("lo", 6L), (result.Interface, result.Packets));
        Assert.Contains($"dst port {second}", result.Filter, StringComparison.Ordinal);
        var ports = new List<int>();
        using (var source = CaptureOpener.Open(path))
        {
            var packet = new DecodedPacket();
            while (source.TryRead(packet))
            {
                Assert.Equal(TimestampKind.Absolute, packet.Timestamp.Kind);
                ports.Add(packet.DestinationPort);
            }
        }
        Assert.Equal([first, first, second, second, second, second], ports);
    }

    [SkippableFact]
    public void A_filter_libpcap_cannot_compile_is_refused_and_leaves_no_capture_running()
    {
        Skip.IfNot(OperatingSystem.IsLinux(), "live capture on lo is tested on Linux");
        try
        {
            using var probe = LiveCapture.Start("lo", "icmp", FilePath("probe.pcapng"));
        }
        catch (LiveCaptureException e)
        {
            Skip.If(true, $"cannot capture here: {e.Message}");
        }

        var error = Assert.Throws<LiveCaptureException>(() => LiveCapture.Start("lo", "port nonsense-port-name", FilePath("bad.pcapng")));

        Assert.Contains("filter", error.Message, StringComparison.Ordinal);
    }
}
