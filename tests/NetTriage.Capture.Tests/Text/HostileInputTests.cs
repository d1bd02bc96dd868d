using System.Text;
using NetTriage.Packets;

namespace NetTriage.Capture.Tests.Text;

/// <summary>Cut, mangled and random input never throws; every record is yielded parsed or unparsed.</summary>
public class HostileInputTests
{
    public static TheoryData<string> RealLines() =>
    [
        "13:24:32.192571 IP 192.51.100.15.52444 > 203.0.113.2.domain: 35084+ A? yummyrecipesforme.com. (24)",
        "13:24:36.098564 IP 203.0.113.2 > 192.51.100.15: ICMP 203.0.113.2 udp port 53 unreachable, length 98",
        "    2  2020-06-10 09:19:54.870361 IP 209.87.249.18.53 > 192.168.1.11.43966: 22836*- q: A? www.tcpdump.org. 2/2/5 www.tcpdump.org. [1m] A 192.139.46.66, . OPT UDPsize=4096 (224)",
        "    1  2020-06-10 09:21:03.720289 IP 192.168.1.11.33779 > 209.87.249.18.53: Flags [S], seq 603899916, win 64240, options [mss 1460,sackOK,TS val 2044906138 ecr 0,nop,wscale 7], length 0",
        "    2  2019-12-08 21:59:54.599680 00:80:ea:81:88:63 > 00:20:d2:5a:fb:3f, ethertype 802.1Q-QinQ (0x88a8), length 64: vlan 200, p 0, ethertype 802.1Q (0x8100), vlan 2001, p 0, ethertype ARP (0x0806), Reply 172.21.79.100 is-at 00:80:ea:81:88:63, length 42",
        "13:24:36.098564 IP6 2001:db8::53 > 2001:db8::100: ICMP6, destination unreachable, unreachable port, 2001:db8::53 udp port domain, length 56",
        "    1  2023-12-04 11:07:31.663323 IP6 (hlim 255, next-header ICMPv6 (58), payload length 32) :: > ff02::1:ffe1:f: [icmp6 sum ok] ICMP6, neighbor solicitation, length 32, who has fe80::546f:f7ff:fee1:f",
        "   16  2025-05-10 13:20:28.351197 IP 10.80.131.1.1027 > 146.190.240.163.80: Flags [P.], seq 1:195, ack 1, win 1872, length 194: HTTP: GET / HTTP/1.1",
        "    1  2007-04-24 21:08:39.847328 Out 00:16:3e:27:78:a2 ethertype IPv4 (0x0800), length 204: [total length 13911 > length 188] (invalid) (tos 0x72,ECT(0), ttl 64, id 9472, offset 0, flags [none], proto ICMP (1), length 13911)",
    ];

    [Theory]
    [MemberData(nameof(RealLines))]
    public void EveryPrefixOfARealLineIsReadWithoutThrowing(string line)
    {
        var packet = new DecodedPacket();
        for (int n = 0; n <= line.Length; n++)
        {
            using var source = TextInput.Source(line[..n]);
            int records = 0;
            try
            {
                while (source.TryRead(packet))
                {
                    records++;
                    Assert.Equal(1, packet.LineNumber);
                }
            }
            catch (CaptureFormatException ex)
            {
                // A prefix too short to show a time stamp or anything tcpdump prints is not tcpdump text: the
                // documented outcome is this one error, naming line 1.
                Assert.Equal(CaptureErrorReason.UnknownFormat, ex.Reason);
                Assert.Equal(1, ex.Line);
                records = 1;
            }
            Assert.Equal(n == 0 || string.IsNullOrWhiteSpace(line[..n]) ? 0 : 1, records);
        }
    }

    [Theory]
    [MemberData(nameof(RealLines))]
    public void BracketsAndDigitsReplacedAtEveryPositionDoNotThrow(string line)
    {
        var packet = new DecodedPacket();
        foreach (char c in "([{)]}:.,>9 ")
        {
            for (int i = 0; i < line.Length; i++)
            {
                string mangled = string.Concat(line.AsSpan(0, i), c.ToString(), line.AsSpan(i + 1));
                using var source = TextInput.Source(mangled);
                try
                {
                    while (source.TryRead(packet))
                    {
                    }
                }
                catch (CaptureFormatException ex) when (ex.Reason == CaptureErrorReason.UnknownFormat)
                {
                    // Mangled beyond recognition as tcpdump output: the one documented error.
                }
            }
        }
    }

    [Fact]
    public void RandomBytesNeverThrow()
    {
        var random = new Random(20240601);
        var packet = new DecodedPacket();
        byte[] alphabet = Encoding.ASCII.GetBytes("0123456789abcdef:.> ,()[]{}IPARPICMP6UDPFlagsseqack\n\r\t-+*?$|%#");
        for (int round = 0; round < 300; round++)
        {
            byte[] bytes = new byte[random.Next(0, 2048)];
            for (int i = 0; i < bytes.Length; i++)
            {
                bytes[i] = random.Next(4) == 0 ? (byte)random.Next(256) : alphabet[random.Next(alphabet.Length)];
            }
            using var source = new Capture.Text.TcpdumpTextSource(new MemoryStream(bytes), "random", false, bytes.Length);
            long records = 0;
            try
            {
                while (source.TryRead(packet)) records++;
                Assert.Equal(records, source.ParsedRecords + source.UnparsedLines);
            }
            catch (CaptureFormatException ex)
            {
                // Noise that never once looks like tcpdump output is refused, with nothing yielded before.
                Assert.Equal(CaptureErrorReason.UnknownFormat, ex.Reason);
                Assert.Equal(0, records);
            }
        }
    }
}
