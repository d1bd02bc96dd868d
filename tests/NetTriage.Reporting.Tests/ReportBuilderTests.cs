using NetTriage.Analysis;
using NetTriage.Reporting.Document;
using NetTriage.Reporting.Html;
using NetTriage.Reporting.Markdown;
using NetTriage.Reporting.Terminal;

namespace NetTriage.Reporting.Tests;

/// <summary>What the report says, from the model: every part the issue asks for, and nothing the model does not hold.</summary>
public sealed class ReportBuilderTests
{
    private static IEnumerable<Block> Flatten(IEnumerable<Block> blocks)
    {
        foreach (var block in blocks)
        {
            yield return block;
            var inner = block switch
            {
                Section s => Flatten(s.Body),
                ItemList l => Flatten(l.Items.SelectMany(i => i.Children)),
                _ => [],
            };
            foreach (var b in inner) yield return b;
        }
    }

    private static IEnumerable<Section> Sections(ReportDocument d) => Flatten(d.Sections).OfType<Section>();

    private static string Text(IEnumerable<Span> spans) => string.Concat(spans.Select(s => s.Text));

    private static string AllText(ReportDocument d) => string.Join("\n", Flatten(d.Sections).Select(b => b switch
    {
        Section s => Text(s.Title),
        Paragraph p => Text(p.Content),
        FieldList f => string.Join("\n", f.Fields.Select(x => x.Label + ": " + Text(x.Value))),
        ItemList l => string.Join("\n", l.Items.Select(i => Text(i.Content))),
        Table t => string.Join("\n", t.Rows.Select(r => string.Join(" | ", r.Select(Text)))),
        CodeBlock c => string.Join("\n", c.Lines),
        _ => "",
    }));

    private static Field FieldOf(ReportDocument d, string label) =>
        Flatten(d.Sections).OfType<FieldList>().SelectMany(f => f.Fields).First(f => f.Label == label);

    [Fact]
    public void The_seed_report_has_every_part()
    {
        var document = ReportBuilder.Build(TestCaptures.Sample("seed-incident.pcap"));
        var titles = Sections(document).Select(s => Text(s.Title)).ToList();
        Assert.Contains("Summary", titles);
        Assert.Contains("Case", titles);
        Assert.Contains("Inputs analysed", titles);
        Assert.Contains(titles, t => t.StartsWith("Incident INC-1: DNS failure", StringComparison.Ordinal));
        Assert.Contains("Part 1: the problem found in the traffic", titles);
        Assert.Contains("Part 2: analysis", titles);
        foreach (var part in new[] { "When it occurred", "How the team became aware", "What was done to investigate", "Key findings",
            "Likely causes, most likely first", "Ruled out", "Next steps", "Timeline", "Evidence", "Traffic overview", "Protocols",
            "Top talkers", "DNS", "TCP" })
        {
            Assert.Contains(part, titles);
        }
    }

    [Fact]
    public void Part_one_names_protocol_port_server_evidence_and_the_most_likely_issue()
    {
        var document = ReportBuilder.Build(TestCaptures.Sample("seed-incident.pcap"));
        Assert.Equal("DNS over UDP (application layer)", Text(FieldOf(document, "Protocol affected").Value));
        Assert.StartsWith("port 53/UDP (domain) \u2014 DNS: resolving names", Text(FieldOf(document, "Service and port").Value), StringComparison.Ordinal);
        Assert.Equal("203.0.113.2", Text(FieldOf(document, "Server").Value));
        Assert.Equal("3, of which 3 failed", Text(FieldOf(document, "Attempts").Value));
        Assert.Contains("udp port 53 unreachable", Text(FieldOf(document, "The ICMP error as captured").Value), StringComparison.Ordinal);
        Assert.Contains("(frame 2)", Text(FieldOf(document, "The ICMP error as captured").Value), StringComparison.Ordinal);
        Assert.Contains("sent 3 ICMP errors: port unreachable (type 3, code 3)", Text(FieldOf(document, "What the evidence shows").Value), StringComparison.Ordinal);
        var likely = FieldOf(document, "Most likely issue").Value;
        Assert.Contains("not running or not listening on port 53", Text(likely), StringComparison.Ordinal);
        Assert.Contains(likely, s => s.Kind == SpanKind.Badge && s.Text == "high confidence");
    }

    [Fact]
    public void Causes_are_ranked_with_evidence_for_and_against()
    {
        var report = TestCaptures.Sample("seed-incident.pcap");
        var document = ReportBuilder.Build(report);
        var causes = Sections(document).Single(s => Text(s.Title) == "Likely causes, most likely first").Body.OfType<ItemList>().Single();
        Assert.True(causes.Ordered);
        Assert.Equal(report.Incidents[0].Causes.Count, causes.Items.Count);
        var first = causes.Items[0];
        Assert.Equal(report.Incidents[0].Causes[0].Title, first.Content[0].Text);
        var reasons = ((ItemList)first.Children.Single()).Items.Select(i => Text(i.Content)).ToList();
        Assert.Contains(reasons, r => r.StartsWith("For: ", StringComparison.Ordinal));
        Assert.Contains(reasons, r => r.StartsWith("Against: ", StringComparison.Ordinal));
    }

