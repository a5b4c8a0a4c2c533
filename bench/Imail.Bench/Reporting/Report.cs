using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Imail.Bench.Reporting;

/// <summary>Where and how a run happened: ratios only compare within one such run.</summary>
public sealed record RunInfo(
    DateTimeOffset StartedAt,
    string Commit,
    string Machine,
    string Runtime,
    string PostgreSql,
    string LoadClient,
    BenchOptions Options);

/// <summary>The table on the console, and the same as markdown and JSON under <c>bench/results/</c>.</summary>
public static class Report
{
    private static readonly string[] Headers = ["id", "what", "GraphQL", "baseline", "ratio", "target", "result"];

    private static string[] Cells(ResultRow r) => [r.Id, r.What, r.GraphQL, r.Baseline, r.Ratio, r.Target, ResultRow.Label(r.Outcome)];

    public static void Print(IReadOnlyList<ResultRow> rows, TextWriter output)
    {
        var table = rows.Select(Cells).Prepend(Headers).ToList();
        var widths = Enumerable.Range(0, Headers.Length).Select(i => table.Max(cells => cells[i].Length)).ToArray();
        string Line(string[] cells) => string.Join("  ", cells.Select((cell, i) => cell.PadRight(widths[i]))).TrimEnd();
        output.WriteLine();
        output.WriteLine(Line(table[0]));
        output.WriteLine(string.Join("  ", widths.Select(w => new string('-', w))));
        foreach (var cells in table.Skip(1)) output.WriteLine(Line(cells));
        output.WriteLine();
        foreach (var row in rows.Where(r => r.Outcome == Outcome.Invalid))
            output.WriteLine($"{row.Id} INVALID: {string.Join("; ", row.Checks.Where(c => c.StartsWith('✗')))}");
    }

