using NetTriage.Analysis;

namespace NetTriage.Reporting.Tests;

/// <summary>
/// An analysis model written by hand in which every string a capture could influence holds a hostile payload,
/// so each renderer is tested on arbitrary text, not only on what today's decoders happen to let through.
/// </summary>
internal static class HostileModel
{
    /// <summary>The payloads: markup, script, Markdown links and images, terminal escapes, bidi overrides, fences, table pipes.</summary>
    public static readonly string[] Payloads =
    [
        "<script>document.title='PWNED'</script>",
        "\"><img src=x onerror=\"document.title='PWNED'\">",
        "' onmouseover='document.title=1",
        "[click](javascript:alert(1)) ![img](http://evil.example/x.png) <http://evil.example> www.evil.example",
        "\u001b[31mRED\u001b[0m\u001b]0;title\u0007\r\n# injected heading",
        "evil\u202Egnp.exe \u2066isolate\u2069 zero\u200Bwidth",
        "``` fence ```` run ` tick",
        "| a | b |\n|---|---|",
        "[red]spectre[/] [bold]markup[/]",
        "- list\n1. ordered\n> quote\n    code",
        "*emph* _emph_ **strong** ~~strike~~ $math$ a@b.example &amp; &lt;",
        "</style><style>body{display:none}</style></svg><svg onload=alert(1)>",
    ];

    public static string All => string.Join(" ", Payloads);

    public static AnalysisReport Build(string h)
    {
        var t1 = new TimeValue { Text = "2024-01-02T03:04:05.000000Z", Kind = "absolute", Seconds = 1704164645 };
        var t2 = new TimeValue { Text = "2024-01-02T03:04:09.500000Z", Kind = "absolute", Seconds = 1704164649.5 };
        var evidence = new List<EvidencePacket>
        {
            new() { Input = 0, Frame = 1, Time = t1, Role = "query" + h, Summary = "IP 192.0.2.1.5000 > 192.0.2.53.53: 1+ A? " + h + ". (30)" },
            new() { Input = 0, Frame = 2, Time = t2, Role = "icmp-error", Summary = "IP 192.0.2.53 > 192.0.2.1: ICMP " + h },
        };
        var finding = new Finding
        {
            Id = "F1",
            Kind = FindingKind.DnsServerUnreachable,
            Severity = Severity.High,
            Title = "Finding " + h,
            Protocol = "DNS" + h,
            Transport = "UDP",
            Service = "domain" + h,
            Port = 53,
            Server = "192.0.2.53" + h,
            Clients = ["192.0.2.1" + h],
            First = t1,
            Last = t2,
            DurationSeconds = 4.5,
            Attempts = 1,
            Failed = 1,
            Names = [h],
            IcmpSenders = [new IcmpSender { Address = "192.0.2.53" + h, Role = "target", Type = 3, Code = 3, Description = "port unreachable" + h, Count = 1 }],
            Evidence = evidence,
            EvidenceTotal = 2,
        };
        var incident = new Incident
        {
            Id = "INC-1",
            Kind = FindingKind.DnsServerUnreachable,
            Severity = Severity.High,
            Title = "Title " + h,
            Summary = "Summary " + h,
            Layer = Layer.Application,
            Protocol = "DNS" + h,
            Transport = "UDP",
            Service = "domain" + h,
            Port = 53,
            ServiceDescription = "Description " + h,
            Servers = ["192.0.2.53" + h],
            Clients = ["192.0.2.1" + h],
            First = t1,
            Last = t2,
            DurationSeconds = 4.5,
            Attempts = 1,
            Failed = 1,
            Findings = ["F1"],
            RuledOut = [new RuledOut("Item " + h, "Reason " + h)],
            Causes =
            [
                new Cause
                {
                    Id = "cause",
                    Title = "Cause " + h,
                    Confidence = Confidence.High,
                    Score = 0.8,
                    For = ["For " + h],
                    Against = ["Against " + h],
                    NextSteps = ["Step " + h],
                },
            ],
            NextSteps = ["Step `" + h + "` " + h],
            Caveats = [new Caveat("kind", "Caveat " + h)],
            Timeline =
            [
                new TimelineEvent { Time = t1, Event = "Event " + h, Frames = [1] },
                new TimelineEvent { Time = t2, Event = "Answer " + h, Frames = [2] },
            ],
            Evidence = evidence,
        };
        return new AnalysisReport
        {
            Verdict = "incident",
            Inputs = [new InputSummary { Name = "input" + h + ".pcap", Format = "pcap", Packets = 2, Bytes = 200, Warnings = ["Warning " + h] }],
            Capture = new CaptureSummary
            {
                Start = t1,
                End = t2,
                DurationSeconds = 4.5,
                Packets = 2,
                AnomalousPackets = 1,
                Anomalies = [new NamedCount("anomaly" + h, 1)],
            },
            Incidents = [incident],
            Findings = [finding],
            Overview = new TrafficOverview
            {
                Packets = 2,
                Bytes = 200,
                Protocols = [new ProtocolCount("DNS" + h, 1, 100)],
                TopTalkers = [new Talker { Address = "192.0.2.1" + h, PacketsSent = 1, PacketsReceived = 1, BytesSent = 100, BytesReceived = 100 }],
                Hosts = 2,
                Flows = 2,
            },
            Dns = new DnsStatistics
            {
                Queries = 1,
                IcmpAnswered = 1,
                FailureRate = 1,
                ErrorResponses = [new NamedCount("RCODE" + h, 1)],
                Servers = [new DnsServerStatistics { Server = "192.0.2.53" + h, Queries = 1, IcmpAnswered = 1, Clients = 1 }],
            },
            Tcp = new TcpStatistics
            {
                Attempts = 1,
                Refused = 1,
                Services = [new ServiceOutcome { Server = "192.0.2.80" + h, Port = 80, Attempts = 1, Refused = 1 }],
            },
            Caveats = [new Caveat("kind", "Global caveat " + h)],
        };
    }

    /// <summary>Case fields holding the payloads too (a case file is typed by a person, but it is escaped the same way).</summary>
    public static ReportContext Context(string h) => new()
    {
        Title = "Case title " + h,
        Organisation = "Org " + h,
        Awareness = "Aware " + h,
        Symptoms = ["Symptom " + h],
        Analyst = "Analyst " + h,
        Actions = ["Action " + h],
        CaseId = "ID " + h,
    };
}
