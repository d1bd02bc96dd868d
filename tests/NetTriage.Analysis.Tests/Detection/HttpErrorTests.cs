using NetTriage.Packets;

namespace NetTriage.Analysis.Tests.Detection;

/// <summary>
/// A web service that completes every handshake but answers with errors, built exchange by exchange: 503 to every
/// request is a high http-errors incident with its status and path; the thresholds (five server errors, a tenth of
/// the answers) are held at and below their values; a 404 now and then and the logins' 401 are no finding.
/// </summary>
public sealed class HttpErrorTests
{
    private const string Client = "10.0.0.5";
    private const string Web = "192.0.2.80";
    private ushort _port = 40000;

    /// <summary>One connection: handshake, a GET for <paramref name="path"/>, the answer with <paramref name="status"/>.</summary>
    private Scenario Exchange(Scenario s, string path, int status, string reason)
    {
        ushort port = _port++;
        s.After(0.5).Tcp(Client, port, Web, 80, TcpFlags.Syn, 1000);
        s.Tcp(Web, 80, Client, port, TcpFlags.Syn | TcpFlags.Ack, 5000, 1001);
        s.Tcp(Client, port, Web, 80, TcpFlags.Ack, 1001, 5001);
        s.TcpText(Client, port, Web, 80, $"GET {path} HTTP/1.1\r\nHost: www.example.test\r\n\r\n", 1001, 5001);
        return s.TcpText(Web, 80, Client, port, $"HTTP/1.1 {status} {reason}\r\nContent-Length: 0\r\n\r\n", 5001, 1050);
    }

    [Fact]
    public void A_server_answering_503_to_every_request_is_one_high_http_errors_incident()
    {
        var s = new Scenario();
        for (int i = 0; i < 8; i++) Exchange(s, "/shop/cart?id=" + i, 503, "Service Unavailable");

        var report = s.Analyze();

        var incident = Assert.Single(report.Incidents);
        Assert.Equal(FindingKind.HttpErrors, incident.Kind);
        Assert.Equal(Severity.High, incident.Severity);
        Assert.Equal([Web], incident.Servers);
        Assert.Contains("503 Service Unavailable", incident.Title, StringComparison.Ordinal);
        var http = Assert.Single(report.Findings, f => f.Kind == FindingKind.HttpErrors).Http!;
        Assert.Equal(8, http.Responses);
        Assert.Equal(8, http.ServerErrors);
        Assert.Equal(["503 Service Unavailable: 8"], http.Statuses);
        Assert.Equal(["/shop/cart: 8 of 8"], http.Paths);
        Assert.Equal(1.0, http.ErrorShare);
        Assert.Equal("service-unavailable", incident.Causes[0].Id);
        Assert.Equal(8, incident.Evidence.Count(e => e.Role == "http-error"));
        Assert.Null(report.Findings.Single(f => f.Kind == FindingKind.HttpErrors).Attack);
    }

    [Theory]
    [InlineData(5, 45, true)]   // five server errors, exactly a tenth of fifty answers
    [InlineData(4, 0, false)]   // four server errors are not yet a pattern
    [InlineData(5, 46, false)]  // five server errors, under a tenth of the answers
    public void Five_server_errors_making_a_tenth_of_the_answers_are_the_threshold(int errors, int fine, bool found)
    {
        var s = new Scenario();
        for (int i = 0; i < fine; i++) Exchange(s, "/", 200, "OK");
        for (int i = 0; i < errors; i++) Exchange(s, "/api/orders", 502, "Bad Gateway");

        var report = s.Analyze();

        Assert.Equal(found, report.Findings.Any(f => f.Kind == FindingKind.HttpErrors));
        if (found)
        {
            var incident = Assert.Single(report.Incidents);
            Assert.Equal(Severity.Medium, incident.Severity);
            Assert.Equal("backend-unreachable", incident.Causes[0].Id);
        }
    }

    [Fact]
    public void A_missing_page_now_and_then_and_refused_logins_are_no_http_errors()
    {
        var s = new Scenario();
        for (int i = 0; i < 30; i++) Exchange(s, "/", 200, "OK");
        for (int i = 0; i < 3; i++) Exchange(s, "/favicon.ico", 404, "Not Found");
        for (int i = 0; i < 10; i++) Exchange(s, "/admin/", 401, "Unauthorized");

        var report = s.Analyze();

        Assert.DoesNotContain(report.Findings, f => f.Kind == FindingKind.HttpErrors);
    }
}
