namespace NetTriage.Reporting.Tests;

public sealed class ReportContextTests
{
    [Fact]
    public void Empty_is_empty() => Assert.True(ReportContext.Empty.IsEmpty);

    [Fact]
    public void Command_line_values_override_the_file()
    {
        var file = new ReportContext { Title = "File title", Analyst = "File analyst", Symptoms = ["file symptom"], Actions = ["file action"] };
        var flags = ReportContext.FromValues("Flag title", null, null, ["flag symptom"], null, null, null);
        var merged = file.Merge(flags);
        Assert.Equal("Flag title", merged.Title);
        Assert.Equal("File analyst", merged.Analyst);
        Assert.Equal(["flag symptom"], merged.Symptoms);
        Assert.Equal(["file action"], merged.Actions);
    }

    [Fact]
    public void Blank_values_are_not_given_and_whitespace_collapses()
    {
        var context = ReportContext.FromValues("  ", "Org\r\n  Name", "\t", ["", "  a  b "], null, null, "");
        Assert.Null(context.Title);
        Assert.Equal("Org Name", context.Organisation);
        Assert.Null(context.Awareness);
        Assert.Equal(["a b"], context.Symptoms);
        Assert.Null(context.CaseId);
        Assert.False(context.IsEmpty);
    }

    [Fact]
    public void Long_command_line_values_are_cut()
    {
        var context = ReportContext.FromValues(new string('x', CaseFile.MaxValueLength * 2), null, null, null, null, null, null);
        Assert.Equal(CaseFile.MaxValueLength + 1, context.Title!.Length);
        Assert.EndsWith("\u2026", context.Title, StringComparison.Ordinal);
    }
}
