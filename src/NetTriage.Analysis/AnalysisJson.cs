using System.Text.Json;
using System.Text.Json.Serialization;

namespace NetTriage.Analysis;

/// <summary>The JSON form of <see cref="AnalysisReport"/> (schema "nettriage.analysis", version 1).</summary>
public static class AnalysisJson
{
    public static void Write(AnalysisReport report, Stream output)
    {
        JsonSerializer.Serialize(output, report, AnalysisJsonContext.Default.AnalysisReport);
    }

    public static string Serialize(AnalysisReport report) =>
        JsonSerializer.Serialize(report, AnalysisJsonContext.Default.AnalysisReport);

    public static AnalysisReport? Deserialize(string json) =>
        JsonSerializer.Deserialize(json, AnalysisJsonContext.Default.AnalysisReport);
}

/// <summary>
/// Source-generated serialization: camelCase names, nulls left out, indented. The default encoder escapes
/// HTML-sensitive characters and control characters in strings from the capture.
/// </summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    WriteIndented = true,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(AnalysisReport))]
internal sealed partial class AnalysisJsonContext : JsonSerializerContext;