    [Fact]
    public void Missing_case_fields_say_not_provided()
    {
        var document = ReportBuilder.Build(TestCaptures.Sample("seed-incident.txt"));
        foreach (var label in new[] { "Case reference", "Title", "Organisation", "Analyst", "How the team became aware", "Symptoms reported", "Actions already taken" })
        {
            var value = FieldOf(document, label).Value.Single();
            Assert.Equal(SpanKind.Missing, value.Kind);
            Assert.Equal("not provided", value.Text);
        }
        Assert.Contains("Actions taken before this analysis: not provided", AllText(document), StringComparison.Ordinal);
    }

    [Fact]
    public void Given_case_fields_are_shown_and_the_rest_stay_not_provided()
    {
        var context = new ReportContext { Analyst = "J. Doe", Actions = ["Replicated the failure"] };
        var document = ReportBuilder.Build(TestCaptures.Sample("seed-incident.txt"), context);
        Assert.Equal("J. Doe", Text(FieldOf(document, "Analyst").Value));
        Assert.Equal(SpanKind.Missing, FieldOf(document, "Organisation").Value.Single().Kind);
        string all = AllText(document);
        Assert.Contains("Replicated the failure", all, StringComparison.Ordinal);
        Assert.DoesNotContain("Actions taken before this analysis", all, StringComparison.Ordinal);
        Assert.Equal("Incident report: network traffic analysis", document.Title);
    }

    [Fact]
    public void The_case_title_is_the_report_title() =>
        Assert.Equal("Case 7", ReportBuilder.Build(TestCaptures.Sample("seed-incident.txt"), new ReportContext { Title = "Case 7" }).Title);

    [Fact]
    public void Investigation_says_what_NetTriage_read()
    {
        string all = AllText(ReportBuilder.Build(TestCaptures.Sample("seed-incident.txt")));
        Assert.Contains("NetTriage read samples/seed-incident.txt (tcpdump text, 6 packets), analysed 6 packets", all, StringComparison.Ordinal);
    }

    [Fact]
    public void Evidence_lines_carry_line_numbers_for_text_and_frame_numbers_for_captures()
    {
        var text = Flatten(ReportBuilder.Build(TestCaptures.Sample("seed-incident.txt")).Sections).OfType<CodeBlock>().Single();
        Assert.Equal(6, text.Lines.Count);
        Assert.StartsWith("line 1   13:24:32.192571  IP 192.51.100.15.52444 > 203.0.113.2.53: 35084+ A? yummyrecipesforme.com.", text.Lines[0], StringComparison.Ordinal);
        Assert.StartsWith("line 3 ", text.Lines[1], StringComparison.Ordinal);
        var pcap = Flatten(ReportBuilder.Build(TestCaptures.Sample("seed-incident.pcap")).Sections).OfType<CodeBlock>().Single();
        Assert.StartsWith("frame 2  2023-03-14 13:24:36.098564  IP 203.0.113.2 > 192.51.100.15: ICMP 203.0.113.2 udp port 53 unreachable", pcap.Lines[1], StringComparison.Ordinal);
    }

    [Fact]
    public void The_timeline_has_a_chart_and_a_table_with_roles()
    {
        var document = ReportBuilder.Build(TestCaptures.Sample("seed-incident.pcap"));
        var chart = Flatten(document.Sections).OfType<TimelineChart>().Single();
        Assert.Equal(6, chart.Points.Count);
        Assert.Equal(["query", "icmp-error", "query", "icmp-error", "query", "icmp-error"], chart.Points.Select(p => p.Role));
        Assert.Equal(Tone.Info, chart.Points[0].Tone);
        Assert.Equal(Tone.Bad, chart.Points[1].Tone);
        Assert.Equal("frame 2", chart.Points[1].Reference);
        var table = Sections(document).Single(s => Text(s.Title) == "Timeline").Body.OfType<Table>().Single();
        Assert.Equal(6, table.Rows.Count);
    }

