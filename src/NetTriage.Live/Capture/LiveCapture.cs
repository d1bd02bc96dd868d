using NetTriage.Packets;
using SharpPcap;
using SharpPcap.LibPcap;

namespace NetTriage.Live.Capture;

/// <summary>Why a live capture could not start, in words a user can act on.</summary>
public sealed class LiveCaptureException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>What a live capture wrote.</summary>
public sealed record LiveCaptureResult(string Path, string Interface, string Filter, long Packets, long Dropped, string? Error);

/// <summary>
/// A live capture through libpcap (SharpPcap) into a pcapng file. One thread reads the device and writes each
/// packet as it comes, so nothing is held in memory; the filter can be widened while it runs (the reading thread
/// applies it between reads, since a pcap handle is not safe to use from two threads at once).
/// </summary>
public sealed class LiveCapture : IDisposable
{
    /// <summary>libpcap's read timeout: how often the reading thread looks for a stop or a new filter.</summary>
    private const int ReadTimeoutMilliseconds = 50;
    private const int SnapLength = 262_144;
    /// <summary>Packets read after the stop request, to drain what the kernel still holds.</summary>
    private const int MaxDrained = 100_000;
    /// <summary>DLT_RAW on Linux is 12 and DLT_RAW on OpenBSD 14; files carry LINKTYPE_RAW (101).</summary>
    private const int DltRawLinux = 12;
    private const int DltRawOpenBsd = 14;

    private readonly LibPcapLiveDevice _device;
    private readonly PcapngWriter _writer;
    private readonly Thread _thread;
    private readonly object _gate = new();
    private (string Filter, TaskCompletionSource Done)? _pendingFilter;
    private volatile bool _stopping;
    private string? _error;
    private long _packets;
    private LiveCaptureResult? _result;

    private LiveCapture(LibPcapLiveDevice device, PcapngWriter writer, string path, string filter)
    {
        _device = device;
        _writer = writer;
        Path = path;
        Filter = filter;
        _thread = new Thread(ReadLoop) { IsBackground = true, Name = "nettriage live capture" };
    }

    public string Path { get; }
    public string Interface => _device.Name;
    /// <summary>The filter in force.</summary>
    public string Filter { get; private set; }

