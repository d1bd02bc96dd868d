using NetTriage.Packets.Formatting;
using NetTriage.Reporting.Document;

namespace NetTriage.Reporting.Terminal;

/// <summary>What a piece of laid-out text is, so the coloured writer can style it.</summary>
internal enum Look
{
    Plain,
    Title,
    Heading,
    Rule,
    Label,
    Strong,
    Code,
    Missing,
    Badge,
    Marker,
}

/// <summary>A piece of a laid-out line: already escaped, ready to print.</summary>
internal readonly record struct Piece(string Text, Look Look, Tone Tone = Tone.None);

/// <summary>
/// Lays the report document out as lines of text for a terminal or a file: headings underlined, labelled values
/// aligned, lists with hanging indents, tables in aligned columns, prose wrapped to the width, evidence lines
/// left whole. Every string is passed through <see cref="TerminalEscaper"/> first, so nothing in a capture can
/// move the cursor, change colours or reorder the text. The result is styled by <see cref="TextRenderer"/>.
/// </summary>
internal sealed class TextLayout
{
    private const int MaxLabelWidth = 28;
    private const int ColumnGap = 2;

    private readonly int _width;
    /// <summary>
    /// Where each line goes as soon as it is laid out: the report is never held whole (a 1 GB capture's text report is
    /// 29,000 lines). The list it is given is reused once it returns.
    /// </summary>
    private readonly Action<List<Piece>> _sink;
    /// <summary>Pieces of the lines emitted last and the one before: what <see cref="Blank"/> asks of them.</summary>
    private int _lastCount = -1, _beforeLastCount = -1;
    private bool _blank = true;
    /// <summary>
    /// Line lists handed back after use (<see cref="Rent"/>): laying out a report allocates a few of them, not one a
    /// line.
    /// </summary>
    private readonly Stack<List<Piece>> _free = new();
    /// <summary>The run of words <see cref="WrapPieces"/> is extending.</summary>
    private readonly System.Text.StringBuilder _run = new();

    private TextLayout(int width, Action<List<Piece>> sink)
    {
        _width = Math.Max(40, width);
        _sink = sink;
    }

    /// <summary>
    /// Lays <paramref name="document"/> out, giving each line to <paramref name="line"/> in order; the list is valid
    /// only during the call.
    /// </summary>
    public static void Lay(ReportDocument document, int width, Action<List<Piece>> line)
    {
        var layout = new TextLayout(width, line);
        layout.Document(document);
    }

    private List<Piece> Rent() => _free.Count > 0 ? _free.Pop() : [];

    private void Return(List<Piece> line)
    {
        line.Clear();
        _free.Push(line);
    }

    private void Document(ReportDocument document)
    {
        string title = TerminalEscaper.Escape(document.Title);
        Emit([new Piece(title, Look.Title)]);
        Emit([new Piece(new string('=', Math.Min(title.Length, _width)), Look.Rule)]);
        Wrap(Convert(document.Subtitle), "", "");
        foreach (var section in document.Sections) Block(section, "");
        Blank();
    }

    private void Block(Block block, string indent)
    {
        switch (block)
        {
            case Section s:
                Heading(s);
                foreach (var b in s.Body) Block(b, indent);
                break;
            case Paragraph p:
                Blank();
                Wrap(Convert(p.Content), indent, indent);
                break;
            case FieldList f:
                Blank();
                Fields(f, indent);
                break;
            case ItemList l:
                Blank();
                List(l, indent);
                break;
            case Table t:
                Blank();
                Table(t, indent);
                break;
            case CodeBlock c:
                Blank();
                string margin = indent + "    ";
                foreach (var text in c.Lines)
                {
                    var line = Rent();
                    line.Add(new Piece(margin, Look.Plain));
                    line.Add(new Piece(TerminalEscaper.Escape(text), Look.Code));
                    EmitRented(line);
                }
                break;
            case TimelineChart:
                break;
            default:
                throw new ArgumentException($"unknown block {block.GetType().Name}", nameof(block));
        }
    }

