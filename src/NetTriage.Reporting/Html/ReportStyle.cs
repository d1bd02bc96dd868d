using System.Security.Cryptography;
using System.Text;

namespace NetTriage.Reporting.Html;

/// <summary>
/// The one style sheet of the HTML report, and its SHA-256 source hash for the Content-Security-Policy
/// (CSP Level 3, "hash-source"): only this exact inline style may apply; no other style, script, font, frame or
/// remote resource is allowed. The sheet holds no capture text.
/// </summary>
internal static class ReportStyle
{
    public const string Css = """

        :root { color-scheme: light; --ink: #1d2939; --soft: #475467; --line: #d0d5dd; --paper: #ffffff; --wash: #f2f4f7;
          --bad: #b42318; --bad-bg: #fee4e2; --warn: #93370d; --warn-bg: #fef0c7; --good: #067647; --good-bg: #dcfae6;
          --info: #175cd3; --info-bg: #d1e9ff; --muted: #667085; --muted-bg: #eaecf0; }
        * { box-sizing: border-box; }
        html { background: var(--wash); }
        body { margin: 0 auto; max-width: 66rem; padding: 2rem 2.5rem 3rem; background: var(--paper); color: var(--ink);
          font: 15px/1.55 system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", "DejaVu Sans", sans-serif; overflow-wrap: anywhere; }
        header { border-bottom: 3px solid var(--ink); margin-bottom: 1.5rem; }
        h1 { font-size: 1.9rem; line-height: 1.2; margin: 0 0 .4rem; }
        h2 { font-size: 1.4rem; margin: 2.2rem 0 .6rem; padding-bottom: .2rem; border-bottom: 1px solid var(--line); }
        h3 { font-size: 1.15rem; margin: 1.6rem 0 .5rem; }
        h4 { font-size: 1rem; margin: 1.2rem 0 .3rem; color: var(--soft); text-transform: uppercase; letter-spacing: .04em; }
        p { margin: .5rem 0; }
        .subtitle { color: var(--soft); margin-bottom: 1rem; }
        nav.toc { font-size: .9rem; margin: 0 0 1.5rem; }
        nav.toc ol { margin: 0; padding-left: 1.3rem; columns: 2; }
        section.incident { border-left: 4px solid var(--bad); padding-left: 1.2rem; }
        code, pre { font-family: ui-monospace, "SFMono-Regular", "DejaVu Sans Mono", Menlo, Consolas, monospace; font-size: .88em; }
        code { background: var(--wash); border: 1px solid var(--line); border-radius: 4px; padding: 0 .25em; }
        pre { background: #101828; color: #f2f4f7; padding: .8rem 1rem; border-radius: 6px; white-space: pre; overflow-x: auto; line-height: 1.45; font-size: .8em; }
        pre code { background: none; border: 0; padding: 0; font-size: 1em; }
        dl.fields { display: grid; grid-template-columns: minmax(9rem, max-content) 1fr; gap: .25rem 1rem; margin: .6rem 0; }
        dl.fields dt { font-weight: 600; color: var(--soft); }
        dl.fields dd { margin: 0; }
        ul, ol { padding-left: 1.4rem; margin: .4rem 0; }
        li { margin: .2rem 0; }
        li > ul { margin-top: .15rem; }
        .table-wrap { overflow-x: auto; margin: .6rem 0; }
        table { border-collapse: collapse; font-size: .92rem; min-width: 50%; }
        th, td { border: 1px solid var(--line); padding: .3rem .6rem; text-align: left; vertical-align: top; }
        th { background: var(--wash); }
        td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
        .badge { display: inline-block; font-size: .75rem; font-weight: 700; letter-spacing: .05em; text-transform: uppercase;
          border-radius: 999px; padding: .05rem .55rem; vertical-align: .1em; border: 1px solid currentColor; }
        .tone-bad { color: var(--bad); background: var(--bad-bg); }
        .tone-warning { color: var(--warn); background: var(--warn-bg); }
        .tone-good { color: var(--good); background: var(--good-bg); }
        .tone-info { color: var(--info); background: var(--info-bg); }
        .tone-muted, .tone-none { color: var(--muted); background: var(--muted-bg); }
        .missing { color: var(--muted); }
        figure.timeline { margin: .8rem 0; }
        figure.timeline svg { width: 100%; height: auto; display: block; }
        figcaption { font-size: .85rem; color: var(--soft); }
        svg .axis { stroke: var(--ink); stroke-width: 1.5; }
        svg .tick { stroke: var(--muted); stroke-width: 1; }
        svg .stem { stroke: var(--line); stroke-width: 1; }
        svg text { font: 12px system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", sans-serif; fill: var(--ink); }
        svg text.tick-label { fill: var(--soft); }
        svg circle { stroke: #ffffff; stroke-width: 1.5; }
        svg .dot-bad { fill: var(--bad); }
        svg .dot-info { fill: var(--info); }
        svg .dot-good { fill: var(--good); }
        svg .dot-warning { fill: var(--warn); }
        svg .dot-muted, svg .dot-none { fill: var(--muted); }
        footer { margin-top: 2.5rem; padding-top: .8rem; border-top: 1px solid var(--line); color: var(--soft); font-size: .85rem; }
        @page { size: A4; margin: 15mm 14mm; }
        @media print {
          html, body { background: #ffffff; }
          body { max-width: none; padding: 0; font-size: 10pt; overflow-wrap: break-word; }
          nav.toc, .screen-only { display: none; }
          a { color: inherit; text-decoration: none; }
          h1, h2, h3, h4, dt { break-after: avoid; page-break-after: avoid; }
          pre, figure, dl.fields > *, li, tr { break-inside: avoid; page-break-inside: avoid; }
          figure.timeline { break-after: avoid; page-break-after: avoid; }
          pre { background: #ffffff; color: #000000; border: 1px solid #98a2b3; white-space: pre-wrap; overflow-wrap: anywhere; overflow-x: visible; }
          .table-wrap { overflow: visible; }
          table { font-size: 9pt; max-width: 100%; }
          thead { display: table-header-group; }
          th, td { padding: .2rem .4rem; }
          th { overflow-wrap: normal; }
          td { max-width: 36em; }
          td.num, th.num, .time { white-space: nowrap; }
          .badge, section.incident, svg, th, .tone-bad, .tone-warning, .tone-good, .tone-info, .tone-muted, .tone-none { print-color-adjust: exact; -webkit-print-color-adjust: exact; }
        }

        """;

    /// <summary>The CSP source for <see cref="Css"/>: <c>'sha256-…'</c> over its UTF-8 bytes.</summary>
    public static readonly string HashSource = "'sha256-" + Convert.ToBase64String(SHA256.HashData(Encoding.UTF8.GetBytes(Css))) + "'";

    /// <summary>
    /// The policy: nothing may load or run (default-src 'none'), except this style sheet and data: images;
    /// no base URL, no form target.
    /// </summary>
    public static readonly string ContentSecurityPolicy =
        $"default-src 'none'; style-src {HashSource}; img-src data:; base-uri 'none'; form-action 'none'";
}
