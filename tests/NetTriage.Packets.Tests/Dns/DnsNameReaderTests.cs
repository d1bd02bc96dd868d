using System.Text;
using NetTriage.Packets.Dns;
using static NetTriage.Packets.Tests.Support.PacketWriter;

namespace NetTriage.Packets.Tests.Dns;

public class DnsNameReaderTests
{
    private static (DnsNameStatus Status, string Text, int Next) Read(byte[] message, int offset, int outputSize = DnsNameReader.MaxPresentationLength)
    {
        var output = new byte[outputSize];
        var status = DnsNameReader.Read(message, offset, output, out int next, out int written, out bool full);
        Assert.False(full && outputSize >= DnsNameReader.MaxPresentationLength);
        return (status, Encoding.Latin1.GetString(output, 0, written), next);
    }

    [Fact]
    public void Plain_name_is_written_with_a_trailing_dot()
    {
        var (status, text, next) = Read(Name("www.Example.COM"), 0);
        Assert.Equal(DnsNameStatus.Ok, status);
        Assert.Equal("www.Example.COM.", text);
        Assert.Equal(17, next);
    }

    [Fact]
    public void Root_is_a_single_dot()
    {
        var (status, text, next) = Read([0x00], 0);
        Assert.Equal(DnsNameStatus.Ok, status);
        Assert.Equal(".", text);
        Assert.Equal(1, next);
    }

    [Fact]
    public void Special_and_unprintable_bytes_are_escaped()
    {
        // one label: a . b \ c SP NUL 0xff ESC
        byte[] message = [9, (byte)'a', (byte)'.', (byte)'b', (byte)'\\', (byte)'c', 0x20, 0x00, 0xff, 0x1b, 0];
        var (status, text, _) = Read(message, 0);
        Assert.Equal(DnsNameStatus.Ok, status);
        Assert.Equal(@"a\.b\\c\032\000\255\027.", text);
    }

    [Fact]
    public void Compression_pointer_to_a_prior_name_is_followed()
    {
        // offset 0: example.com.   offset 13: www + pointer to 0
        var message = Concat(Name("example.com"), [3, (byte)'w', (byte)'w', (byte)'w', 0xc0, 0x00]);
        var (status, text, next) = Read(message, 13);
        Assert.Equal(DnsNameStatus.Ok, status);
        Assert.Equal("www.example.com.", text);
        Assert.Equal(19, next);   // just after the pointer, not after the name it points to
    }

    [Fact]
    public void Pointer_to_itself_is_a_loop()
    {
        byte[] message = [0xde, 0xad, 0xc0, 0x02];
        Assert.Equal(DnsNameStatus.CompressionLoop, Read(message, 2).Status);
    }

    [Fact]
    public void Label_then_pointer_back_to_its_own_start_is_a_loop()
    {
        byte[] message = [1, (byte)'a', 0xc0, 0x00];
        Assert.Equal(DnsNameStatus.CompressionLoop, Read(message, 0).Status);
        // entering through the pointer: it jumps back to 0, whose run ends with a pointer to 0 again
        Assert.Equal(DnsNameStatus.CompressionLoop, Read(message, 2).Status);
    }

    [Fact]
    public void Two_pointers_to_each_other_are_a_loop()
    {
        byte[] message = [0xc0, 0x02, 0xc0, 0x00];
        Assert.Equal(DnsNameStatus.CompressionLoop, Read(message, 0).Status);
        Assert.Equal(DnsNameStatus.CompressionLoop, Read(message, 2).Status);
    }

    [Fact]
    public void Forward_pointer_is_refused()
    {
        var message = Concat([0xc0, 0x02], Name("later.example"));
        Assert.Equal(DnsNameStatus.CompressionLoop, Read(message, 0).Status);
    }

    [Theory]
    [InlineData(16, DnsNameStatus.Ok)]
    [InlineData(17, DnsNameStatus.TooManyJumps)]
    public void Chain_of_backward_pointers_is_capped(int jumps, DnsNameStatus expected)
    {
        // offset 0: root; then pointers, each to the one before it
        var message = new List<byte> { 0 };
        for (int i = 0; i < jumps; i++)
        {
            int target = i == 0 ? 0 : 1 + ((i - 1) * 2);
            message.Add((byte)(0xc0 | (target >> 8)));
            message.Add((byte)target);
        }
        var (status, text, _) = Read([.. message], message.Count - 2);
        Assert.Equal(expected, status);
        if (expected == DnsNameStatus.Ok) Assert.Equal(".", text);
    }