    private void Heading(Section s)
    {
        Blank();
        if (s.Level <= 2) Blank(force: true);
        var pieces = Convert(s.Title).Select(p => p with { Look = Look.Heading }).ToList();
        string text = string.Concat(pieces.Select(p => p.Text));
        if (s.Level >= 4)
        {
            Wrap([.. pieces, new Piece(":", Look.Heading)], "", "");
            return;
        }
        Wrap(pieces, "", "");
        char rule = s.Level <= 2 ? '=' : '-';
        Emit([new Piece(new string(rule, Math.Min(text.Length, _width)), Look.Rule)]);
    }

    private void Fields(FieldList list, string indent)
    {
        int labelWidth = Math.Min(MaxLabelWidth, list.Fields.Max(f => f.Label.Length + 1));
        foreach (var field in list.Fields)
        {
            string label = (TerminalEscaper.Escape(field.Label) + ":").PadRight(labelWidth);
            var pieces = new List<Piece> { new(label, Look.Label), new(" ", Look.Plain) };
            pieces.AddRange(Convert(field.Value));
            Wrap(pieces, indent, indent + new string(' ', labelWidth + 1), keepFirst: 2);
        }
    }

    private void List(ItemList list, string indent)
    {
        int n = 0;
        int markerWidth = list.Ordered ? list.Items.Count.ToString(System.Globalization.CultureInfo.InvariantCulture).Length + 2 : 2;
        foreach (var item in list.Items)
        {
            string marker = list.Ordered ? $"{++n}.".PadRight(markerWidth) : "- ";
            var pieces = new List<Piece> { new(marker, Look.Marker) };
            pieces.AddRange(Convert(item.Content));
            string inner = indent + new string(' ', marker.Length);
            Wrap(pieces, indent, inner, keepFirst: 1);
            foreach (var child in item.Children)
            {
                if (child is ItemList nested) List(nested, inner);
                else Block(child, inner);
            }
        }
    }

    private void Table(Table table, string indent)
    {
        int columns = table.Columns.Count;
        var header = table.Columns.Select(c => TerminalEscaper.Escape(c.Header)).ToArray();
        var cells = table.Rows.Select(r => Enumerable.Range(0, columns)
            .Select(i => i < r.Count ? Convert(r[i]) : []).ToArray()).ToList();
        var widths = new int[columns];
        for (int i = 0; i < columns; i++)
        {
            widths[i] = Math.Max(header[i].Length, cells.Select(r => Length(r[i])).DefaultIfEmpty(0).Max());
        }
        // Too wide: narrow the columns with the most room to give, one character at a time. A header wraps at its
        // spaces; a number never; a text cell down to 16 characters.
        var narrowest = new int[columns];
        for (int i = 0; i < columns; i++)
        {
            int word = header[i].Split(' ').Max(w => w.Length);
            int cell = cells.Select(r => Length(r[i])).DefaultIfEmpty(0).Max();
            narrowest[i] = Math.Max(word, table.Columns[i].Numeric ? cell : Math.Min(cell, 16));
        }
        int available = _width - indent.Length - ColumnGap * (columns - 1);
        if (narrowest.Sum() > available)
        {
            Records(header, cells, indent);
            return;
        }
        while (widths.Sum() > available)
        {
            int best = -1;
            for (int i = 0; i < columns; i++)
            {
                if (widths[i] > narrowest[i] && (best < 0 || widths[i] - narrowest[i] > widths[best] - narrowest[best])) best = i;
            }
            if (best < 0) break;
            widths[best]--;
        }

        Row(indent, widths, table.Columns, header.Select(h => new List<Piece> { new(h, Look.Label) }).ToArray());
        Emit([new Piece(indent + string.Join(new string(' ', ColumnGap), widths.Select(w => new string('-', w))), Look.Rule)]);
        foreach (var row in cells)
        {
            Row(indent, widths, table.Columns, row);
        }
    }

