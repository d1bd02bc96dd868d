using System.Globalization;
using System.Net;
using System.Net.NetworkInformation;
using System.Net.Sockets;
using NetTriage.Analysis;
using NetTriage.Capture;
using NetTriage.Live.Capture;
using NetTriage.Live.Diagnosis;
using NetTriage.Live.Probes;

namespace NetTriage.Live;

/// <summary>A problem with what was asked that stops the run before any probe (no resolver known, say).</summary>
public sealed class LiveDiagnosisException(string message) : Exception(message);

/// <summary>
/// <c>nettriage diagnose</c>: reproduces a failure from this host. It starts a live capture filtered to the
/// traffic it is about to cause, probes like a browser (resolve through each resolver, connect, TLS, HTTP),
/// stops the capture, analyses it with the same pipeline as <c>analyze</c>, and joins both into the report's
/// <see cref="AnalysisReport.Reproduction"/>: which step failed and which end is at fault, with the evidence.
/// Without permission to capture (or without libpcap) the probes still run and the report says what that costs.
/// </summary>
public static class LiveDiagnoser
{
    /// <summary>Addresses of this host named in the ICMP part of the filter.</summary>
    private const int MaxLocalAddresses = 16;

    public static async Task<AnalysisReport> RunAsync(LiveOptions options, CancellationToken cancel = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        var target = options.Target;
        bool fromOption = options.Resolvers.Count > 0;
        var resolvers = fromOption ? options.Resolvers : SystemResolvers.Read();
        if (target.Address is null && resolvers.Count == 0)
        {
            throw new LiveDiagnosisException($"no resolver to ask: {SystemResolvers.ResolvConfPath} names none; give one with --resolver IP");
        }
        if (target.Address is not null) resolvers = options.Resolvers;

        var clock = new ProbeClock(options.Budget, options.Timeouts.Linger);
        var local = LocalAddresses();
        LiveCapture? capture = null;
        string? captureProblem = null;
        string? interfaceName = null;
        if (options.Capture && options.CapturePath is not null)
        {
            interfaceName = options.Interface ?? ChooseInterface(resolvers.Count > 0 ? resolvers[0] : target.Address!);
            string filter = CaptureFilter.Build(resolvers, target.Address is { } a ? [a] : [], target.Port, local);
            try
            {
                capture = LiveCapture.Start(interfaceName, filter, options.CapturePath);
            }
            catch (LiveCaptureException e)
            {
                captureProblem = e.Message;
            }
        }
        else
        {
            captureProblem = "the capture was turned off (--no-capture)";
        }

        ProbeRun run;
        LiveCaptureResult? captured = null;
        try
        {
            var prober = new Prober(options, resolvers, clock);
            run = await prober.RunAsync(async addresses =>
            {
                if (capture is not null && target.Address is null)
                {
                    await capture.SetFilterAsync(CaptureFilter.Build(resolvers, addresses, target.Port, local)).ConfigureAwait(false);
                }
            }, cancel).ConfigureAwait(false);
            if (capture is not null)
            {
                // Late answers (an ICMP error after a router's ARP gives up) still belong to the evidence.
                await Task.Delay(options.Timeouts.Linger, cancel).ConfigureAwait(false);
            }
        }
        finally
        {
            captured = capture?.Stop();
        }

        AnalysisReport analysis;
        if (captured is not null)
        {
            var analyzer = new Analyzer(new AnalysisOptions
            {
                // The probes decided how long to wait; a query or SYN they gave up on is unanswered.
                DnsAnswerGrace = options.Timeouts.DnsTry,
                TcpAnswerGrace = options.Timeouts.Connect / 2,
            });
            using (var source = CaptureOpener.Open(captured.Path))
            {
                analyzer.Read(source);
            }
            analysis = analyzer.Finish();
        }
        else
        {
            analysis = new Analyzer().Finish();
            analysis = analysis with { Caveats = [] };
        }

        var judgement = ReproductionJudge.Judge(target, run, analysis, captured is not null);
        var caveats = judgement.Caveats.ToList();
        if (captured?.Dropped > 0)
        {
            caveats.Add(new Caveat("capture-drops", $"libpcap reports {captured.Dropped} packets dropped: the capture may miss some of the probes' packets."));
        }
        if (captured?.Error is { } error)
        {
            caveats.Add(new Caveat("capture-error", error));
        }

        var reproduction = new Reproduction
        {
            Target = target.Given,
            Url = target.Url,
            Host = target.Host,
            Port = target.Port,
            Scheme = target.Scheme,
            Resolvers = resolvers.Select(r => r.ToString()).ToList(),
            ResolverSource = fromOption ? "option" : SystemResolvers.ResolvConfPath,
            Started = new TimeValue
            {
                Text = clock.StartedUtc.ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", CultureInfo.InvariantCulture),
                Kind = "absolute",
                Seconds = Math.Round((clock.StartedUtc - DateTime.UnixEpoch).TotalSeconds, 6),
            },
            DurationSeconds = Math.Round(clock.Elapsed.TotalSeconds, 3),
            BudgetSeconds = options.Budget.TotalSeconds,
            Capture = captured is null
                ? new LiveCaptureSummary { Captured = false, Interface = interfaceName, Problem = captureProblem }
                : new LiveCaptureSummary
                {
                    Captured = true,
                    File = captured.Path,
                    Interface = captured.Interface,
                    Filter = captured.Filter,
                    Packets = captured.Packets,
                    Dropped = captured.Dropped,
                },
            Steps = judgement.Steps,
            Outcome = judgement.Outcome,
            FailedStep = judgement.FailedStep,
            FailedStepNumber = judgement.FailedStepNumber,
            FailureKind = judgement.FailureKind,
            Incident = judgement.Incident,
            AtFault = judgement.AtFault,
            FaultAddress = judgement.FaultAddress,
            Confidence = judgement.Confidence,
            Conclusion = judgement.Conclusion,
            Evidence = judgement.Evidence,
            Caveats = caveats,
        };
        return analysis with { Reproduction = reproduction };
    }

    /// <summary>
    /// The interface whose route leads to <paramref name="address"/>: the one holding the source address the
    /// kernel picks for it (a connected UDP socket sends nothing). "any" when it cannot be told.
    /// </summary>
    public static string ChooseInterface(IPAddress address)
    {
        ArgumentNullException.ThrowIfNull(address);
        if (!SocketOutcome.HasRoute(address, out var source, out _) || source is null) return "any";
        try
        {
            foreach (var nic in NetworkInterface.GetAllNetworkInterfaces())
            {
                if (nic.GetIPProperties().UnicastAddresses.Any(u => u.Address.Equals(source))) return nic.Name;
            }
        }
        catch (NetworkInformationException)
        {
            // Fall through to the pseudo-interface that captures them all.
        }
        return IPAddress.IsLoopback(source) ? "lo" : "any";
    }

    private static List<IPAddress> LocalAddresses()
    {
        try
        {
            return NetworkInterface.GetAllNetworkInterfaces()
                .SelectMany(n => n.GetIPProperties().UnicastAddresses)
                .Select(u => u.Address)
                .Where(a => a.AddressFamily is AddressFamily.InterNetwork or AddressFamily.InterNetworkV6)
                .Distinct()
                .Take(MaxLocalAddresses)
                .ToList();
        }
        catch (NetworkInformationException)
        {
            return [];
        }
    }
}
