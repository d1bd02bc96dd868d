using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using NetTriage.Analysis;
using NetTriage.Capture.Writing;
using NetTriage.Live.Probes;
using NetTriage.Packets;

namespace NetTriage.Live.Tests.Probes;

/// <summary>The DNS probe against small resolvers on the loopback interface, and its reading of answers.</summary>
public sealed class DnsProbeTests
{
    private const string Name = "www.example.test";
    private const ushort TypeA = 1;
    /// <summary>For the tests that wait out silence: short tries keep them quick.</summary>
    private static readonly ProbeTimeouts Fast = new() { DnsTry = TimeSpan.FromMilliseconds(300), DnsTries = 2, DnsTcp = TimeSpan.FromSeconds(2) };

    /// <summary>For the tests whose resolver answers: a try long enough that a loaded machine (the test assemblies run
    /// side by side) still gets the answer on the first one; an answer ends the wait, so they are no slower.</summary>
    private static readonly ProbeTimeouts Answered = new() { DnsTry = TimeSpan.FromSeconds(5), DnsTries = 2, DnsTcp = TimeSpan.FromSeconds(5) };

    private static ProbeClock Clock() => new(TimeSpan.FromSeconds(10), TimeSpan.Zero);

    /// <summary>An answer to <paramref name="query"/> with the same id and question, the given rcode, flags and A records.</summary>
    private static byte[] Answer(ReadOnlySpan<byte> query, int rcode, bool truncated = false, params string[] addresses)
    {
        ushort id = BinaryPrimitives.ReadUInt16BigEndian(query);
        var buffer = new byte[512];
        var ips = addresses.Select(IpAddr.Parse).ToArray();
        int n = FrameBuilder.WriteDnsResponse(buffer, id, Name, TypeA, rcode, ips);
        if (truncated) buffer[2] |= 0x02; // TC (RFC 1035 4.1.1)
        return buffer[..n];
    }

    /// <summary>A UDP resolver on 127.0.0.1 that answers each query with <paramref name="respond"/> (null: stays silent).</summary>
    private static (UdpClient Server, Task Loop) UdpResolver(Func<byte[], byte[]?> respond, int answers = 8)
    {
        var server = new UdpClient(new IPEndPoint(IPAddress.Loopback, 0));
        var loop = Task.Run(async () =>
        {
            for (int i = 0; i < answers; i++)
            {
                UdpReceiveResult r;
                try
                {
                    r = await server.ReceiveAsync();
                }
                catch (ObjectDisposedException)
                {
                    return;
                }
                catch (SocketException)
                {
                    return;
                }
                if (respond(r.Buffer) is { } reply) await server.SendAsync(reply, r.RemoteEndPoint);
            }
        });
        return (server, loop);
    }

    [Fact]
    public async Task An_answer_with_addresses_is_ok()
    {
        var (server, _) = UdpResolver(q => Answer(q, 0, false, "192.0.2.80", "192.0.2.81"));
        using (server)
        {
            var answer = await DnsProbe.QueryUdpAsync((IPEndPoint)server.Client.LocalEndPoint!, Name, TypeA, Answered, Clock(), default);

            Assert.Equal(ProbeResults.Ok, answer.Result);
            Assert.Equal([IPAddress.Parse("192.0.2.80"), IPAddress.Parse("192.0.2.81")], answer.Addresses);
            Assert.Equal(1, answer.Attempts);
            Assert.Equal("NoError", answer.Rcode);
        }
    }

    [Theory]
    [InlineData(3, ProbeResults.NxDomain)]
    [InlineData(2, ProbeResults.ServFail)]
    [InlineData(5, ProbeResults.DnsRefused)]
    [InlineData(4, ProbeResults.DnsError)]
    [InlineData(0, ProbeResults.NoAddress)]
    public async Task An_error_rcode_or_an_empty_answer_is_reported_as_such(int rcode, string result)
    {
        var (server, _) = UdpResolver(q => Answer(q, rcode));
        using (server)
        {
            var answer = await DnsProbe.QueryUdpAsync((IPEndPoint)server.Client.LocalEndPoint!, Name, TypeA, Answered, Clock(), default);

            Assert.Equal(result, answer.Result);
            Assert.Empty(answer.Addresses);
        }
    }

    [Fact]
    public async Task A_closed_port_is_refused_through_the_icmp_port_unreachable()
    {
        int port;
        using (var probe = new UdpClient(new IPEndPoint(IPAddress.Loopback, 0))) port = ((IPEndPoint)probe.Client.LocalEndPoint!).Port;

        var answer = await DnsProbe.QueryUdpAsync(new IPEndPoint(IPAddress.Loopback, port), Name, TypeA, Fast, Clock(), default);

        Assert.Equal(ProbeResults.Refused, answer.Result);
        Assert.Contains("ICMP port unreachable", answer.Detail, StringComparison.Ordinal);
        Assert.Equal(2, answer.Attempts);
    }

