using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using NetTriage.Analysis;
using NetTriage.Capture.Writing;
using NetTriage.Packets;
using NetTriage.Packets.Dns;

namespace NetTriage.Live.Probes;

/// <summary>What one DNS probe (one resolver, one question, one transport) saw.</summary>
internal sealed record DnsAnswer(string Result, string Detail, int Attempts, string? Rcode, IReadOnlyList<IPAddress> Addresses);

/// <summary>
/// Asks one resolver one question the way a stub resolver does: a query over UDP (RFC 1035 4.2.1), sent again
/// when no answer comes, and over TCP with the two-byte length prefix (RFC 1035 4.2.2, RFC 7766) when asked.
/// The query is encoded by the project's own <see cref="FrameBuilder"/>; the answer is read by its DNS decoder.
/// </summary>
internal static class DnsProbe
{
    public const int DnsPort = 53;
    /// <summary>RFC 1035 4.2.1: UDP messages are 512 bytes or less without EDNS; larger answers come truncated.</summary>
    private const int UdpMessageLimit = 512;
    /// <summary>Receive buffer: any UDP datagram fits.</summary>
    private const int ReceiveBuffer = 65_535;
    private const int TcpLengthPrefix = 2;
    /// <summary>Datagrams that are not our answer (wrong id or question) read before the try gives up.</summary>
    private const int MaxStrayDatagrams = 64;