    /// <summary>A table too wide for the line: each row as one list item of "Header: value" pairs.</summary>
    private void Records(string[] header, List<List<Piece>[]> cells, string indent)
    {
        foreach (var row in cells)
        {
            var pieces = new List<Piece> { new("- ", Look.Marker) };
            for (int i = 0; i < header.Length; i++)
            {
                if (i > 0) pieces.Add(new Piece("; ", Look.Plain));
                pieces.Add(new Piece(header[i] + ":", Look.Label));
                pieces.Add(new Piece(" ", Look.Plain));
                pieces.AddRange(row[i]);
            }
            Wrap(pieces, indent, indent + "  ", keepFirst: 1);
        }
    }

    private void Row(string indent, int[] widths, IReadOnlyList<Column> columns, IReadOnlyList<List<Piece>> cells)
    {
        var wrapped = cells.Select((c, i) => WrapPieces(c, 0, widths[i], widths[i])).ToList();
        int height = wrapped.Max(w => w.Count);
        for (int line = 0; line < height; line++)
        {
            var pieces = Rent();
            pieces.Add(new(indent, Look.Plain));
            for (int i = 0; i < widths.Length; i++)
            {
                var content = line < wrapped[i].Count ? wrapped[i][line] : [];
                int pad = widths[i] - Length(content);
                if (columns[i].Numeric) pieces.Add(new Piece(new string(' ', Math.Max(0, pad)), Look.Plain));
                pieces.AddRange(content);
                if (!columns[i].Numeric && i < widths.Length - 1) pieces.Add(new Piece(new string(' ', Math.Max(0, pad)), Look.Plain));
                if (i < widths.Length - 1) pieces.Add(new Piece(new string(' ', ColumnGap), Look.Plain));
            }
            EmitRented(pieces);
        }
        foreach (var cell in wrapped) ReturnAll(cell);
    }

    /// <summary>Wraps pieces into lines: the first after <paramref name="first"/>, the rest after <paramref name="rest"/>.</summary>
    /// <param name="keepFirst">How many leading pieces (a marker, a label) stay together at the start.</param>
    private void Wrap(List<Piece> pieces, string first, string rest, int keepFirst = 0)
    {
        keepFirst = Math.Min(keepFirst, pieces.Count);
        int headWidth = 0;
        for (int k = 0; k < keepFirst; k++) headWidth += pieces[k].Text.Length;
        int firstWidth = _width - first.Length - headWidth;
        int restWidth = _width - rest.Length;
        var lines = WrapPieces(pieces, keepFirst, Math.Max(10, firstWidth), Math.Max(10, restWidth));
        for (int i = 0; i < lines.Count; i++)
        {
            var line = Rent();
            line.Add(new(i == 0 ? first : rest, Look.Plain));
            if (i == 0)
            {
                for (int k = 0; k < keepFirst; k++) line.Add(pieces[k]);
            }
            line.AddRange(lines[i]);
            EmitRented(line);
        }
        ReturnAll(lines);
    }

    /// <summary>Takes back the lines <see cref="WrapPieces"/> made, once they are emitted.</summary>
    private void ReturnAll(List<List<Piece>> lines)
    {
        foreach (var line in lines) Return(line);
    }