    [Fact]
    public async Task Silence_is_a_timeout_after_every_try()
    {
        var (server, _) = UdpResolver(_ => null);
        using (server)
        {
            var answer = await DnsProbe.QueryUdpAsync((IPEndPoint)server.Client.LocalEndPoint!, Name, TypeA, Fast, Clock(), default);

            Assert.Equal(ProbeResults.Timeout, answer.Result);
            Assert.Equal(2, answer.Attempts);
        }
    }

    [Fact]
    public async Task A_datagram_with_another_id_is_not_taken_for_the_answer()
    {
        var (server, _) = UdpResolver(q =>
        {
            var wrongId = Answer(q, 0, false, "192.0.2.66");
            wrongId[0] ^= 0xFF;
            return wrongId;
        });
        using (server)
        {
            var answer = await DnsProbe.QueryUdpAsync((IPEndPoint)server.Client.LocalEndPoint!, Name, TypeA, Fast, Clock(), default);

            Assert.Equal(ProbeResults.Timeout, answer.Result);
        }
    }

    [Fact]
    public async Task A_truncated_answer_says_so_and_tcp_gets_the_whole_answer()
    {
        var (udp, _) = UdpResolver(q => Answer(q, 0, truncated: true));
        using var tcp = new TcpListener(IPAddress.Loopback, 0);
        tcp.Start();
        var tcpLoop = Task.Run(async () =>
        {
            using var client = await tcp.AcceptTcpClientAsync();
            var stream = client.GetStream();
            var prefix = new byte[2];
            await stream.ReadExactlyAsync(prefix);
            var query = new byte[BinaryPrimitives.ReadUInt16BigEndian(prefix)];
            await stream.ReadExactlyAsync(query);
            var answer = Answer(query, 0, false, "192.0.2.80");
            var framed = new byte[2 + answer.Length];
            BinaryPrimitives.WriteUInt16BigEndian(framed, (ushort)answer.Length);
            answer.CopyTo(framed, 2);
            await stream.WriteAsync(framed);
        });
        using (udp)
        {
            var overUdp = await DnsProbe.QueryUdpAsync((IPEndPoint)udp.Client.LocalEndPoint!, Name, TypeA, Answered, Clock(), default);
            var overTcp = await DnsProbe.QueryTcpAsync((IPEndPoint)tcp.LocalEndpoint, Name, TypeA, Answered, Clock(), default);
            await tcpLoop;

            Assert.Equal(ProbeResults.Truncated, overUdp.Result);
            Assert.Equal(ProbeResults.Ok, overTcp.Result);
            Assert.Equal([IPAddress.Parse("192.0.2.80")], overTcp.Addresses);
        }
    }

    [Fact]
    public async Task Tcp_to_a_closed_port_is_refused()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var endpoint = (IPEndPoint)listener.LocalEndpoint;
        listener.Stop();

        var answer = await DnsProbe.QueryTcpAsync(endpoint, Name, TypeA, Fast, Clock(), default);

        Assert.Equal(ProbeResults.Refused, answer.Result);
        Assert.Contains("RST", answer.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void A_response_to_another_question_is_not_the_answer()
    {
        var query = DnsProbe.Encode(0x4242, Name, TypeA);
        var buffer = new byte[512];
        int n = FrameBuilder.WriteDnsResponse(buffer, 0x4242, "other.example.test", TypeA, 0, [IpAddr.Parse("192.0.2.1")]);

        Assert.False(DnsProbe.TryRead(buffer.AsSpan(0, n), 0x4242, Name, TypeA, new DecodedPacket(), overTcp: false, out _));
        Assert.True(DnsProbe.TryRead(Answer(query, 0, false, "192.0.2.1"), 0x4242, Name, TypeA, new DecodedPacket(), overTcp: false, out var answer));
        Assert.Equal(ProbeResults.Ok, answer.Result);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(5)]
    [InlineData(11)]
    [InlineData(12)]
    [InlineData(20)]
    public void A_cut_answer_is_never_mistaken_for_one(int length)
    {
        var query = DnsProbe.Encode(0x4242, Name, TypeA);
        var answer = Answer(query, 0, false, "192.0.2.1");

        bool read = DnsProbe.TryRead(answer.AsSpan(0, length), 0x4242, Name, TypeA, new DecodedPacket(), overTcp: false, out _);

        Assert.False(read);
    }

    [Fact]
    public void An_answer_cut_inside_its_records_is_an_error_not_an_empty_answer()
    {
        var query = DnsProbe.Encode(0x4242, Name, TypeA);
        var answer = Answer(query, 0, false, "192.0.2.1");

        Assert.True(DnsProbe.TryRead(answer.AsSpan(0, query.Length + 6), 0x4242, Name, TypeA, new DecodedPacket(), overTcp: false, out var read));

        Assert.Equal(ProbeResults.DnsError, read.Result);
        Assert.Contains("cut short", read.Detail, StringComparison.Ordinal);
    }
}