    public static string Markdown(RunInfo run, IReadOnlyList<ResultRow> rows)
    {
        var md = new StringBuilder();
        md.AppendLine($"# Imail benchmarks — {run.StartedAt:yyyy-MM-dd HH:mm} UTC");
        md.AppendLine();
        md.AppendLine("GraphQL is compared with a hand-written endpoint **measured in the same run**, in alternating rounds. "
                      + "**ratio** is GraphQL's throughput divided by the baseline's: the median over the rounds (min–max in brackets), "
                      + "judged against the target. **CPU** is the same comparison made from CPU time per request (API process + PostgreSQL), "
                      + "which other programs on a shared machine disturb much less: when the two disagree, the machine was busy. "
                      + "Absolute req/s depend on the machine and what else runs on it: compare ratios, not req/s, between runs.");
        if (rows.Any(r => r.Id is "B2" or "B3"))
        {
            md.AppendLine();
            md.AppendLine("The outbox rows read differently: **B2** is an absolute latency (commit of the mutation → acceptance by a local SMTP server), "
                          + "no baseline; **B3**'s first column is the relay (1 and 2 workers), its baseline plain MailKit sending the same e-mails to the same server, "
                          + "and its ratio the relay's e-mails/s (1 worker) divided by MailKit's, median over alternating rounds.");
        }
        md.AppendLine();
        md.AppendLine("| " + string.Join(" | ", Headers) + " |");
        md.AppendLine("|" + string.Concat(Headers.Select(_ => "---|")));
        foreach (var row in rows) md.AppendLine("| " + string.Join(" | ", Cells(row).Select(c => c.Replace("|", "\\|"))) + " |");
        md.AppendLine();
        md.AppendLine("## Run");
        md.AppendLine();
        md.AppendLine($"- commit: {run.Commit}");
        md.AppendLine($"- machine: {run.Machine}");
        md.AppendLine($"- runtime: {run.Runtime}");
        md.AppendLine($"- PostgreSQL: {run.PostgreSql} (tests' cluster settings: fsync off), {run.Options.Users:N0} users seeded");
        md.AppendLine($"- load (B1, B1c): {run.LoadClient}; warm-up at least {Seconds(run.Options.Warmup)} per side, until the JIT is quiet; then {run.Options.Rounds} rounds per side (ABBA order), "
                      + $"each measured over {Seconds(run.Options.Round)} in the middle of the load (the load generator's start and stop stay out)");
        md.AppendLine("- API under test: the real host (Program.cs) in Release on a loopback Kestrel port, Production environment, logs at Warning; "
                      + "baselines: minimal endpoints with the same authentication, in the same process on another port. "
                      + "API, baselines, PostgreSQL and the load generator share the machine's cores.");
        if (rows.Any(r => r.Id is "B2" or "B3"))
            md.AppendLine("- outbox (B2, B3): relay workers built by `AddImailWorker()` over the worker's appsettings.json (Quartz schedules off), "
                          + "in this process on the API's database, logs at Warning; an SMTP server (the tests' `SmtpTestServer`, package SmtpServer) "
                          + $"on loopback in this process. B2: {run.Options.B2Messages} sign-ups at {run.Options.B2Rate:0}/s; "
                          + $"B3: {run.Options.B3Emails:N0} e-mails per run, {run.Options.B3Rounds} rounds.");
        foreach (var row in rows)
        {
            md.AppendLine();
            md.AppendLine($"## {row.Id}: {ResultRow.Label(row.Outcome)}");
            md.AppendLine();
            md.AppendLine(row.What);
            md.AppendLine();
            foreach (var check in row.Checks) md.AppendLine($"- {check}");
            if (row.Comparison is { } comparison)
            {
                md.AppendLine();
                md.AppendLine("| round | GraphQL req/s | baseline req/s | ratio | GraphQL CPU µs/req | baseline CPU µs/req | CPU ratio | GraphQL p50 / p99 ms | baseline p50 / p99 ms |");
                md.AppendLine("|---|---|---|---|---|---|---|---|---|");
                foreach (var r in comparison.Rounds)
                    md.AppendLine(string.Create(CultureInfo.InvariantCulture,
                        $"| {r.Round} | {r.GraphQL.RequestsPerSecond:N0} | {r.Baseline.RequestsPerSecond:N0} | {r.Ratio:0.000} | {r.GraphQL.CpuMicros:N0} | {r.Baseline.CpuMicros:N0} | {r.CpuRatio:0.000} | {r.GraphQL.Load.P50Ms:0.00} / {r.GraphQL.Load.P99Ms:0.00} | {r.Baseline.Load.P50Ms:0.00} / {r.Baseline.Load.P99Ms:0.00} |"));
            }
            foreach (var (title, table) in row.Tables.Where(t => t.Rows.Count > 0))
            {
                md.AppendLine();
                if (title.Length > 0)
                {
                    md.AppendLine(title);
                    md.AppendLine();
                }
                md.AppendLine("| " + string.Join(" | ", table[0]) + " |");
                md.AppendLine("|" + string.Concat(table[0].Select(_ => "---|")));
                foreach (var cells in table.Skip(1)) md.AppendLine("| " + string.Join(" | ", cells.Select(c => c.Replace("|", "\\|"))) + " |");
            }
            if (row.Notes.Count > 0)
            {
                md.AppendLine();
                foreach (var note in row.Notes)
                {
                    var lines = note.Split('\n');
                    md.AppendLine($"- {lines[0]}");
                    if (lines.Length > 1)
                    {
                        md.AppendLine("  ```");
                        foreach (var line in lines.Skip(1)) md.AppendLine("  " + line.TrimStart());
                        md.AppendLine("  ```");
                    }
                }
            }
        }
        return md.ToString();
    }

    public static string Json(RunInfo run, IReadOnlyList<ResultRow> rows) => JsonSerializer.Serialize(new { run, rows }, new JsonSerializerOptions(JsonSerializerDefaults.Web)
    {
        WriteIndented = true,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    });

    /// <summary>Writes <c>{stamp}.md</c>/<c>.json</c> and <c>latest.md</c>/<c>.json</c>; returns the markdown path.</summary>
    public static async Task<string> WriteAsync(string directory, RunInfo run, IReadOnlyList<ResultRow> rows)
    {
        Directory.CreateDirectory(directory);
        var stamp = run.StartedAt.ToString("yyyyMMdd-HHmmss", CultureInfo.InvariantCulture);
        var markdown = Markdown(run, rows);
        var json = Json(run, rows);
        foreach (var name in new[] { stamp, "latest" })
        {
            await File.WriteAllTextAsync(Path.Combine(directory, name + ".md"), markdown);
            await File.WriteAllTextAsync(Path.Combine(directory, name + ".json"), json);
        }
        return Path.Combine(directory, stamp + ".md");
    }

    private static string Seconds(TimeSpan t) => t.TotalSeconds.ToString("0.##", CultureInfo.InvariantCulture) + " s";
}
