using NetTriage.Reporting.Markdown;

namespace NetTriage.Reporting.Tests;

public sealed class MarkdownEscaperTests
{
    [Theory]
    [InlineData("plain words 203.0.113.2 (high confidence)", "plain words 203.0.113.2 (high confidence)")]
    [InlineData("<script>alert(1)</script>", "\\<script\\>alert(1)\\</script\\>")]
    [InlineData("[click](javascript:alert(1))", "\\[click\\](javascript:alert(1))")]
    [InlineData("![img](x)", "\\!\\[img\\](x)")]
    [InlineData("*a* _b_ ~c~ `d` |e|", "\\*a\\* \\_b\\_ \\~c\\~ \\`d\\` \\|e\\|")]
    [InlineData("a\\b", "a\\\\b")]
    [InlineData("&lt; $x$ a@b", "\\&lt; \\$x\\$ a\\@b")]
    [InlineData("see http://evil.example/", "see http\\://evil.example/")]
    [InlineData("go to www.evil.example or WWW.x", "go to www\\.evil.example or WWW\\.x")]
    [InlineData("a # not a heading", "a # not a heading")]
    public void Inline_syntax_is_escaped(string text, string expected) => Assert.Equal(expected, MarkdownEscaper.Escape(text));

    [Theory]
    [InlineData("- item", "\\- item")]
    [InlineData("+ item", "\\+ item")]
    [InlineData("# heading", "\\# heading")]
    [InlineData("> quote", "\\> quote")]
    [InlineData("=== underline", "\\=== underline")]
    [InlineData("12. ordered", "12\\. ordered")]
    [InlineData("3) ordered", "3\\) ordered")]
    [InlineData("    code", "&#32;&#32;&#32;&#32;code")]
    [InlineData("2023 was fine", "2023 was fine")]
    public void Block_starts_are_escaped_only_at_block_start(string text, string expected)
    {
        Assert.Equal(expected, MarkdownEscaper.Escape(text, atBlockStart: true));
    }

    [Fact]
    public void Hash_is_escaped_in_headings() => Assert.Equal("Title \\#\\#", MarkdownEscaper.Escape("Title ##", inHeading: true));

    [Fact]
    public void Control_characters_and_bidi_overrides_become_visible()
    {
        string escaped = MarkdownEscaper.Escape("a\u001b[31mb\r\n# c\u202Ed");
        Assert.Equal("a\\\\x1B\\[31mb\\\\x0D\\\\x0A# c\\\\u202Ed", escaped);
        Assert.DoesNotContain('\n', escaped);
        Assert.DoesNotContain('\u202E', escaped);
    }

    [Theory]
    [InlineData("abc", "`abc`")]
    [InlineData("a`b", "``a`b``")]
    [InlineData("a``b```c", "````a``b```c````")]
    [InlineData("`starts", "`` `starts ``")]
    [InlineData("<b>", "`<b>`")]
    public void Code_spans_use_a_fence_longer_than_any_run(string text, string expected) =>
        Assert.Equal(expected, MarkdownEscaper.CodeSpan(text));

    [Fact]
    public void Code_spans_in_tables_escape_the_pipe()
    {
        Assert.Equal("`a|b`", MarkdownEscaper.CodeSpan("a|b"));
        Assert.Equal("`a\\|b`", MarkdownEscaper.CodeSpan("a|b", inTable: true));
    }

    [Theory]
    [InlineData(new[] { "no ticks" }, "```")]
    [InlineData(new[] { "one ``` run", "x" }, "````")]
    [InlineData(new[] { "a", "``````" }, "```````")]
    public void Fences_are_longer_than_any_backtick_run(string[] lines, string expected) =>
        Assert.Equal(expected, MarkdownEscaper.Fence(lines));
}
