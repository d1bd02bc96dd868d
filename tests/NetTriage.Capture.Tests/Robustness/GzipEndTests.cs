using System.IO.Compression;
using NetTriage.Capture.Writing;
using NetTriage.Packets;

namespace NetTriage.Capture.Tests.Robustness;

/// <summary>
/// A gzip input cut anywhere, even between two records or inside its 8-byte trailer (RFC 1952 2.3.1), ends with a
/// warning that it was cut; a whole one ends without. Pcap and tcpdump text alike.
/// </summary>
public sealed class GzipEndTests
{
    private static byte[] Gzip(byte[] data)
    {
        using var output = new MemoryStream();
        using (var gzip = new GZipStream(output, CompressionLevel.Optimal, leaveOpen: true))
        {
            gzip.Write(data);
        }
        return output.ToArray();
    }

    private static byte[] SeedPcap()
    {
        using var stream = new MemoryStream();
        SampleCaptures.WriteSeedIncident(stream);
        return stream.ToArray();
    }

    private static (int Packets, IReadOnlyList<CaptureWarning> Warnings) Read(byte[] input)
    {
        using var source = CaptureOpener.Open(new MemoryStream(input), "cut.gz");
        var packet = new DecodedPacket();
        int n = 0;
        while (source.TryRead(packet)) n++;
        return (n, source.Warnings);
    }

    private static byte[] Text() => "13:24:32.192571 IP 192.51.100.15.52444 > 203.0.113.2.53: 35084+ A? yummyrecipesforme.com. (39)\n"u8.ToArray();

    public static TheoryData<string> Kinds() => ["pcap", "text"];

    private static byte[] Plain(string kind) => kind == "pcap" ? SeedPcap() : [.. Enumerable.Repeat(Text(), 20).SelectMany(b => b)];

    [Theory]
    [MemberData(nameof(Kinds))]
    public void A_whole_gzip_input_ends_without_a_warning(string kind)
    {
        var (packets, warnings) = Read(Gzip(Plain(kind)));
        Assert.Equal(kind == "pcap" ? 6 : 20, packets);
        Assert.Empty(warnings);
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public void A_gzip_input_cut_inside_its_trailer_has_every_packet_and_a_warning(string kind)
    {
        var gzip = Gzip(Plain(kind));
        for (int cut = 1; cut <= 8; cut++)
        {
            var (packets, warnings) = Read(gzip[..^cut]);
            Assert.Equal(kind == "pcap" ? 6 : 20, packets);
            var warning = Assert.Single(warnings);
            Assert.Equal($"the compressed input ends without its gzip trailer after {gzip.Length - cut} bytes: it was probably cut here", warning.Message);
            Assert.Equal(Plain(kind).Length, warning.Offset);
        }
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public void A_gzip_input_cut_anywhere_in_its_data_says_it_was_cut(string kind)
    {
        var gzip = Gzip(Plain(kind));
        int read = 0;
        for (int cut = 11; cut < gzip.Length - 8; cut++)
        {
            try
            {
                var (_, warnings) = Read(gzip[..cut]);
                Assert.Contains(warnings, w => w.Message.StartsWith("the compressed input ends without its gzip trailer", StringComparison.Ordinal));
                read++;
            }
            catch (CaptureFormatException ex) when (ex.Reason is CaptureErrorReason.EmptyInput or CaptureErrorReason.BadFileHeader or CaptureErrorReason.UnknownFormat)
            {
                // Cut before a whole file header or a first whole line was decompressed: refused, not read.
            }
        }
        Assert.True(read > gzip.Length / 3, $"only {read} cuts were read");
    }
}
