namespace NetTriage.Reporting.Tests;

public sealed class ReportFormatsTests
{
    [Theory]
    [InlineData("report.md", ReportFormat.Markdown)]
    [InlineData("REPORT.MARKDOWN", ReportFormat.Markdown)]
    [InlineData("out/report.html", ReportFormat.Html)]
    [InlineData("report.htm", ReportFormat.Html)]
    [InlineData("diagnosis.json", ReportFormat.Json)]
    [InlineData("report.txt", ReportFormat.Text)]
    public void The_extension_names_the_format(string path, ReportFormat expected) => Assert.Equal(expected, ReportFormats.FromFileName(path));

    [Theory]
    [InlineData("report")]
    [InlineData("report.pdf")]
    public void Other_extensions_name_none(string path) => Assert.Null(ReportFormats.FromFileName(path));

    [Theory]
    [InlineData("text", ReportFormat.Text)]
    [InlineData("md", ReportFormat.Markdown)]
    [InlineData("markdown", ReportFormat.Markdown)]
    [InlineData("html", ReportFormat.Html)]
    [InlineData("json", ReportFormat.Json)]
    public void Names_parse(string name, ReportFormat expected) => Assert.Equal(expected, ReportFormats.Parse(name));

    [Fact]
    public void Unknown_or_missing_names_parse_to_null()
    {
        Assert.Null(ReportFormats.Parse(null));
        Assert.Null(ReportFormats.Parse("pdf"));
    }
}
