using System.Buffers.Binary;
using System.Text;
using NetTriage.Packets;

namespace NetTriage.Analysis.Tests.Detection;

/// <summary>
/// TLS handshakes built record by record: a server refusing the version, a client refusing the certificate, a reset
/// right after the ClientHello, each a tls-failure with its alert and server name; the thresholds (three failures, a
/// tenth of the handshakes) held at and below their values; handshakes that succeed and close with close_notify are none.
/// </summary>
public sealed class TlsFailureTests
{
    private const string Client = "10.0.0.5";
    private const string Web = "192.0.2.43";
    private ushort _port = 40000;

    /// <summary>A TLS 1.2 ClientHello record naming <paramref name="host"/> (RFC 8446 4.1.2, RFC 6066 3).</summary>
    private static byte[] ClientHello(string host)
    {
        var name = Encoding.ASCII.GetBytes(host);
        int sni = 2 + 1 + 2 + name.Length;
        int hello = 2 + 32 + 1 + 2 + 2 + 2 + 2 + 4 + sni;
        var b = new byte[5 + 4 + hello];
        b[0] = 22; b[1] = 3; b[2] = 1;
        BinaryPrimitives.WriteUInt16BigEndian(b.AsSpan(3), (ushort)(4 + hello));
        b[5] = 1; b[6] = 0; b[7] = (byte)(hello >> 8); b[8] = (byte)hello;
        int n = 9;
        b[n++] = 3; b[n++] = 3;
        n += 32;                       // random
        b[n++] = 0;                    // no session id
        BinaryPrimitives.WriteUInt16BigEndian(b.AsSpan(n), 2); n += 2;
        b[n++] = 0xC0; b[n++] = 0x2F;  // one suite
        b[n++] = 1; b[n++] = 0;        // null compression
        BinaryPrimitives.WriteUInt16BigEndian(b.AsSpan(n), (ushort)(4 + sni)); n += 2;
        BinaryPrimitives.WriteUInt16BigEndian(b.AsSpan(n), 0); n += 2;
        BinaryPrimitives.WriteUInt16BigEndian(b.AsSpan(n), (ushort)sni); n += 2;
        BinaryPrimitives.WriteUInt16BigEndian(b.AsSpan(n), (ushort)(sni - 2)); n += 2;
        b[n++] = 0;
        BinaryPrimitives.WriteUInt16BigEndian(b.AsSpan(n), (ushort)name.Length); n += 2;
        name.CopyTo(b, n);
        return b;
    }

    private static byte[] Record(byte type, int length)
    {
        var b = new byte[5 + length];
        b[0] = type; b[1] = 3; b[2] = 3;
        BinaryPrimitives.WriteUInt16BigEndian(b.AsSpan(3), (ushort)length);
        for (int i = 5; i < b.Length; i++) b[i] = (byte)(i * 7);
        return b;
    }

    private static byte[] Alert(byte description, byte level = 2) => [21, 3, 3, 0, 2, level, description];

    private enum End { Success, ServerAlert, ClientAlert, Reset }

    private Scenario Handshake(Scenario s, End end, byte alert = 0)
    {
        ushort port = _port++;
        s.After(0.5).Tcp(Client, port, Web, 443, TcpFlags.Syn, 1000);
        s.Tcp(Web, 443, Client, port, TcpFlags.Syn | TcpFlags.Ack, 5000, 1001);
        s.Tcp(Client, port, Web, 443, TcpFlags.Ack, 1001, 5001);
        var hello = ClientHello("shop.example.test");
        s.TcpData(Client, port, Web, 443, hello, 1001, 5001);
        uint c = 1001 + (uint)hello.Length;
        switch (end)
        {
            case End.ServerAlert:
                return s.TcpData(Web, 443, Client, port, Alert(alert), 5001, c);
            case End.Reset:
                return s.Tcp(Web, 443, Client, port, TcpFlags.Rst | TcpFlags.Ack, 5001, c);
        }
        var serverHello = Record(22, 900); // ServerHello, Certificate, ServerHelloDone
        s.TcpData(Web, 443, Client, port, serverHello, 5001, c);
        uint sv = 5001 + (uint)serverHello.Length;
        if (end == End.ClientAlert) return s.TcpData(Client, port, Web, 443, Alert(alert), c, sv);
        s.TcpData(Client, port, Web, 443, Record(20, 1), c, sv);
        s.TcpData(Client, port, Web, 443, Record(23, 200), c + 6, sv);
        return s.TcpData(Client, port, Web, 443, Alert(0, level: 1), c + 211, sv); // close_notify
    }

    [Fact]
    public void A_server_refusing_the_version_offered_is_one_high_tls_failure()
    {
        var s = new Scenario();
        for (int i = 0; i < 5; i++) Handshake(s, End.ServerAlert, 70);

        var report = s.Analyze();

        var incident = Assert.Single(report.Incidents);
        Assert.Equal(FindingKind.TlsFailure, incident.Kind);
        Assert.Equal(Severity.High, incident.Severity);
        Assert.Contains("shop.example.test", incident.Title, StringComparison.Ordinal);
        var tls = Assert.Single(report.Findings, f => f.Kind == FindingKind.TlsFailure).Tls!;
        Assert.Equal(5, tls.Handshakes);
        Assert.Equal(5, tls.Failed);
        Assert.Equal(["server: protocol_version (70): 5"], tls.Alerts);
        Assert.Equal(["shop.example.test"], tls.ServerNames);
        Assert.Equal("protocol-version-mismatch", incident.Causes[0].Id);
    }

    [Fact]
    public void A_client_refusing_the_certificate_and_a_reset_after_the_hello_are_told_apart()
    {
        var s = new Scenario();
        for (int i = 0; i < 4; i++) Handshake(s, End.ClientAlert, 48);
        var report = s.Analyze();
        var tls = Assert.Single(report.Findings, f => f.Kind == FindingKind.TlsFailure).Tls!;
        Assert.Equal(["client: unknown_ca (48): 4"], tls.Alerts);
        Assert.Equal("certificate-not-trusted", Assert.Single(report.Incidents).Causes[0].Id);

        var resets = new Scenario();
        for (int i = 0; i < 3; i++) Handshake(resets, End.Reset);
        var reset = Assert.Single(resets.Analyze().Findings, f => f.Kind == FindingKind.TlsFailure).Tls!;
        Assert.Equal(3, reset.Resets);
        Assert.Empty(reset.Alerts);
    }

    [Theory]
    [InlineData(3, 27, true)]   // three failures, a tenth of thirty handshakes
    [InlineData(2, 0, false)]   // two failures are not yet a pattern
    [InlineData(3, 28, false)]  // three failures, under a tenth
    public void Three_failures_making_a_tenth_of_the_handshakes_are_the_threshold(int failures, int fine, bool found)
    {
        var s = new Scenario();
        for (int i = 0; i < fine; i++) Handshake(s, End.Success);
        for (int i = 0; i < failures; i++) Handshake(s, End.ServerAlert, 40);

        var report = s.Analyze();

        Assert.Equal(found, report.Findings.Any(f => f.Kind == FindingKind.TlsFailure));
        if (found) Assert.Equal(Severity.Medium, Assert.Single(report.Incidents).Severity);
    }

    [Fact]
    public void Handshakes_that_succeed_and_close_with_close_notify_are_no_failure()
    {
        var s = new Scenario();
        for (int i = 0; i < 10; i++) Handshake(s, End.Success);

        var report = s.Analyze();

        Assert.Empty(report.Incidents);
        Assert.DoesNotContain(report.Findings, f => f.Kind == FindingKind.TlsFailure);
    }
}
