using System.Globalization;
using NetTriage.Reporting.Document;

namespace NetTriage.Reporting.Html;

/// <summary>
/// Draws an incident's timeline as inline SVG: a time axis with round-number ticks, one dot per event coloured by
/// what the packet was (a request sent, or the error that answered it), the event's number above it (the number
/// of the timeline table's row), and a tooltip (<c>&lt;title&gt;</c>) with the escaped event text. Only numbers
/// the renderer computes go into attributes.
/// </summary>
internal static class TimelineSvg
{
    private const int Width = 960;
    private const int Left = 48;
    private const int Right = 48;
    private const int LabelRowHeight = 15;
    private const int MaxLabelRows = 4;
    private const double MinLabelGap = 18;

    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    private static readonly double[] Steps =
    [
        0.000001, 0.000002, 0.000005, 0.00001, 0.00002, 0.00005, 0.0001, 0.0002, 0.0005,
        0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5,
        1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 10800, 21600, 43200, 86400,
        172800, 604800, 2592000, 31536000,
    ];

    public static void Write(TextWriter w, TimelineChart chart)
    {
        var points = chart.Points.Where(p => double.IsFinite(p.Seconds)).ToList();
        if (points.Count == 0) return;
        double t0 = points.Min(p => p.Seconds);
        double t1 = points.Max(p => p.Seconds);
        double span = t1 - t0;
        const double plot = Width - Left - Right;
        double X(double t) => span <= 0 ? Left + plot / 2 : Left + (t - t0) / span * plot;

        // Number labels: each goes to the lowest row where it does not touch the previous label.
        var rowEnds = new double[MaxLabelRows];
        Array.Fill(rowEnds, double.NegativeInfinity);
        var rows = new int[points.Count];
        int usedRows = 1;
        var order = Enumerable.Range(0, points.Count).OrderBy(i => points[i].Seconds).ToList();
        foreach (int i in order)
        {
            double x = X(points[i].Seconds);
            int row = Array.FindIndex(rowEnds, end => x - end >= MinLabelGap);
            rows[i] = row;
            if (row >= 0)
            {
                rowEnds[row] = x;
                usedRows = Math.Max(usedRows, row + 1);
            }
        }

        int axisY = 24 + usedRows * LabelRowHeight + 16;
        int tickLabelY = axisY + 22;
        int legendY = tickLabelY + 26;
        int height = legendY + 14;

        string caption = $"Timeline: {points.Count} event{(points.Count == 1 ? "" : "s")} from {points[order[0]].Time} to {points[order[^1]].Time}";
        w.Write("<figure class=\"timeline\">\n");
        w.Write($"<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {Width} {height}\" role=\"img\" aria-label=\"timeline\">\n");
        w.Write("<title>" + HtmlEscaper.Escape(caption) + "</title>\n");
        w.Write($"<line class=\"axis\" x1=\"{Left}\" y1=\"{axisY}\" x2=\"{Width - Right}\" y2=\"{axisY}\"/>\n");

        // Ticks sit on round clock times of the report's zone: they are found on the shifted clock, then placed back.
        double shift = chart.TimeKind == "absolute" ? chart.ClockOffset : 0;
        foreach (var (t, label) in Ticks(chart.TimeKind, t0 + shift, t1 + shift))
        {
            string x = F(X(t - shift));
            w.Write($"<line class=\"tick\" x1=\"{x}\" y1=\"{axisY}\" x2=\"{x}\" y2=\"{axisY + 6}\"/>");
            w.Write($"<text class=\"tick-label\" x=\"{x}\" y=\"{tickLabelY}\" text-anchor=\"middle\">{HtmlEscaper.Escape(label)}</text>\n");
        }

        for (int i = 0; i < points.Count; i++)
        {
            var p = points[i];
            string x = F(X(p.Seconds));
            string tone = DotClass(p.Tone);
            w.Write("<g>");
            w.Write("<title>" + HtmlEscaper.Escape($"#{p.Number} {p.Time}: {p.Event} ({p.Reference})") + "</title>");
            if (rows[i] >= 0)
            {
                int labelY = axisY - 16 - rows[i] * LabelRowHeight;
                w.Write($"<line class=\"stem\" x1=\"{x}\" y1=\"{labelY + 3}\" x2=\"{x}\" y2=\"{axisY}\"/>");
                w.Write($"<text x=\"{x}\" y=\"{labelY}\" text-anchor=\"middle\">{p.Number.ToString(Invariant)}</text>");
            }
            w.Write($"<circle class=\"{tone}\" cx=\"{x}\" cy=\"{axisY}\" r=\"6\"/>");
            w.Write("</g>\n");
        }

        // Legend: one swatch per role present, in order of first appearance.
        double lx = Left;
        foreach (var group in points.GroupBy(p => LegendName(p.Role)).Take(6))
        {
            string tone = DotClass(group.First().Tone);
            string text = group.Key;
            w.Write($"<circle class=\"{tone}\" cx=\"{F(lx + 6)}\" cy=\"{legendY - 4}\" r=\"5\"/>");
            w.Write($"<text x=\"{F(lx + 16)}\" y=\"{legendY}\">{HtmlEscaper.Escape(text.Length > 40 ? text[..40] + "\u2026" : text)}</text>\n");
            lx += 36 + Math.Min(text.Length, 40) * 7;
        }
        w.Write("</svg>\n");
        // The hint about hovering holds only on a screen: the print style hides it.
        w.Write("<figcaption>" + HtmlRenderer.Text(caption) + ". The numbers are the rows of the table below<span class=\"screen-only\">; hovering a dot shows its event</span>.</figcaption>\n");
        w.Write("</figure>\n");
    }

