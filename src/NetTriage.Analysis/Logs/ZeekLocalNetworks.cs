using System.Buffers.Binary;
using System.Net;
using NetTriage.Packets;

namespace NetTriage.Analysis.Logs;

/// <summary>
/// The networks conn.log's local_orig and local_resp test an address against, as prefixes and masks over the address's
/// bits: two lookups a connection, so the test neither builds an <see cref="IPAddress"/> nor asks each
/// <see cref="IPNetwork"/>. An address is in a network of its own family only, as <see cref="IPNetwork.Contains"/> has it.
/// </summary>
internal sealed class ZeekLocalNetworks
{
    private readonly (uint Prefix, uint Mask)[] _v4;
    private readonly (UInt128 Prefix, UInt128 Mask)[] _v6;

    public ZeekLocalNetworks(IEnumerable<IPNetwork> networks)
    {
        var v4 = new List<(uint, uint)>();
        var v6 = new List<(UInt128, UInt128)>();
        Span<byte> bytes = stackalloc byte[16];
        foreach (var network in networks)
        {
            var address = network.BaseAddress;
            address.TryWriteBytes(bytes, out int length);
            if (length == 4)
            {
                uint mask = network.PrefixLength == 0 ? 0 : uint.MaxValue << (32 - network.PrefixLength);
                v4.Add((BinaryPrimitives.ReadUInt32BigEndian(bytes) & mask, mask));
            }
            else
            {
                UInt128 mask = network.PrefixLength == 0 ? UInt128.Zero : UInt128.MaxValue << (128 - network.PrefixLength);
                v6.Add((BinaryPrimitives.ReadUInt128BigEndian(bytes) & mask, mask));
            }
        }
        _v4 = [.. v4];
        _v6 = [.. v6];
    }

    public bool Contains(IpAddr address)
    {
        if (address.IsV4)
        {
            uint value = address.V4Value;
            foreach (var (prefix, mask) in _v4)
            {
                if ((value & mask) == prefix) return true;
            }
            return false;
        }
        // Anything else is read as sixteen bytes, as IPv6 (what IpAddr.ToIPAddress makes of it).
        Span<byte> bytes = stackalloc byte[16];
        address.WriteBytes(bytes);
        var bits = BinaryPrimitives.ReadUInt128BigEndian(bytes);
        foreach (var (prefix, mask) in _v6)
        {
            if ((bits & mask) == prefix) return true;
        }
        return false;
    }
}
