using System.Buffers.Binary;

namespace NetTriage.Packets.Tls;

/// <summary>
/// Reads a TLS handshake record (RFC 8446 5.1) and, for a ClientHello (RFC 8446 4.1.2), its server_name
/// extension (RFC 6066 3). Every length is checked against its container: a length past its container's
/// declared end is malformed; one past the bytes captured just ends the walk.
/// </summary>
public static class TlsDecoder
{
    public const int RecordHeaderLength = 5;
    public const byte ContentTypeHandshake = 22;
    public const byte HandshakeClientHello = 1;
    /// <summary>RFC 8446 5.1/5.2: a record carries at most 2^14 bytes, plus up to 2048 of expansion before TLS 1.3.</summary>
    public const int MaxRecordLength = (1 << 14) + 2048;
    /// <summary>Extensions walked before giving up.</summary>
    public const int MaxExtensions = 128;

    private const int HandshakeHeaderLength = 4;
    private const byte MajorVersion = 3;
    private const int RandomLength = 32;
    private const int MaxSessionIdLength = 32;
    private const ushort ServerNameExtension = 0;
    private const byte HostNameType = 0;

    public const byte ContentTypeChangeCipherSpec = 20;
    public const byte ContentTypeAlert = 21;
    public const byte ContentTypeApplicationData = 23;

    /// <summary>
    /// The content type of the SSL 3 or TLS 1.x record the payload starts with (20 to 23, version 3.0 to 3.4, a length within
    /// a record's bound), or 0. A two-byte alert is cleartext (an encrypted one is longer): its level and description
    /// are read.
    /// </summary>
    public static byte RecordType(ReadOnlySpan<byte> payload, out byte alertLevel, out byte alertDescription)
    {
        alertLevel = alertDescription = 0;
        if (payload.Length < RecordHeaderLength || payload[0] is < ContentTypeChangeCipherSpec or > ContentTypeApplicationData
            || payload[1] != MajorVersion || payload[2] > 4)
        {
            return 0;
        }
        int length = BinaryPrimitives.ReadUInt16BigEndian(payload[3..]);
        if (length == 0 || length > MaxRecordLength) return 0;
        if (payload[0] == ContentTypeAlert && length == 2 && payload.Length >= RecordHeaderLength + 2 && payload[5] is 1 or 2)
        {
            alertLevel = payload[5];
            alertDescription = payload[6];
        }
        return payload[0];
    }

    /// <summary>True when the payload starts with a handshake record header of TLS/SSL 3.x.</summary>
    public static bool Looks(ReadOnlySpan<byte> payload) =>
        payload.Length >= RecordHeaderLength && payload[0] == ContentTypeHandshake && payload[1] == MajorVersion;

    public static void Decode(ReadOnlySpan<byte> payload, DecodedPacket packet)
    {
        if (!Looks(payload))
        {
            return;
        }
        int recordLength = BinaryPrimitives.ReadUInt16BigEndian(payload[3..]);
        if (recordLength > MaxRecordLength || recordLength < HandshakeHeaderLength)
        {
            packet.AddAnomaly(AnomalyKind.TlsMalformed);
            return;
        }
        packet.Layers |= PacketLayers.Tls;
        var record = payload[RecordHeaderLength..];
        if (record.Length > recordLength)
        {
            record = record[..recordLength];
        }
        if (record.Length < HandshakeHeaderLength || record[0] != HandshakeClientHello)
        {
            return;
        }
        // A handshake message may span records (RFC 8446 5.1), so its length may exceed this record's.
        int helloLength = (record[1] << 16) | (record[2] << 8) | record[3];
        var hello = new Cursor(record[HandshakeHeaderLength..], helloLength);
        packet.Tls.IsClientHello = true;
        if (ReadClientHello(ref hello, packet) == Outcome.Malformed)
        {
            packet.AddAnomaly(AnomalyKind.TlsMalformed);
        }
    }

    private enum Outcome : byte
    {
        Ok,
        /// <summary>The bytes captured ended first.</summary>
        Cut,
        Malformed,
    }