    public static async Task<DnsAnswer> QueryUdpAsync(IPEndPoint server, string name, ushort type, ProbeTimeouts timeouts,
        ProbeClock clock, CancellationToken cancel)
    {
        ushort id = NewId();
        byte[] query = Encode(id, name, type);
        using var socket = new Socket(server.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
        SocketOutcome.ReportAllIcmpErrors(socket);
        try
        {
            socket.Connect(server);
        }
        catch (SocketException e)
        {
            return new DnsAnswer(ProbeResults.NoRoute, $"this host has no route to {server.Address}: {SocketOutcome.Describe(e, udp: true)}; nothing was sent", 0, null, []);
        }

        byte[] buffer = new byte[ReceiveBuffer];
        var packet = new DecodedPacket();
        int attempts = 0;
        SocketException? lastError = null;
        int errors = 0;
        for (int attempt = 0; attempt < timeouts.DnsTries && !clock.Exhausted; attempt++)
        {
            try
            {
                await socket.SendAsync(query, SocketFlags.None, cancel).ConfigureAwait(false);
                attempts++;
            }
            catch (SocketException e)
            {
                // An ICMP error for an earlier query may surface on the next send.
                lastError = e;
                errors++;
                continue;
            }

            using var tryTimeout = CancellationTokenSource.CreateLinkedTokenSource(cancel);
            tryTimeout.CancelAfter(clock.Limit(timeouts.DnsTry));
            for (int stray = 0; stray < MaxStrayDatagrams; stray++)
            {
                int length;
                try
                {
                    length = await socket.ReceiveAsync(buffer, SocketFlags.None, tryTimeout.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (!cancel.IsCancellationRequested)
                {
                    break;
                }
                catch (SocketException e)
                {
                    lastError = e;
                    errors++;
                    break;
                }
                if (TryRead(buffer.AsSpan(0, length), id, name, type, packet, overTcp: false, out var answer))
                {
                    return answer with { Attempts = attempts };
                }
            }
        }

        if (lastError is not null)
        {
            string result = SocketOutcome.Result(lastError);
            return new DnsAnswer(result,
                $"{SocketOutcome.Describe(lastError, udp: true)} ({errors} of {attempts} {(attempts == 1 ? "query" : "queries")} answered so)",
                attempts, null, []);
        }
        return new DnsAnswer(ProbeResults.Timeout,
            attempts == 0 ? "no time was left in the budget to send the query"
                : $"no answer to {attempts} {(attempts == 1 ? "query" : "queries")} over {timeouts.DnsTry.TotalSeconds:0.#} s each",
            attempts, null, []);
    }

    public static async Task<DnsAnswer> QueryTcpAsync(IPEndPoint server, string name, ushort type, ProbeTimeouts timeouts,
        ProbeClock clock, CancellationToken cancel)
    {
        ushort id = NewId();
        byte[] query = Encode(id, name, type);
        using var socket = new Socket(server.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancel);
        timeout.CancelAfter(clock.Limit(timeouts.DnsTcp));
        string stage = "while connecting";
        try
        {
            await socket.ConnectAsync(server, timeout.Token).ConfigureAwait(false);
            stage = "while waiting for the answer";
            byte[] framed = new byte[TcpLengthPrefix + query.Length];
            BinaryPrimitives.WriteUInt16BigEndian(framed, (ushort)query.Length);
            query.CopyTo(framed, TcpLengthPrefix);
            await socket.SendAsync(framed, SocketFlags.None, timeout.Token).ConfigureAwait(false);

            byte[] prefix = new byte[TcpLengthPrefix];
            if (!await ReadExactlyAsync(socket, prefix, timeout.Token).ConfigureAwait(false))
            {
                return new DnsAnswer(ProbeResults.Closed, "the resolver accepted the TCP connection and closed it without an answer", 1, null, []);
            }
            int length = BinaryPrimitives.ReadUInt16BigEndian(prefix);
            byte[] message = new byte[length];
            if (!await ReadExactlyAsync(socket, message, timeout.Token).ConfigureAwait(false))
            {
                return new DnsAnswer(ProbeResults.Closed, "the resolver closed the TCP connection in the middle of its answer", 1, null, []);
            }
            var packet = new DecodedPacket();
            if (TryRead(message, id, name, type, packet, overTcp: true, out var answer)) return answer;
            return new DnsAnswer(ProbeResults.DnsError, "the answer over TCP does not match the query (id or question)", 1, null, []);
        }
        catch (OperationCanceledException) when (!cancel.IsCancellationRequested)
        {
            return new DnsAnswer(ProbeResults.Timeout, $"timed out {stage} ({clock.Limit(timeouts.DnsTcp).TotalSeconds:0.#} s)", 1, null, []);
        }
        catch (SocketException e)
        {
            return new DnsAnswer(SocketOutcome.Result(e), $"{SocketOutcome.Describe(e, udp: false)} ({stage})", 1, null, []);
        }
    }

    /// <summary>A query for <paramref name="name"/> (RFC 1035 4.1.1: one question, recursion desired).</summary>
    internal static byte[] Encode(ushort id, string name, ushort type)
    {
        Span<byte> buffer = stackalloc byte[UdpMessageLimit];
        int length = FrameBuilder.WriteDnsQuery(buffer, id, name, type);
        return buffer[..length].ToArray();
    }

    /// <summary>
    /// Reads <paramref name="message"/> as the answer to the query (same id, a response, the same question);
    /// false when it is something else (a stray datagram), which the caller ignores.
    /// </summary>
    internal static bool TryRead(ReadOnlySpan<byte> message, ushort id, string name, ushort type, DecodedPacket packet, bool overTcp, out DnsAnswer answer)
    {
        answer = null!;
        packet.Reset();
        DnsDecoder.Decode(message, packet, overTcp: false); // TCP answers arrive here without their length prefix
        var dns = packet.Dns;
        if (dns.Id != id || !dns.IsResponse || dns.StoredQuestions < 1) return false;
        var question = dns.Questions[0];
        if (question.Type != type || !SameName(packet.GetText(question.Name), name)) return false;

        string rcode = DnsNames.RcodeName(dns.Rcode);
        string typeName = DnsNames.TypeName(type) ?? type.ToString(System.Globalization.CultureInfo.InvariantCulture);
        if (dns.Truncation && !overTcp)
        {
            answer = new DnsAnswer(ProbeResults.Truncated, $"answered {rcode} with the TC bit set: the answer does not fit in UDP", 1, rcode, []);
            return true;
        }
        if (dns.Incomplete)
        {
            answer = new DnsAnswer(ProbeResults.DnsError, $"answered {rcode}, but the answer was cut short and cannot be read whole", 1, rcode, []);
            return true;
        }
        var addresses = new List<IPAddress>();
        foreach (var record in dns.StoredRecordSpan)
        {
            if (record.Section == DnsSection.Answer && record.Type == type && record.Type is DnsType.A or DnsType.AAAA && !record.Address.IsNone)
            {
                var address = record.Address.ToIPAddress();
                if (!addresses.Contains(address)) addresses.Add(address);
            }
        }
        (string result, string detail) = dns.Rcode switch
        {
            DnsRcode.NoError when addresses.Count > 0 => (ProbeResults.Ok, $"answered NOERROR: {string.Join(", ", addresses)}"),
            DnsRcode.NoError => (ProbeResults.NoAddress, $"answered NOERROR without any {typeName} record"),
            DnsRcode.NXDomain => (ProbeResults.NxDomain, "answered NXDOMAIN: the name does not exist"),
            DnsRcode.ServFail => (ProbeResults.ServFail, "answered SERVFAIL: the resolver could not resolve the name"),
            DnsRcode.Refused => (ProbeResults.DnsRefused, "answered REFUSED: the resolver will not answer this query"),
            _ => (ProbeResults.DnsError, $"answered {rcode}"),
        };
        answer = new DnsAnswer(result, detail, 1, rcode, addresses);
        return true;
    }

    private static bool SameName(string decoded, string asked) =>
        string.Equals(decoded.TrimEnd('.'), asked.TrimEnd('.'), StringComparison.OrdinalIgnoreCase);

    private static ushort NewId() => (ushort)RandomNumberGenerator.GetInt32(1, 65_536);

    private static async Task<bool> ReadExactlyAsync(Socket socket, Memory<byte> buffer, CancellationToken cancel)
    {
        int read = 0;
        while (read < buffer.Length)
        {
            int n = await socket.ReceiveAsync(buffer[read..], SocketFlags.None, cancel).ConfigureAwait(false);
            if (n == 0) return false;
            read += n;
        }
        return true;
    }
}
