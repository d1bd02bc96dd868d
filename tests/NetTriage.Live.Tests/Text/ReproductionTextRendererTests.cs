using NetTriage.Analysis;
using NetTriage.Live.Text;

namespace NetTriage.Live.Tests.Text;

public sealed class ReproductionTextRendererTests
{
    private static Reproduction Sample(string statusLine) => new()
    {
        Target = "http://www.example.test/",
        Url = "http://www.example.test/",
        Host = "www.example.test",
        Port = 80,
        Scheme = "http",
        Resolvers = ["192.0.2.53"],
        ResolverSource = "option",
        Started = new TimeValue { Text = "2025-01-01T00:00:00.000000Z", Kind = "absolute", Seconds = 1_735_689_600 },
        DurationSeconds = 0.5,
        BudgetSeconds = 20,
        Capture = new LiveCaptureSummary { Captured = false, Problem = "no permission to capture" },
        Steps =
        [
            new ProbeStep
            {
                Number = 1, Step = ProbeSteps.Http, Peer = "198.51.100.80:80", Transport = "TCP", Result = ProbeResults.HttpError,
                Detail = $"the server answered '{statusLine}'", StartSeconds = 0.1, Milliseconds = 2.5, HttpStatus = 503, StatusLine = statusLine,
            },
        ],
        Outcome = "reproduced",
        FailedStep = ProbeSteps.Http,
        FailedStepNumber = 1,
        FailureKind = "http-error",
        AtFault = FaultEnds.WebServer,
        FaultAddress = "198.51.100.80",
        Confidence = Confidence.High,
        Conclusion = $"The failure is reproduced from this host: the server answered '{statusLine}'.",
        Evidence = [$"Step 1: {statusLine}"],
        Caveats = [new Caveat("no-capture", "No packets were captured.")],
    };

    private static string Render(Reproduction r)
    {
        using var writer = new StringWriter { NewLine = "\n" };
        ReproductionTextRenderer.Render(r, writer);
        return writer.ToString();
    }

    [Fact]
    public void Shows_the_outcome_the_end_at_fault_the_steps_and_the_missing_capture()
    {
        string text = Render(Sample("HTTP/1.1 503 Service Unavailable"));

        Assert.StartsWith("Reproduced from this host: http://www.example.test/\n", text, StringComparison.Ordinal);
        Assert.Contains("  outcome: the failure is reproduced, at step 1 (http); kind: http-error\n", text, StringComparison.Ordinal);
        Assert.Contains("  at fault: the web server 198.51.100.80 [high confidence]\n", text, StringComparison.Ordinal);
        Assert.Contains("     1. http        198.51.100.80:80 TCP: http-error in 2.5 ms\n", text, StringComparison.Ordinal);
        Assert.Contains("  capture: no packets were captured: no permission to capture\n", text, StringComparison.Ordinal);
        Assert.Contains("    - No packets were captured.\n", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Server_text_cannot_drive_the_terminal()
    {
        string text = Render(Sample("HTTP/1.1 503 \u001b]0;owned\u0007\u001b[2J"));

        Assert.DoesNotContain('\u001b', text);
        Assert.DoesNotContain('\u0007', text);
        Assert.Contains("\\x1b", text, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void The_markdown_fence_outgrows_any_backticks_in_the_text()
    {
        using var writer = new StringWriter { NewLine = "\n" };
        ReproductionTextRenderer.RenderMarkdown(Sample("HTTP/1.1 503 ````` x"), writer);
        string md = writer.ToString();

        Assert.StartsWith("## Reproduced from this host\n\n``````text\n", md, StringComparison.Ordinal);
        Assert.EndsWith("``````\n", md, StringComparison.Ordinal);
    }

    [Fact]
    public void The_html_section_is_escaped_and_placed_before_the_body_ends()
    {
        string html = ReproductionTextRenderer.InsertHtml("<html><body><p>report</p></body></html>", Sample("<script>alert(1)</script>"));

        Assert.Contains("<p>report</p><section id=\"reproduction\">", html, StringComparison.Ordinal);
        Assert.EndsWith("</section>\n</body></html>", html, StringComparison.Ordinal);
        Assert.DoesNotContain("<script>", html, StringComparison.Ordinal);
        Assert.Contains("&lt;script&gt;", html, StringComparison.Ordinal);
    }
}
