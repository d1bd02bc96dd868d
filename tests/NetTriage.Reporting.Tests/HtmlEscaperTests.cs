using NetTriage.Reporting.Html;

namespace NetTriage.Reporting.Tests;

public sealed class HtmlEscaperTests
{
    [Theory]
    [InlineData("plain 203.0.113.2", "plain 203.0.113.2")]
    [InlineData("<script>alert(1)</script>", "&lt;script&gt;alert(1)&lt;/script&gt;")]
    [InlineData("\"><img src=x onerror='a'>", "&quot;&gt;&lt;img src=x onerror=&#39;a&#39;&gt;")]
    [InlineData("&amp;", "&amp;amp;")]
    [InlineData("a\u001b[31mb", "a\\x1B[31mb")]
    [InlineData("evil\u202Etxt", "evil\\u202Etxt")]
    [InlineData("line\nbreak", "line\\x0Abreak")]
    [InlineData("caf\u00e9 \U0001F600", "caf\u00e9 \U0001F600")]
    public void Text_is_inert(string text, string expected) => Assert.Equal(expected, HtmlEscaper.Escape(text));

    [Fact]
    public void Unchanged_text_is_returned_as_is()
    {
        const string text = "nothing to escape";
        Assert.Same(text, HtmlEscaper.Escape(text));
    }
}
