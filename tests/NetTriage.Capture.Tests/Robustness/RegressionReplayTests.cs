using System.Buffers;
using NetTriage.Packets;
using NetTriage.Packets.Formatting;
using NetTriage.Tests.Shared;

namespace NetTriage.Capture.Tests.Robustness;

/// <summary>
/// Replays every input that ever broke the program (Regressions/*.bin: crashes found by fuzz/run.sh and by the
/// mutation test, each a whole input as the program reads it, gzip or not) through the source, the decoders and
/// both `show` formats. Each must read to the end, or stop with the one error allowed, which names the input and where.
/// The analysis and the reports replay them too (NetTriage.Cli.Tests, RegressionAnalysisTests).
/// </summary>
public sealed class RegressionReplayTests
{
    public static string Folder => Path.Combine(TestPaths.RepositoryRoot, "tests", "NetTriage.Capture.Tests", "Robustness", "Regressions");

    public static TheoryData<string> Files()
    {
        var data = new TheoryData<string>();
        foreach (var file in Directory.EnumerateFiles(Folder, "*.bin").Order(StringComparer.Ordinal))
        {
            data.Add(Path.GetFileName(file));
        }
        return data;
    }

    [Fact]
    public void The_folder_holds_the_regressions()
    {
        Assert.True(Files().Count >= 2, "regression inputs missing from " + Folder);
    }

    [Theory]
    [MemberData(nameof(Files))]
    public void A_regression_input_reads_to_the_end_or_stops_with_a_located_error(string file)
    {
        var bytes = File.ReadAllBytes(Path.Combine(Folder, file));
        long packets = 0;
        try
        {
            using var source = CaptureOpener.Open(new MemoryStream(bytes, writable: false), file);
            var packet = new DecodedPacket();
            var line = new TcpdumpLineFormatter(new TcpdumpLineOptions { Annotations = true });
            var text = new ArrayBufferWriter<char>();
            var json = new ArrayBufferWriter<byte>();
            using var jsonWriter = new PacketJsonWriter(json);
            while (source.TryRead(packet))
            {
                packets++;
                line.Write(packet, text);
                jsonWriter.Write(packet);
                jsonWriter.Flush();
                // Nothing from the input reaches a line as a control character.
                Assert.DoesNotContain(text.WrittenSpan.ToArray(), c => char.IsControl(c) && c != '\n');
                text.ResetWrittenCount();
                json.ResetWrittenCount();
            }
        }
        catch (CaptureFormatException ex)
        {
            Assert.Equal(file, ex.InputName);
            Assert.True(ex.Offset is not null || ex.Line is not null || ex.Reason == CaptureErrorReason.EmptyInput, ex.Message);
            return;
        }
        Assert.True(packets > 0, "no packet read from " + file);
    }
}
