namespace NetTriage.Reporting;

/// <summary>The formats a report can be written in.</summary>
public enum ReportFormat
{
    /// <summary>Text for a terminal (coloured there) or a file (plain).</summary>
    Text,
    Markdown,
    Html,
    /// <summary>The incident model itself (schema nettriage.analysis).</summary>
    Json,
}

public static class ReportFormats
{
    /// <summary>The format named on the command line ("text", "md", "markdown", "html", "json"), or null.</summary>
    public static ReportFormat? Parse(string? name) => name?.ToLowerInvariant() switch
    {
        "text" or "txt" => ReportFormat.Text,
        "md" or "markdown" => ReportFormat.Markdown,
        "html" or "htm" => ReportFormat.Html,
        "json" => ReportFormat.Json,
        _ => null,
    };

    /// <summary>The format a file name's extension asks for (.md, .markdown, .html, .htm, .json, .txt, .text), or null.</summary>
    public static ReportFormat? FromFileName(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        return Path.GetExtension(path).ToLowerInvariant() switch
        {
            ".md" or ".markdown" => ReportFormat.Markdown,
            ".html" or ".htm" => ReportFormat.Html,
            ".json" => ReportFormat.Json,
            ".txt" or ".text" => ReportFormat.Text,
            _ => null,
        };
    }
}
