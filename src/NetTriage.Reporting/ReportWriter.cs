using NetTriage.Analysis;
using NetTriage.Analysis.Diagnosis;
using NetTriage.Packets.Formatting;
using NetTriage.Reporting.Document;
using NetTriage.Reporting.Html;
using NetTriage.Reporting.Markdown;
using NetTriage.Reporting.Terminal;

namespace NetTriage.Reporting;

/// <summary>Writes the report of an analysis in one format. JSON is the model itself; the other formats present it.</summary>
public static class ReportWriter
{
    /// <summary>
    /// Writes <paramref name="report"/> with <paramref name="context"/> as <paramref name="format"/>; text is plain
    /// (use <see cref="TextRenderer.Render(ReportDocument, Spectre.Console.IAnsiConsole, int)"/> for colour).
    /// The case context enters the JSON only where the analysis model holds it (each incident's
    /// <c>atFault.fromCase</c>, as <c>analyze</c> writes it); <paramref name="zone"/>, the zone the other formats print
    /// absolute times in (UTC without one), does not: the JSON's times are always UTC.
    /// </summary>
    public static void Write(ReportFormat format, AnalysisReport report, ReportContext? context, TextWriter output, int width = TextRenderer.DefaultWidth, DisplayZone? zone = null)
    {
        ArgumentNullException.ThrowIfNull(report);
        ArgumentNullException.ThrowIfNull(output);
        switch (format)
        {
            case ReportFormat.Json:
                output.Write(AnalysisJson.Serialize(FaultJudge.WithCase(report, (context ?? ReportContext.Empty).Hints())));
                output.Write('\n');
                break;
            case ReportFormat.Markdown:
                MarkdownRenderer.Render(ReportBuilder.Build(report, context, zone), output);
                break;
            case ReportFormat.Html:
                HtmlRenderer.Render(ReportBuilder.Build(report, context, zone), output);
                break;
            default:
                TextRenderer.Render(ReportBuilder.Build(report, context, zone), output, width);
                break;
        }
    }

    /// <summary>The brief report (<see cref="ReportBuilder.BuildBrief"/>) as text, Markdown or HTML.</summary>
    public static void WriteBrief(ReportFormat format, AnalysisReport report, ReportContext? context, TextWriter output, int width = TextRenderer.DefaultWidth, DisplayZone? zone = null)
    {
        ArgumentNullException.ThrowIfNull(report);
        ArgumentNullException.ThrowIfNull(output);
        var document = ReportBuilder.BuildBrief(report, context, zone);
        switch (format)
        {
            case ReportFormat.Json:
                throw new ArgumentException("the JSON is the whole analysis model; it has no brief form", nameof(format));
            case ReportFormat.Markdown:
                MarkdownRenderer.Render(document, output);
                break;
            case ReportFormat.Html:
                HtmlRenderer.Render(document, output);
                break;
            default:
                TextRenderer.Render(document, output, width);
                break;
        }
    }

    /// <summary>The report as a string (tests, small outputs).</summary>
    public static string Write(ReportFormat format, AnalysisReport report, ReportContext? context = null, int width = TextRenderer.DefaultWidth, DisplayZone? zone = null)
    {
        using var writer = new StringWriter { NewLine = "\n" };
        Write(format, report, context, writer, width, zone);
        return writer.ToString();
    }
}