    [Fact]
    public void Dns_statistics_count_icmp_answered_queries_as_failures()
    {
        var document = ReportBuilder.Build(TestCaptures.Sample("seed-incident.pcap"));
        Assert.Equal("3", Text(FieldOf(document, "Answered by an ICMP error").Value));
        Assert.Equal("100% (3 of 3 queries failed)", Text(FieldOf(document, "Failure rate").Value));
        Assert.DoesNotContain("No error 100", AllText(document), StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void A_healthy_capture_says_no_incident_and_shows_the_overview()
    {
        var document = ReportBuilder.Build(TestCaptures.Analyze(TestCaptures.HealthyPcap(), "healthy.pcap"));
        Assert.Equal("Network traffic analysis: no incident found", document.Title);
        var titles = Sections(document).Select(s => Text(s.Title)).ToList();
        Assert.DoesNotContain(titles, t => t.StartsWith("Incident", StringComparison.Ordinal));
        Assert.Contains("Traffic overview", titles);
        string all = AllText(document);
        Assert.Contains("No incident found in 8 packets", all, StringComparison.Ordinal);
        Assert.Contains("1 DNS query, 1 answered, failure rate 0%", all, StringComparison.Ordinal);
        Assert.Equal("1 (closed with FIN: 1; reset after establishment: 0)", Text(FieldOf(document, "Established").Value));
    }

    [Fact]
    public void Several_incidents_are_each_reported()
    {
        var report = TestCaptures.Analyze(TestCaptures.TwoIncidentsPcap(), "two.pcap");
        Assert.True(report.Incidents.Count >= 2, "the capture should hold two incidents");
        var document = ReportBuilder.Build(report);
        var incidents = document.Sections.Where(s => s.Id.StartsWith("incident-", StringComparison.Ordinal)).ToList();
        Assert.Equal(report.Incidents.Count, incidents.Count);
        Assert.Equal(report.Incidents.Select(i => $"Incident {i.Id}: {i.Title}"), incidents.Select(s => Text(s.Title)));
        Assert.All(incidents, s => Assert.Equal(4, s.Body.OfType<Section>().Count(x => x.Level == 3)));
        var summary = document.Sections[0].Body.OfType<ItemList>().Single();
        Assert.Equal(report.Incidents.Count, summary.Items.Count);
        Assert.Equal(report.Incidents.Count, Flatten(document.Sections).OfType<TimelineChart>().Count());
    }

    [Fact]
    public void Commands_of_a_phrase_become_code_and_nothing_inside_a_piece_is_parsed()
    {
        // A hostile name inside a command: its backtick, asterisk and pipe must stay inside the one code span.
        string name = "a`b*c|d.example";
        var phrase = Phrase.Of($"run `dig @192.0.2.1 {name}` then `ss -ulnp` for {name}");
        Assert.Equal(
            [new Span("run "), new Span("dig @192.0.2.1 a`b*c|d.example", SpanKind.Code), new Span(" then "), new Span("ss -ulnp", SpanKind.Code), new Span(" for a`b*c|d.example")],
            ReportBuilder.Prose(phrase));
        // A plain string is text, whatever it holds: no markup is read from it.
        Assert.Equal([new Span("a ` b `c` d")], ReportBuilder.Prose("a ` b `c` d"));
        Assert.Equal("run dig @192.0.2.1 a`b*c|d.example then ss -ulnp for a`b*c|d.example", phrase.Text);
    }

    [Fact]
    public void A_hostile_name_in_a_command_renders_as_itself_in_every_format()
    {
        string name = "x`*y*|z_.example";
        var document = new ReportDocument("t", [], [new Section("s", 2, [new Span("S")], [new Paragraph(ReportBuilder.Prose(Phrase.Of($"Query it: `dig {name} +cd`.")))])]);
        string markdown = MarkdownRenderer.Render(document);
        string html = HtmlRenderer.Render(document);
        string text = TextRenderer.Render(document);
        Assert.Contains("dig x`*y*|z_.example +cd", text, StringComparison.Ordinal);
        Assert.Contains("<code>dig x`*y*|z_.example +cd</code>", html, StringComparison.Ordinal);
        // Markdown: a code span whose fence is longer than any backtick run inside it, so the text is literal.
        Assert.Contains("``dig x`*y*|z_.example +cd``", markdown.Replace("`` ", "``").Replace(" ``", "``"), StringComparison.Ordinal);
    }

    [Fact]
    public void Long_lists_are_capped_with_a_count()
    {
        var report = HostileModel.Build("x");
        var many = report with
        {
            Incidents = [report.Incidents[0] with { Clients = Enumerable.Range(1, 25).Select(i => $"192.0.2.{i}").ToList() }],
        };
        var document = ReportBuilder.Build(many);
        Assert.EndsWith(" and 15 more", Text(FieldOf(document, "Clients").Value), StringComparison.Ordinal);
    }

    [Fact]
    public void Findings_outside_incidents_are_reported_apart()
    {
        var report = HostileModel.Build("x");
        var extra = report.Findings[0] with { Id = "F2", Title = "A lone finding" };
        var document = ReportBuilder.Build(report with { Findings = [.. report.Findings, extra] });
        var other = document.Sections.Single(s => s.Id == "other-findings");
        Assert.Contains("A lone finding", AllText(new ReportDocument("", [], [other])), StringComparison.Ordinal);
    }
}