    /// <summary>
    /// Opens <paramref name="interfaceName"/>, sets <paramref name="filter"/>, creates <paramref name="path"/> and
    /// starts reading. Throws <see cref="LiveCaptureException"/> saying why it cannot (libpcap missing, no
    /// permission, no such interface, a bad filter, a file that cannot be written).
    /// </summary>
    public static LiveCapture Start(string interfaceName, string filter, string path)
    {
        ArgumentNullException.ThrowIfNull(interfaceName);
        ArgumentNullException.ThrowIfNull(filter);
        ArgumentNullException.ThrowIfNull(path);
        var device = FindDevice(interfaceName);
        try
        {
            device.Open(new DeviceConfiguration
            {
                Mode = DeviceModes.None,
                ReadTimeout = ReadTimeoutMilliseconds,
                Snaplen = SnapLength,
                // Not immediate mode: there a read waits half a second for packets whatever the read timeout,
                // which would delay every filter change and the stop; the 50 ms timeout delivers promptly enough.
            });
        }
        catch (PcapException e)
        {
            throw new LiveCaptureException(OpenProblem(interfaceName, e.Message), e);
        }

        FileStream? file = null;
        try
        {
            device.Filter = filter;
            file = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.Read);
            var writer = new PcapngWriter(file, "NetTriage diagnose", SnapLength);
            writer.AddInterface(FileLinkType(device), device.Name, filter);
            writer.Flush();
            var capture = new LiveCapture(device, writer, path, filter);
            capture._thread.Start();
            return capture;
        }
        catch (PcapException e)
        {
            file?.Dispose();
            device.Close();
            throw new LiveCaptureException($"the capture filter was refused by libpcap: {e.Message}", e);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            file?.Dispose();
            device.Close();
            throw new LiveCaptureException($"cannot write the capture file {path}: {e.Message}", e);
        }
    }

    /// <summary>Widens (or changes) the filter; completes once the reading thread has applied it.</summary>
    public Task SetFilterAsync(string filter)
    {
        ArgumentNullException.ThrowIfNull(filter);
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_gate)
        {
            if (_stopping || !_thread.IsAlive) return Task.CompletedTask;
            _pendingFilter = (filter, done);
        }
        return done.Task;
    }

    /// <summary>Stops reading after draining what the kernel holds, closes the device and the file.</summary>
    public LiveCaptureResult Stop()
    {
        if (_result is not null) return _result;
        lock (_gate) _stopping = true;
        _thread.Join();
        long dropped = 0;
        try
        {
            var stats = _device.Statistics;
            dropped = (long)stats.DroppedPackets + stats.InterfaceDroppedPackets;
        }
        catch (PcapException)
        {
            // Statistics are not available on every device.
        }
        _device.Close();
        _writer.Dispose();
        _result = new LiveCaptureResult(Path, Interface, Filter, Interlocked.Read(ref _packets), dropped, _error);
        return _result;
    }

    public void Dispose() => Stop();

    private void ReadLoop()
    {
        int drained = 0;
        try
        {
            while (true)
            {
                ApplyPendingFilter();
                var status = _device.GetNextPacket(out PacketCapture packet);
                if (status == GetPacketStatus.PacketRead)
                {
                    var tv = packet.Header.Timeval;
                    var time = PacketTimestamp.FromUnix((long)tv.Seconds, (long)tv.MicroSeconds * 1000);
                    _writer.Write(0, time, packet.Data);
                    Interlocked.Increment(ref _packets);
                    if (_stopping && ++drained >= MaxDrained) break;
                }
                else if (status == GetPacketStatus.ReadTimeout)
                {
                    // Nothing buffered: after a stop request, everything the kernel held has been read.
                    if (_stopping) break;
                }
                else
                {
                    _error = $"reading the interface failed: {_device.LastError}";
                    break;
                }
            }
        }
        catch (PcapException e)
        {
            _error = $"reading the interface failed: {e.Message}";
        }
        catch (IOException e)
        {
            _error = $"writing the capture file failed: {e.Message}";
        }
        finally
        {
            lock (_gate)
            {
                _pendingFilter?.Done.TrySetResult();
                _pendingFilter = null;
            }
        }
    }

    private void ApplyPendingFilter()
    {
        (string Filter, TaskCompletionSource Done)? pending;
        lock (_gate)
        {
            pending = _pendingFilter;
            _pendingFilter = null;
        }
        if (pending is not { } p) return;
        try
        {
            _device.Filter = p.Filter;
            Filter = p.Filter;
        }
        catch (PcapException e)
        {
            _error = $"the widened filter was refused, the first one stays: {e.Message}";
        }
        p.Done.TrySetResult();
    }

    private static LibPcapLiveDevice FindDevice(string name)
    {
        LibPcapLiveDeviceList devices;
        try
        {
            devices = LibPcapLiveDeviceList.New();
        }
        catch (Exception e) when (e is DllNotFoundException or TypeInitializationException or EntryPointNotFoundException or BadImageFormatException)
        {
            throw new LiveCaptureException("libpcap is not installed (on Debian or Ubuntu: apt-get install libpcap0.8)", e);
        }
        catch (PcapException e)
        {
            throw new LiveCaptureException($"libpcap cannot list the interfaces: {e.Message}", e);
        }
        var device = devices.FirstOrDefault(d => string.Equals(d.Name, name, StringComparison.Ordinal));
        if (device is null)
        {
            string known = string.Join(", ", devices.Select(d => d.Name).Take(20));
            throw new LiveCaptureException($"libpcap sees no interface named '{name}' (it sees: {(known.Length == 0 ? "none" : known)})");
        }
        return device;
    }

    private static string OpenProblem(string interfaceName, string message) =>
        message.Contains("permitted", StringComparison.OrdinalIgnoreCase) || message.Contains("permission", StringComparison.OrdinalIgnoreCase)
            ? $"no permission to capture on {interfaceName}: run as root, or grant the program CAP_NET_RAW and CAP_NET_ADMIN " +
              $"(setcap cap_net_raw,cap_net_admin=eip on the dotnet host or the published nettriage binary); libpcap said: {message}"
            : $"cannot open {interfaceName} for capture: {message}";

    private static LinkType FileLinkType(LibPcapLiveDevice device)
    {
        int dlt = (int)device.LinkType;
        return dlt is DltRawLinux or DltRawOpenBsd ? LinkType.Raw : (LinkType)(ushort)dlt;
    }
}
