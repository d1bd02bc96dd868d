using System.Text.Json;
using NetTriage.Analysis.Detection;
using NetTriage.Tests.Shared;

namespace NetTriage.Analysis.Tests.Detection;

/// <summary>The catalog of finding kinds: one row a kind, its name the JSON's, every kind documented.</summary>
public sealed class CatalogTests
{
    [Fact]
    public void Every_kind_has_one_row_whose_name_is_its_json_name()
    {
        var kinds = Enum.GetValues<FindingKind>();
        Assert.Equal(kinds.Length, FindingCatalog.All.Count);
        foreach (var kind in kinds)
        {
            var row = FindingCatalog.RowOf(kind);
            Assert.Equal(kind, row.Kind);
            Assert.Equal(JsonSerializer.Serialize(row.Name), JsonSerializer.Serialize(kind));
            Assert.Equal(kind, FindingCatalog.ByName(row.Name));
            Assert.Equal(kind, JsonSerializer.Deserialize<FindingKind>(JsonSerializer.Serialize(row.Name)));
        }
        Assert.Equal(kinds.Length, FindingCatalog.All.Select(r => r.Name).Distinct(StringComparer.Ordinal).Count());
    }

    [Fact]
    public void The_documented_names_are_unchanged_and_each_is_in_the_json_documentation()
    {
        string[] documented =
        [
            "dns-server-unreachable", "dns-blocked", "dns-no-response", "dns-servfail", "dns-refused", "dns-nxdomain",
            "tcp-connection-refused", "tcp-no-response", "tcp-blocked", "host-unreachable", "network-unreachable", "ttl-exceeded",
            "port-scan", "address-scan", "syn-flood", "udp-flood", "icmp-flood", "traceroute", "brute-force", "ping-sweep", "arp-spoofing",
            "dns-amplification", "udp-reflection", "syn-ack-reflection", "icmp-tunneling", "dns-tunneling", "dns-spoofing", "dns-hijack", "beaconing",
            "path-failure", "scattered-failures", "http-errors", "tls-failure", "slow-network", "slow-server", "slow-client", "tcp-zero-window", "tcp-stall",
            "dns-update-failed", "dns-notify-failed",
        ];
        Assert.Equal(documented, FindingCatalog.All.Select(r => r.Name));
        string docs = File.ReadAllText(Path.Combine(TestPaths.RepositoryRoot, "docs", "analysis-json.md"));
        foreach (var name in documented) Assert.Contains("`" + name + "`", docs, StringComparison.Ordinal);
    }

    [Fact]
    public void Severity_confidence_and_layer_are_written_as_before()
    {
        Assert.Equal("\"high\"", JsonSerializer.Serialize(Severity.High));
        Assert.Equal("\"low\"", JsonSerializer.Serialize(Confidence.Low));
        Assert.Equal("\"transport\"", JsonSerializer.Serialize(Layer.Transport));
        Assert.Equal("medium", Severity.Medium.Name());
        Assert.Equal("network", Layer.Network.Name());
    }

    [Fact]
    public void Dns_kinds_form_one_incident_per_server_and_layers_follow_the_protocol()
    {
        foreach (var row in FindingCatalog.All.OfType<FindingKindRow>())
        {
            Assert.Equal(row.Name.StartsWith("dns-", StringComparison.Ordinal), row.Dns);
            var expected = row.Name.StartsWith("tcp-", StringComparison.Ordinal) ? Layer.Transport
                : row.Dns ? Layer.Application : Layer.Network;
            Assert.Equal(expected, row.Layer);
        }
    }
}