    [Fact]
    public void Label_of_64_bytes_is_too_long()
    {
        var message = Concat([64], Enumerable.Repeat((byte)'x', 64).ToArray(), [0]);
        Assert.Equal(DnsNameStatus.LabelTooLong, Read(message, 0).Status);
        var ok = Concat([63], Enumerable.Repeat((byte)'x', 63).ToArray(), [0]);
        Assert.Equal(DnsNameStatus.Ok, Read(ok, 0).Status);
    }

    [Fact]
    public void Reserved_label_type_is_bad()
    {
        Assert.Equal(DnsNameStatus.BadLabelType, Read([0x80, 0x01, 0], 0).Status);
        Assert.Equal(DnsNameStatus.BadLabelType, Read([0xbf, 0x01, 0], 0).Status);
    }

    private static byte[] NameOfWireLength(int wireLength)
    {
        // labels of 63 bytes (64 on the wire) and a final one, plus the root octet
        var bytes = new List<byte>();
        int remaining = wireLength - 1;
        while (remaining > 0)
        {
            int label = Math.Min(63, remaining - 1);
            bytes.Add((byte)label);
            bytes.AddRange(Enumerable.Repeat((byte)'a', label));
            remaining -= label + 1;
        }
        bytes.Add(0);
        Assert.Equal(wireLength, bytes.Count);
        return [.. bytes];
    }

    [Fact]
    public void Name_of_255_bytes_is_accepted_and_256_refused()
    {
        var (status, text, next) = Read(NameOfWireLength(255), 0);
        Assert.Equal(DnsNameStatus.Ok, status);
        Assert.Equal(255, next);
        Assert.Equal(254, text.Length);   // 250 letters, 4 dots
        Assert.Equal(DnsNameStatus.NameTooLong, Read(NameOfWireLength(256), 0).Status);
    }

    [Fact]
    public void Name_made_too_long_through_pointers_is_refused()
    {
        // a 200-byte name, then 63-byte label + pointer to it: 64 + 200 = 264 bytes
        var first = NameOfWireLength(200);
        var message = Concat(first, [63], Enumerable.Repeat((byte)'b', 63).ToArray(), [0xc0, 0x00]);
        Assert.Equal(DnsNameStatus.NameTooLong, Read(message, 200).Status);
    }

    public static IEnumerable<object[]> Prefixes => Enumerable.Range(0, 19).Select(i => new object[] { i });

    [Theory]
    [MemberData(nameof(Prefixes))]
    public void Name_cut_at_every_byte_is_truncated(int length)
    {
        var message = Concat(Name("example.com"), [3, (byte)'w', (byte)'w', (byte)'w', 0xc0, 0x00]);
        // below 13 the plain name at 0 is cut; from 13 on, the compressed name at 13 is cut
        var cut = message[..length];
        var status = DnsNameReader.Read(cut, length < 13 ? 0 : 13, new byte[64], out _, out _, out _);
        Assert.Equal(DnsNameStatus.Truncated, status);
        Assert.Equal(DnsNameStatus.Ok, DnsNameReader.Read(message, length < 13 ? 0 : 13, new byte[64], out _, out _, out _));
    }

    [Fact]
    public void Small_output_stops_writing_but_not_walking()
    {
        var message = Name("long-label.example.com");
        var status = DnsNameReader.Read(message, 0, new byte[8], out int next, out int written, out bool full);
        Assert.Equal(DnsNameStatus.Ok, status);
        Assert.True(full);
        Assert.Equal(message.Length, next);
        Assert.Equal(0, written);
    }

    [Fact]
    public void Empty_output_measures_only()
    {
        var message = Name("a.b");
        var status = DnsNameReader.Read(message, 0, default, out int next, out int written, out bool full);
        Assert.Equal(DnsNameStatus.Ok, status);
        Assert.False(full);
        Assert.Equal(0, written);
        Assert.Equal(5, next);
    }
}
