using System.Text;
using NetTriage.Reporting.Document;
using Spectre.Console;

namespace NetTriage.Reporting.Terminal;

/// <summary>
/// The report for a terminal or a text file, laid out by <see cref="TextLayout"/>: plain text (for pipes, files,
/// and when NO_COLOR is set) or coloured through Spectre.Console. Both show the same words in the same places;
/// colour only marks severities, confidences, headings and literal values. Capture text is escaped by the layout
/// (control characters made visible) and written through Spectre's <see cref="Text"/>, which never parses markup,
/// so a name such as <c>[red]</c> prints as itself.
/// </summary>
public static class TextRenderer
{
    /// <summary>Line width of the plain text report.</summary>
    public const int DefaultWidth = 100;

    public static string Render(ReportDocument document, int width = DefaultWidth)
    {
        var sb = new StringBuilder(16 * 1024);
        using (var writer = new StringWriter(sb) { NewLine = "\n" })
        {
            Render(document, writer, width);
        }
        return sb.ToString();
    }

    /// <summary>Plain text, no escape sequence of any kind.</summary>
    public static void Render(ReportDocument document, TextWriter output, int width = DefaultWidth)
    {
        ArgumentNullException.ThrowIfNull(document);
        ArgumentNullException.ThrowIfNull(output);
        TextLayout.Lay(document, width, line =>
        {
            foreach (var piece in line) output.Write(piece.Text);
            output.Write('\n');
        });
    }

    /// <summary>Coloured text on a Spectre.Console console (which decides how many colours the terminal has).</summary>
    public static void Render(ReportDocument document, IAnsiConsole console, int width)
    {
        ArgumentNullException.ThrowIfNull(document);
        ArgumentNullException.ThrowIfNull(console);
        TextLayout.Lay(document, width, line =>
        {
            foreach (var piece in line)
            {
                console.Write(new Text(piece.Text, StyleOf(piece)));
            }
            console.WriteLine();
        });
    }

    /// <summary>A console that writes ANSI colours to <paramref name="output"/> whatever it is (a terminal, a file, a test's buffer).</summary>
    public static IAnsiConsole ColourConsole(TextWriter output, ColorSystemSupport colours = ColorSystemSupport.Standard)
    {
        ArgumentNullException.ThrowIfNull(output);
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Ansi = AnsiSupport.Yes,
            ColorSystem = colours,
            Interactive = InteractionSupport.No,
            Out = new AnsiConsoleOutput(output),
        });
        // The layout wraps; Spectre must not wrap again.
        console.Profile.Width = 4096;
        return console;
    }

    private static Style StyleOf(Piece piece) => piece.Look switch
    {
        Look.Title => new Style(Color.Aqua, decoration: Decoration.Bold),
        Look.Heading => new Style(Color.Aqua, decoration: Decoration.Bold),
        Look.Rule => new Style(Color.Grey),
        Look.Label => new Style(Color.Grey),
        Look.Strong => new Style(decoration: Decoration.Bold),
        Look.Code => new Style(Color.Teal),
        Look.Missing => new Style(Color.Grey, decoration: Decoration.Italic),
        Look.Badge => new Style(ToneColour(piece.Tone), decoration: Decoration.Bold),
        Look.Marker => new Style(Color.Grey),
        _ => Style.Plain,
    };

    private static Color ToneColour(Tone tone) => tone switch
    {
        Tone.Bad => Color.Red,
        Tone.Warning => Color.Yellow,
        Tone.Good => Color.Green,
        Tone.Info => Color.Blue,
        _ => Color.Grey,
    };
}