    /// <summary>Round-number ticks between <paramref name="t0"/> and <paramref name="t1"/> (at most 8), labelled for the time base.</summary>
    internal static List<(double Seconds, string Label)> Ticks(string kind, double t0, double t1)
    {
        var ticks = new List<(double, string)>();
        double span = t1 - t0;
        if (span <= 0)
        {
            ticks.Add((t0, Label(kind, t0, t0, 1)));
            return ticks;
        }
        double step = Steps.FirstOrDefault(s => span / s <= 8, Steps[^1]);
        // Clock labels sit on round clock times; offsets ("+500 ms") count round steps from the first event.
        bool offsets = step < 1 || kind is "relative" or "none";
        double first = offsets ? t0 : Math.Ceiling(t0 / step) * step;
        for (double t = first; t <= t1 + step * 1e-9 && ticks.Count < 10; t += step)
        {
            ticks.Add((t, Label(kind, t, t0, step)));
        }
        return ticks;
    }

    private static string Label(string kind, double t, double t0, double step)
    {
        if (step < 1 || kind is "relative" or "none")
        {
            double offset = t - t0;
            return offset == 0 ? "0 s" : "+" + Seconds(offset, step);
        }
        long whole = (long)Math.Round(t);
        string format = step >= 60 ? @"hh\:mm" : @"hh\:mm\:ss";
        if (kind == "absolute")
        {
            var dt = DateTime.UnixEpoch.AddSeconds(whole);
            return step >= 86400 ? dt.ToString("yyyy-MM-dd", Invariant) : dt.TimeOfDay.ToString(format, Invariant);
        }
        return TimeSpan.FromSeconds(whole % 86400).ToString(format, Invariant);
    }

    private static string Seconds(double value, double step)
    {
        if (step < 0.001) return (value * 1e6).ToString("0", Invariant) + " \u00b5s";
        if (step < 1) return (value * 1e3).ToString("0", Invariant) + " ms";
        return value.ToString("0", Invariant) + " s";
    }

    /// <summary>"syn (sent 3 times)" and "syn" share one swatch.</summary>
    private static string LegendName(string role)
    {
        int cut = role.IndexOf(" (", StringComparison.Ordinal);
        string name = cut > 0 ? role[..cut] : role;
        return name.Length == 0 ? "event" : name;
    }

    private static string DotClass(Tone tone) => tone switch
    {
        Tone.Bad => "dot-bad",
        Tone.Info => "dot-info",
        Tone.Good => "dot-good",
        Tone.Warning => "dot-warning",
        Tone.Muted => "dot-muted",
        _ => "dot-none",
    };

    private static string F(double v) => v.ToString("0.#", Invariant);
}