    /// <summary>
    /// A reading position in a container: <see cref="_declaredEnd"/> is where the container's length says it
    /// ends, the span holds the bytes present (possibly fewer).
    /// </summary>
    private ref struct Cursor
    {
        private readonly ReadOnlySpan<byte> _bytes;
        private readonly int _declaredEnd;
        public int Position;

        public Cursor(ReadOnlySpan<byte> bytes, int declaredLength)
        {
            _bytes = bytes.Length > declaredLength ? bytes[..declaredLength] : bytes;
            _declaredEnd = declaredLength;
            Position = 0;
        }

        public readonly int DeclaredRemaining => _declaredEnd - Position;

        /// <summary>Checks that <paramref name="count"/> bytes lie inside the container and are present.</summary>
        public readonly Outcome Need(int count) =>
            count > DeclaredRemaining ? Outcome.Malformed :
            Position + count > _bytes.Length ? Outcome.Cut : Outcome.Ok;

        public byte ReadByte() => _bytes[Position++];

        public ushort ReadUInt16()
        {
            ushort v = BinaryPrimitives.ReadUInt16BigEndian(_bytes[Position..]);
            Position += 2;
            return v;
        }

        public void Skip(int count) => Position += count;

        /// <summary>A child container of <paramref name="length"/> declared bytes at the current position; skips it here.</summary>
        public Cursor Child(int length)
        {
            int present = Math.Clamp(_bytes.Length - Position, 0, length);
            var child = new Cursor(present == 0 ? default : _bytes.Slice(Position, present), length);
            Position += length;
            return child;
        }

        public readonly ReadOnlySpan<byte> Rest(int length) => _bytes.Slice(Position, length);
    }

    /// <summary>RFC 8446 4.1.2: legacy_version, random, legacy_session_id, cipher_suites, legacy_compression_methods, extensions.</summary>
    private static Outcome ReadClientHello(ref Cursor hello, DecodedPacket packet)
    {
        Outcome o;
        if ((o = hello.Need(2 + RandomLength + 1)) != Outcome.Ok) return o;
        packet.Tls.LegacyVersion = hello.ReadUInt16();
        hello.Skip(RandomLength);
        int sessionIdLength = hello.ReadByte();
        if (sessionIdLength > MaxSessionIdLength) return Outcome.Malformed;
        if ((o = hello.Need(sessionIdLength + 2)) != Outcome.Ok) return o;
        hello.Skip(sessionIdLength);
        int suitesLength = hello.ReadUInt16();
        // cipher_suites<2..2^16-2>: pairs of bytes.
        if (suitesLength < 2 || suitesLength % 2 != 0) return Outcome.Malformed;
        if ((o = hello.Need(suitesLength + 1)) != Outcome.Ok) return o;
        hello.Skip(suitesLength);
        int compressionLength = hello.ReadByte();
        if (compressionLength < 1) return Outcome.Malformed;
        if ((o = hello.Need(compressionLength)) != Outcome.Ok) return o;
        hello.Skip(compressionLength);
        if (hello.DeclaredRemaining == 0)
        {
            // A ClientHello without extensions (allowed before TLS 1.3).
            return Outcome.Ok;
        }
        if ((o = hello.Need(2)) != Outcome.Ok) return o;
        int extensionsLength = hello.ReadUInt16();
        if (extensionsLength > hello.DeclaredRemaining) return Outcome.Malformed;
        var extensions = hello.Child(extensionsLength);
        return ReadExtensions(ref extensions, packet);
    }

    private static Outcome ReadExtensions(ref Cursor extensions, DecodedPacket packet)
    {
        for (int i = 0; i < MaxExtensions && extensions.DeclaredRemaining > 0; i++)
        {
            Outcome o;
            if ((o = extensions.Need(4)) != Outcome.Ok) return o;
            ushort type = extensions.ReadUInt16();
            int length = extensions.ReadUInt16();
            if (length > extensions.DeclaredRemaining) return Outcome.Malformed;
            var body = extensions.Child(length);
            if (type == ServerNameExtension)
            {
                return ReadServerName(ref body, packet);
            }
        }
        return Outcome.Ok;
    }

    /// <summary>RFC 6066 3: ServerNameList server_name_list&lt;1..2^16-1&gt; of (name_type, HostName&lt;1..2^16-1&gt;).</summary>
    private static Outcome ReadServerName(ref Cursor body, DecodedPacket packet)
    {
        Outcome o;
        if ((o = body.Need(2)) != Outcome.Ok) return o;
        int listLength = body.ReadUInt16();
        if (listLength > body.DeclaredRemaining) return Outcome.Malformed;
        var list = body.Child(listLength);
        for (int i = 0; i < MaxExtensions && list.DeclaredRemaining > 0; i++)
        {
            if ((o = list.Need(3)) != Outcome.Ok) return o;
            byte nameType = list.ReadByte();
            int nameLength = list.ReadUInt16();
            if (nameLength == 0) return Outcome.Malformed;
            if ((o = list.Need(nameLength)) != Outcome.Ok) return o;
            if (nameType == HostNameType)
            {
                if (packet.Text.TryAppend(list.Rest(nameLength), out var name))
                {
                    packet.Tls.ServerName = name;
                }
                else
                {
                    PacketDecoder.NoteTextStoreFull(packet);
                }
                return Outcome.Ok;
            }
            list.Skip(nameLength);
        }
        return Outcome.Ok;
    }
}
