using System.Buffers.Binary;
using System.Diagnostics.CodeAnalysis;
using System.Net;
using System.Runtime.InteropServices;

namespace NetTriage.Packets;

/// <summary>
/// An IPv4 or IPv6 address held by value (two 64-bit words and a family), so that
/// decoded packets and flow keys carry addresses without allocating.
/// IPv4 addresses occupy the low 32 bits of <see cref="_lo"/>.
/// </summary>
/// <remarks>
/// Packed to 17 bytes rather than padded to 24: addresses are most of the keys the trackers and sensors hold (a pair of
/// them in every flow and pair key), and the padding was a quarter of each. x64 reads the unaligned words at no cost
/// that the stage benchmarks show.
/// </remarks>
[StructLayout(LayoutKind.Sequential, Pack = 1)]
public readonly struct IpAddr : IEquatable<IpAddr>, IComparable<IpAddr>, ISpanFormattable
{
    private readonly ulong _hi;
    private readonly ulong _lo;

    /// <summary>4, 6, or 0 for "no address".</summary>
    public byte Version { get; }

    private IpAddr(ulong hi, ulong lo, byte version)
    {
        _hi = hi;
        _lo = lo;
        Version = version;
    }

    public bool IsNone => Version == 0;
    public bool IsV4 => Version == 4;
    public bool IsV6 => Version == 6;
    /// <summary>A group address: IPv4 224.0.0.0/4 (RFC 5771), IPv6 ff00::/8 (RFC 4291 2.7).</summary>
    public bool IsMulticast => IsV4 ? (V4Value >> 28) == 0xE : IsV6 && (_hi >> 56) == 0xFF;

    public static IpAddr None => default;

    /// <summary>Reads four network-order bytes.</summary>
    public static IpAddr FromV4(ReadOnlySpan<byte> bytes) =>
        new(0, BinaryPrimitives.ReadUInt32BigEndian(bytes), 4);

    public static IpAddr FromV4(uint hostOrder) => new(0, hostOrder, 4);

    /// <summary>Reads sixteen network-order bytes.</summary>
    public static IpAddr FromV6(ReadOnlySpan<byte> bytes) =>
        new(BinaryPrimitives.ReadUInt64BigEndian(bytes), BinaryPrimitives.ReadUInt64BigEndian(bytes[8..]), 6);

    public uint V4Value => (uint)_lo;

    public void WriteBytes(Span<byte> destination)
    {
        if (Version == 4)
        {
            BinaryPrimitives.WriteUInt32BigEndian(destination, (uint)_lo);
        }
        else
        {
            BinaryPrimitives.WriteUInt64BigEndian(destination, _hi);
            BinaryPrimitives.WriteUInt64BigEndian(destination[8..], _lo);
        }
    }

    public static bool TryParse(ReadOnlySpan<char> text, out IpAddr address)
    {
        address = default;
        if (text.IsEmpty || !IPAddress.TryParse(text, out var parsed))
        {
            return false;
        }
        return TryFrom(parsed, out address);
    }

    public static bool TryParse(ReadOnlySpan<byte> utf8, out IpAddr address)
    {
        address = default;
        if (utf8.Length is 0 or > 64)
        {
            return false;
        }
        Span<char> chars = stackalloc char[utf8.Length];
        for (int i = 0; i < utf8.Length; i++)
        {
            chars[i] = (char)utf8[i];
        }
        return TryParse(chars, out address);
    }

    public static IpAddr Parse(string text) =>
        TryParse(text.AsSpan(), out var a) ? a : throw new FormatException($"not an IP address: {text}");

    public static bool TryFrom(IPAddress address, out IpAddr result)
    {
        Span<byte> bytes = stackalloc byte[16];
        if (address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork && address.TryWriteBytes(bytes, out _))
        {
            result = FromV4(bytes);
            return true;
        }
        if (address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 && address.TryWriteBytes(bytes, out _))
        {
            result = FromV6(bytes);
            return true;
        }
        result = default;
        return false;
    }

    public IPAddress ToIPAddress()
    {
        Span<byte> bytes = stackalloc byte[16];
        WriteBytes(bytes);
        return Version == 4 ? new IPAddress(bytes[..4]) : new IPAddress(bytes);
    }

    public bool Equals(IpAddr other) => _hi == other._hi && _lo == other._lo && Version == other.Version;
    public override bool Equals([NotNullWhen(true)] object? obj) => obj is IpAddr other && Equals(other);
    public override int GetHashCode() => HashCode.Combine(_hi, _lo, Version);
    public static bool operator ==(IpAddr left, IpAddr right) => left.Equals(right);
    public static bool operator !=(IpAddr left, IpAddr right) => !left.Equals(right);

    public int CompareTo(IpAddr other)
    {
        int c = Version.CompareTo(other.Version);
        if (c != 0) return c;
        c = _hi.CompareTo(other._hi);
        return c != 0 ? c : _lo.CompareTo(other._lo);
    }

    public static bool operator <(IpAddr left, IpAddr right) => left.CompareTo(right) < 0;
    public static bool operator >(IpAddr left, IpAddr right) => left.CompareTo(right) > 0;
    public static bool operator <=(IpAddr left, IpAddr right) => left.CompareTo(right) <= 0;
    public static bool operator >=(IpAddr left, IpAddr right) => left.CompareTo(right) >= 0;

    public override string ToString() => Version switch
    {
        0 => "-",
        4 => string.Create(null, stackalloc char[16], $"{(byte)(_lo >> 24)}.{(byte)(_lo >> 16)}.{(byte)(_lo >> 8)}.{(byte)_lo}"),
        _ => ToIPAddress().ToString(),
    };

    public string ToString(string? format, IFormatProvider? formatProvider) => ToString();

    public bool TryFormat(Span<char> destination, out int charsWritten, ReadOnlySpan<char> format, IFormatProvider? provider)
    {
        if (Version == 4)
        {
            return destination.TryWrite(null, $"{(byte)(_lo >> 24)}.{(byte)(_lo >> 16)}.{(byte)(_lo >> 8)}.{(byte)_lo}", out charsWritten);
        }
        if (Version == 0)
        {
            return destination.TryWrite(null, $"-", out charsWritten);
        }
        // IPv6 formatting (RFC 5952) is delegated to IPAddress, which allocates; acceptable for display paths.
        return ToIPAddress().TryFormat(destination, out charsWritten);
    }
}