    /// <summary>
    /// Word-wraps styled text (the pieces from <paramref name="from"/> on); a word longer than a line is cut. Always
    /// returns at least one line, in lists from <see cref="Rent"/> for the caller to hand back. Words of one look that
    /// follow each other on a line make one piece: the run being extended is built in <see cref="_run"/> and made a
    /// string once, when something else follows it or the line ends (joining word by word made a string a word, most
    /// of the allocation of a large report's rendering).
    /// </summary>
    private List<List<Piece>> WrapPieces(List<Piece> pieces, int from, int firstWidth, int restWidth)
    {
        var run = _run;
        var lines = new List<List<Piece>> { Rent() };
        int used = 0;
        int limit = firstWidth;
        bool pendingSpace = false;
        // True while the last piece of the last line is being extended in run (its Text is stale until Close).
        bool open = false;
        void Close()
        {
            if (!open) return;
            var line = lines[^1];
            line[^1] = line[^1] with { Text = run.ToString() };
            open = false;
        }
        for (int p = from; p < pieces.Count; p++)
        {
            var piece = pieces[p];
            int i = 0;
            string text = piece.Text;
            while (i < text.Length)
            {
                if (text[i] == ' ')
                {
                    pendingSpace = used > 0;
                    i++;
                    continue;
                }
                int end = text.IndexOf(' ', i);
                if (end < 0) end = text.Length;
                int wordLength = end - i;
                int need = wordLength + (pendingSpace ? 1 : 0);
                if (used > 0 && used + need > limit)
                {
                    Close();
                    lines.Add(Rent());
                    used = 0;
                    limit = restWidth;
                    pendingSpace = false;
                    need = wordLength;
                }
                if (pendingSpace)
                {
                    // A space between two words of one look joins them, so a styled phrase is one styled run.
                    var line = lines[^1];
                    if (line.Count > 0 && line[^1].Look == piece.Look && line[^1].Tone == piece.Tone && wordLength <= limit - used - 1)
                    {
                        if (!open)
                        {
                            run.Clear().Append(line[^1].Text);
                            open = true;
                        }
                        run.Append(' ').Append(text, i, wordLength);
                        used += wordLength + 1;
                        pendingSpace = false;
                        i = end;
                        continue;
                    }
                    Close();
                    line.Add(new Piece(" ", Look.Plain));
                    used++;
                    pendingSpace = false;
                }
                Close();
                // The piece's own text when the word is all of it (a label, a number): no copy.
                string word = wordLength == text.Length ? text : text.Substring(i, wordLength);
                while (word.Length > limit - used && used == 0 && word.Length > limit)
                {
                    lines[^1].Add(piece with { Text = word[..limit] });
                    word = word[limit..];
                    lines.Add(Rent());
                    limit = restWidth;
                }
                if (word.Length > 0)
                {
                    lines[^1].Add(piece with { Text = word });
                    used += word.Length;
                }
                i = end;
            }
        }
        Close();
        return lines;
    }

    private static List<Piece> Convert(IReadOnlyList<Span> spans)
    {
        var pieces = new List<Piece>(spans.Count);
        foreach (var span in spans)
        {
            string text = TerminalEscaper.Escape(span.Text);
            pieces.Add(span.Kind switch
            {
                SpanKind.Strong => new Piece(text, Look.Strong),
                SpanKind.Code => new Piece(text, Look.Code),
                SpanKind.Missing => new Piece(text, Look.Missing, span.Tone),
                SpanKind.Badge => new Piece("[" + text.ToUpperInvariant() + "]", Look.Badge, span.Tone),
                _ => new Piece(text, Look.Plain),
            });
        }
        return pieces;
    }

    private static int Length(IEnumerable<Piece> pieces) => pieces.Sum(p => p.Text.Length);

    private void Emit(List<Piece> pieces)
    {
        // Trailing spaces (padding of a last column, an empty indent) are dropped.
        while (pieces.Count > 0 && string.IsNullOrWhiteSpace(pieces[^1].Text)) pieces.RemoveAt(pieces.Count - 1);
        _sink(pieces);
        _beforeLastCount = _lastCount;
        _lastCount = pieces.Count;
        _blank = pieces.Count == 0;
    }

    /// <summary>Emits a line the layout made for it, then takes the list back.</summary>
    private void EmitRented(List<Piece> pieces)
    {
        Emit(pieces);
        Return(pieces);
    }

    private void Blank(bool force = false)
    {
        if (_blank && !force) return;
        if (_blank && _beforeLastCount == 0 && _lastCount == 0) return;
        EmitRented(Rent());
    }
}
