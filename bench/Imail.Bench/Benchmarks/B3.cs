using System.Diagnostics;
using System.Globalization;
using Imail.Bench.Hosting;
using Imail.Bench.Mail;
using Imail.Bench.Measure;
using Imail.Bench.Reporting;
using Imail.Testing;
using Imail.Worker.Email;
using Imail.Worker.Relay;

namespace Imail.Bench.Benchmarks;

/// <summary>
/// B3: relay throughput. N pending e-mails are written to the outbox by one statement; the relay
/// (one worker, then two) delivers them to a local SMTP server, and the time from the insert's
/// commit to the last acceptance gives e-mails/s. The baseline composes the same e-mails with the
/// same composer and sends them over one plain MailKit connection to the same server, in the same
/// run; the sides alternate (ABBA…) and the median ratio is judged. When the target is missed (or
/// with <c>--profile</c>), a few relay settings are tried next to a MailKit run each, to show what limits it.
/// </summary>
public sealed class B3 : IBenchmark
{
    public const double MinimumRate = 1000;
    public const double MinimumRatio = 0.8;

    public string Id => "B3";

    /// <summary>One way of sending the e-mails: MailKit (no workers), or relay worker(s) with some settings.</summary>
    private sealed record Side(string Name, int Workers, IDictionary<string, string?>? Settings = null, bool WithoutSmtp = false)
    {
        public bool IsMailKit => Workers == 0;
    }

    private static readonly Side MailKit = new("MailKit", 0);
    private static readonly Side Relay1 = new("relay, 1 worker", 1);
    private static readonly Side Relay2 = new("relay, 2 workers", 2);

    /// <summary>
    /// What is tried when the target is missed: the RelayOptions that bear on throughput, around the
    /// configured ones (<paramref name="o"/>), and the relay without SMTP.
    /// </summary>
    private static IEnumerable<Side> Profile(RelayOptions o)
    {
        static Dictionary<string, string?> Set(string key, int value) => new() { [$"Imail:Relay:{key}"] = value.ToString(CultureInfo.InvariantCulture) };
        foreach (var size in new[] { Math.Max(1, o.BatchSize / 5), o.BatchSize * 5 })
            yield return new($"relay, 1 worker, BatchSize {size}", 1, Set("BatchSize", size));
        foreach (var parallelism in new[] { 1, 2, 4, 8 }.Where(p => p != o.Parallelism))
            yield return new($"relay, 1 worker, Parallelism {parallelism}", 1, Set("Parallelism", parallelism));
        yield return new("relay, 1 worker, no SMTP (a sender that only answers Delivered)", 1, WithoutSmtp: true);
    }

    /// <param name="Loops">Relay loops at work: workers × Parallelism (0 for MailKit).</param>
    private sealed record RunResult(Side Side, int Round, int Emails, double Seconds, double ProcessCpuMicros, double PostgresCpuMicros,
        IReadOnlyList<StatementTimer.Statement> Statements, IReadOnlyList<BatchLog.Batch> Batches, int Loops)
    {
        public double Rate => Emails / Seconds;
        public double CpuMicros => ProcessCpuMicros + PostgresCpuMicros;
        public List<StatementTimer.Statement> Claims => Statements.Where(s => s.Kind == StatementTimer.Kind.Claim).ToList();
        public List<StatementTimer.Statement> Records => Statements.Where(s => s.Kind == StatementTimer.Kind.Record).ToList();
    }

    private int _run;

    public async Task<ResultRow> RunAsync(BenchContext c)
    {
        var o = c.Options;
        var row = new ResultRow
        {
            Id = Id,
            What = "relay throughput to a local SMTP server vs plain MailKit sending the same e-mails",
            Target = I($"≥ {MinimumRate:N0} e-mails/s (1 worker) and ≥ {MinimumRatio:0.0}×"),
        };
        var db = c.Api.ConnectionString;
        await using var smtp = await SmtpTestServer.StartAsync();
        var composer = RelayWorker.Composer(db, smtp.Settings);
        var meter = new CpuMeter();
        using var statements = new StatementTimer();
        var relayOptions = RelayWorker.OptionsFor(db, smtp.Settings);

        // Same e-mails on both sides? Compare a few sent by the relay with the baseline's.
        row.Check(await SameEmailsAsync(c, smtp, composer), "the relay and the baseline send the same e-mails (recipient, Message-ID, subject, text and HTML)");

        // Warm-up: one unmeasured run per side, so JIT and connection pools are warm.
        var warm = Math.Min(o.B3Emails, 3000);
        c.Log($"  warm-up: {warm:N0} e-mails per side");
        foreach (var side in new[] { MailKit, Relay1, Relay2 })
            await RunOnceAsync(c, smtp, composer, meter, statements, side, 0, warm, row, check: false);

        // What one e-mail costs on the way: the SMTP conversation, and composing (templates + MIME), now that the code is warm.
        var (transcript, roundTrips, pipelining) = await PlainMailKit.TranscriptAsync(composer, smtp.Host, smtp.Port, OutboxSeed.Envelopes(0, 1)[0]);
        smtp.Clear();
        var (composeMicros, renderMicros) = ComposeMicros(composer, 3000);

        var runs = new List<RunResult>();
        for (var round = 1; round <= o.B3Rounds; round++)
        {
            Side[] order = round % 2 == 1 ? [MailKit, Relay1, Relay2] : [Relay2, Relay1, MailKit];
            var these = new List<RunResult>();
            foreach (var side in order) these.Add(await RunOnceAsync(c, smtp, composer, meter, statements, side, round, o.B3Emails, row, check: true));
            runs.AddRange(these);
            double Rate(Side s) => these.Single(r => r.Side == s).Rate;
            c.Log(I($"  round {round}/{o.B3Rounds}: MailKit {Rate(MailKit),6:N0}/s | relay 1 worker {Rate(Relay1),6:N0}/s | 2 workers {Rate(Relay2),6:N0}/s | ratio {Rate(Relay1) / Rate(MailKit):0.00}"));
        }

        List<RunResult> Of(Side s) => runs.Where(r => r.Side == s).ToList();
        double MedianRate(Side s) => Comparison.Median(Of(s).Select(r => r.Rate));
        double MedianCpu(Side s) => Comparison.Median(Of(s).Select(r => r.CpuMicros));
        double MedianPg(Side s) => Comparison.Median(Of(s).Select(r => r.PostgresCpuMicros));
        List<double> Ratios(Side s) => Enumerable.Range(1, o.B3Rounds)
            .Select(i => runs.Single(r => r.Round == i && r.Side == s).Rate / runs.Single(r => r.Round == i && r.Side == MailKit).Rate).ToList();
        var ratios = Ratios(Relay1);
        var ratio = Comparison.Median(ratios);
        var ratio2 = Comparison.Median(Ratios(Relay2));
        var cpuRatio = MedianCpu(MailKit) / MedianCpu(Relay1);
        var (rate1, rate2, rateBase) = (MedianRate(Relay1), MedianRate(Relay2), MedianRate(MailKit));

        row.GraphQL = I($"relay 1 worker {rate1:N0} e-mails/s, 2 workers {rate2:N0} e-mails/s; CPU/e-mail {MedianCpu(Relay1):N0} µs ({MedianPg(Relay1):N0} in PostgreSQL)");
        row.Baseline = I($"MailKit {rateBase:N0} e-mails/s; CPU/e-mail {MedianCpu(MailKit):N0} µs ({MedianPg(MailKit):N0} in PostgreSQL)");
        row.Ratio = I($"{ratio:0.00}× ({ratios.Min():0.00}–{ratios.Max():0.00}); CPU {cpuRatio:0.00}×; 2 workers {ratio2:0.00}×");
        row.Figures["relay1PerSecond"] = Math.Round(rate1, 1);
        row.Figures["relay2PerSecond"] = Math.Round(rate2, 1);
        row.Figures["mailkitPerSecond"] = Math.Round(rateBase, 1);
        row.Figures["medianRatio"] = Math.Round(ratio, 4);
        row.Figures["minRatio"] = Math.Round(ratios.Min(), 4);
        row.Figures["maxRatio"] = Math.Round(ratios.Max(), 4);
        row.Figures["ratio2Workers"] = Math.Round(ratio2, 4);
        row.Figures["cpuRatio"] = Math.Round(cpuRatio, 4);
        row.Figures["emailsPerRun"] = o.B3Emails;
        row.Figures["composeMicrosPerEmail"] = Math.Round(composeMicros, 1);
        row.Figures["renderMicrosPerEmail"] = Math.Round(renderMicros, 1);
        row.Figures["smtpRoundTripsPerEmail"] = roundTrips;
        row.Tables.Add(("Every measured run:", RunTable(runs)));

        // Where a 1-worker relay run's time goes, from its batch log and statement timings.
        var relay1 = Of(Relay1);
        var batches = relay1.SelectMany(r => r.Batches).ToList();
        var claimMs = relay1.SelectMany(r => r.Claims).Select(s => s.Milliseconds).ToList();
        var recordMs = relay1.SelectMany(r => r.Records).Select(s => s.Milliseconds).ToList();
        var relayed = batches.Sum(b => b.Claimed);
        var perEmailBase = 1e6 / rateBase;
        var perEmailRelay = 1e6 / rate1;
        var batchSize = batches.Count == 0 ? double.NaN : batches.Average(b => b.Claimed);
        var claimPerEmail = relayed == 0 ? double.NaN : claimMs.Sum() * 1000 / relayed;
        var recordPerEmail = relayed == 0 ? double.NaN : recordMs.Sum() * 1000 / relayed;
        row.Figures["relayBatchSize"] = Math.Round(batchSize, 1);
        row.Figures["claimMicrosPerEmail"] = Math.Round(claimPerEmail, 1);
        row.Figures["recordMicrosPerEmail"] = Math.Round(recordPerEmail, 1);
        var loops = relay1.Count == 0 ? 1 : relay1[0].Loops;
        // The relay's own account of each batch (its log line's "…Ms" fields), as loop time per e-mail.
        var reported = relayed == 0 ? "" : string.Join(", ", batches.SelectMany(b => b.Milliseconds).GroupBy(kv => kv.Key)
            .Select(g => I($"{g.Key} {g.Sum(kv => kv.Value) * 1000 / relayed:0} µs")));
        row.Figures["relayReportedMicrosPerEmail"] = relayed == 0 ? null
            : batches.SelectMany(b => b.Milliseconds).GroupBy(kv => kv.Key).ToDictionary(g => g.Key, g => Math.Round(g.Sum(kv => kv.Value) * 1000 / relayed, 1));

        row.Notes.Add(I($"{o.B3Emails:N0} e-mails per run (`{OutboxSeed.Kind}`, recipients in fr/nl/en, payload as `OutboxMessage.Create` writes it), ")
            + I($"{o.B3Rounds} rounds of the three sides in alternating order (ABBA…), after one unmeasured run per side of {warm:N0}. ")
            + $"Relay: the outbox emptied, the worker(s) started (AddImailWorker; RelayOptions as configured: {RelayWorker.Describe(relayOptions)}) and idle, "
            + "then one `INSERT … SELECT generate_series` (+ ANALYZE) committed; timed from that commit to the SMTP server's last acceptance. "
            + "Two workers are two such hosts in this process, each with its own connections, listener and SMTP connection. "
            + "MailKit: the same e-mails composed by the same EmailComposer and sent on one SmtpClient connection, timed from the start of the loop to the last acceptance.");
        row.Notes.Add(I($"Per e-mail (medians): MailKit {perEmailBase:0} µs of wall time, relay {perEmailRelay:0} µs. ")
            + I($"Its claim statement takes {claimPerEmail:0} µs of loop time per e-mail and its result statement {recordPerEmail:0} µs ")
            + I($"(batches of {batchSize:0.#}; per batch: claim p50 {Percentiles.Of(claimMs).P50:0.0} ms, record p50 {Percentiles.Of(recordMs).P50:0.0} ms). ")
            + (reported.Length > 0 ? $"The relay's own log, per e-mail of loop time: {reported} ({loops} loop(s) in the worker, working side by side). " : "")
            + "A loop sends nothing while its own statements run. "
            + I($"Composing one e-mail costs {renderMicros:0} µs (payload → Liquid subject, text, HTML → MimeMessage), {composeMicros:0} µs with writing its MIME ")
            + "(which SmtpClient does while sending); measured alone over 3,000 e-mails; both sides pay it.");
        row.Notes.Add($"SMTP conversation for one e-mail on a kept connection (the server {(pipelining ? "offers" : "does not offer")} PIPELINING): "
                      + $"{roundTrips} round trips per e-mail, for the relay and the baseline alike (the same MailKit client):\n" + transcript);
        row.Notes.Add("CPU per e-mail counts this process (relay or MailKit client, and the SMTP server both sides share) and PostgreSQL's processes. "
                      + "The machine is shared (2 cores for everything, and other people's builds and tests): compare the ratio, not e-mails/s, between runs.");
        row.Check(runs.All(r => r.Emails == o.B3Emails), "every run delivered all its e-mails");
        var met = ratio >= MinimumRatio && rate1 >= MinimumRate;

        if (!met || o.Profile)
        {
            c.Log("  profile: relay settings, each next to a MailKit run");
            var profile = new List<string[]> { new[] { "relay variant", "e-mails/s", "MailKit next to it", "ratio", "CPU µs/e-mail (.NET + PostgreSQL)", "batches", "claim ms p50", "record ms p50" } };
            foreach (var side in Profile(relayOptions))
            {
                var baseRun = await RunOnceAsync(c, smtp, composer, meter, statements, MailKit, 0, o.B3Emails, row, check: false);
                var run = await RunOnceAsync(c, smtp, composer, meter, statements, side, 0, o.B3Emails, row, check: false);
                c.Log(I($"    {side.Name}: {run.Rate:N0}/s (MailKit {baseRun.Rate:N0}/s, ratio {run.Rate / baseRun.Rate:0.00})"));
                profile.Add([side.Name, F(run.Rate, "N0"), F(baseRun.Rate, "N0"), F(run.Rate / baseRun.Rate, "0.00"),
                    $"{F(run.ProcessCpuMicros, "N0")} + {F(run.PostgresCpuMicros, "N0")}", $"{run.Batches.Count}",
                    F(Median(run.Claims), "0.0"), F(Median(run.Records), "0.0")]);
                row.Figures["profile: " + side.Name] = new { perSecond = Math.Round(run.Rate, 1), mailkitPerSecond = Math.Round(baseRun.Rate, 1), ratio = Math.Round(run.Rate / baseRun.Rate, 4) };
            }
            row.Tables.Add(("Profile (one run each, not judged): what the relay's settings change. The relay without SMTP measures the outbox machinery alone — "
                            + "its ceiling with a free SMTP server; it ends at the last result statement.", profile));
        }
        if (o.Verbose)
            foreach (var (sql, n) in statements.Seen) c.Log($"  SQL seen {n}×: {sql.ReplaceLineEndings(" ")}");
        row.Decide(met);
        return row;
    }

    private static IReadOnlyList<string[]> RunTable(IEnumerable<RunResult> runs) =>
    [
        ["round", "side", "e-mails/s", "s", "CPU µs/e-mail (.NET + PostgreSQL)", "batches", "claim ms p50 / max", "record ms p50 / max", "time in claim + record"],
        .. runs.Select(r => r.Side.IsMailKit
            ? new[] { $"{r.Round}", r.Side.Name, F(r.Rate, "N0"), F(r.Seconds, "0.00"), $"{F(r.ProcessCpuMicros, "N0")} + {F(r.PostgresCpuMicros, "N0")}", "—", "—", "—", "—" }
            : [$"{r.Round}", r.Side.Name, F(r.Rate, "N0"), F(r.Seconds, "0.00"), $"{F(r.ProcessCpuMicros, "N0")} + {F(r.PostgresCpuMicros, "N0")}",
                $"{r.Batches.Count}", $"{F(Median(r.Claims), "0.0")} / {F(Max(r.Claims), "0.0")}", $"{F(Median(r.Records), "0.0")} / {F(Max(r.Records), "0.0")}",
                // Per relay loop: the share of the run during which it waited for its own statements.
                F((r.Claims.Sum(s => s.Milliseconds) + r.Records.Sum(s => s.Milliseconds)) / r.Loops / 1000 / r.Seconds * 100, "0") + " %"]),
    ];

    private async Task<RunResult> RunOnceAsync(BenchContext c, SmtpTestServer smtp, EmailComposer composer, CpuMeter meter, StatementTimer statements,
        Side side, int round, int count, ResultRow row, bool check)
    {
        var db = c.Api.ConnectionString;
        var run = ++_run;
        smtp.Clear();
        await OutboxSeed.ClearAsync(db);
        List<RelayWorker> workers = [];
        try
        {
            long start, began;
            CpuMeter.Reading cpu;
            if (side.IsMailKit)
            {
                var envelopes = OutboxSeed.Envelopes(run, count);
                cpu = meter.Read();
                start = began = Stopwatch.GetTimestamp();
                await PlainMailKit.SendAllAsync(composer, smtp.Host, smtp.Port, envelopes, c.Cancellation);
            }
            else
            {
                var settings = new Dictionary<string, string?>(smtp.Settings);
                foreach (var (key, value) in side.Settings ?? new Dictionary<string, string?>()) settings[key] = value;
                for (var i = 0; i < side.Workers; i++)
                    workers.Add(await RelayWorker.StartAsync(db, settings, side.WithoutSmtp ? NullSender.Replace : null));
                await RelayWorker.WaitReadyAsync(db, side.Workers);
                statements.Clear();
                cpu = meter.Read();
                began = Stopwatch.GetTimestamp();
                await OutboxSeed.InsertAsync(db, run, count);
                start = Stopwatch.GetTimestamp(); // the commit: the relays are woken from here
            }

            long end;
            if (side.WithoutSmtp)
            {
                await Eventually.Async(() => OutboxSeed.CountByStateAsync(db), s => s.GetValueOrDefault("Delivered") == count,
                    "all outbox rows marked delivered", TimeSpan.FromSeconds(Math.Max(60, count / 100.0)));
                end = statements.Statements.Where(s => s.Kind == StatementTimer.Kind.Record).Max(s => s.End);
            }
            else
            {
                var received = await smtp.WaitForAsync(count, TimeSpan.FromSeconds(Math.Max(60, count / 100.0)));
                end = received.Max(e => e.Timestamp);
            }
            var cpuEnd = meter.Read();
            var seconds = Stopwatch.GetElapsedTime(start, end).TotalSeconds;
            if (!side.IsMailKit)
            {
                // The results are recorded after the acceptance: wait for them (not timed), then check.
                var counts = await Eventually.Async(() => OutboxSeed.CountByStateAsync(db), s => s.GetValueOrDefault("Delivered") == count,
                    "all outbox rows marked delivered", TimeSpan.FromSeconds(30));
                if (check) row.Check(counts.Count == 1, $"round {round}, {side.Name}: all {count:N0} rows delivered, none left pending or dead ({string.Join(", ", counts.Select(kv => $"{kv.Key} {kv.Value}"))})");
            }
            var emails = count;
            if (!side.WithoutSmtp)
            {
                await Task.Delay(100); // a duplicate would show now
                emails = smtp.Received.Select(e => e.To[0]).Distinct(StringComparer.OrdinalIgnoreCase).Count();
                if (check)
                    row.Check(emails == count && smtp.Received.Count == count,
                        $"round {round}, {side.Name}: {count:N0} e-mails accepted, each once ({smtp.Received.Count - emails} duplicates)");
            }
            return new RunResult(side, round, emails, seconds,
                (cpuEnd.Process - cpu.Process).TotalMicroseconds / emails, (cpuEnd.Postgres - cpu.Postgres).TotalMicroseconds / emails,
                statements.Statements.Where(s => s.Start >= began).ToList(),
                workers.SelectMany(w => w.Batches.Batches).ToList(),
                workers.Sum(w => w.Options.Parallelism));
        }
        finally
        {
            foreach (var worker in workers) await worker.DisposeAsync();
            if (workers.Count > 0) await RelayWorker.WaitGoneAsync(db);
            smtp.Clear();
        }
    }

    /// <summary>Sends a few e-mails through the relay and the same ones through the baseline; compares what the server got.</summary>
    private async Task<bool> SameEmailsAsync(BenchContext c, SmtpTestServer smtp, EmailComposer composer)
    {
        var db = c.Api.ConnectionString;
        var run = ++_run;
        smtp.Clear();
        await OutboxSeed.ClearAsync(db);
        await using (var worker = await RelayWorker.StartAsync(db, smtp.Settings))
        {
            await RelayWorker.WaitReadyAsync(db, 1);
            await OutboxSeed.InsertAsync(db, run, 3);
            await smtp.WaitForAsync(3, TimeSpan.FromSeconds(30));
        }
        await RelayWorker.WaitGoneAsync(db);
        var relayed = smtp.Received.OrderBy(e => e.To[0], StringComparer.Ordinal).ToList();
        smtp.Clear();
        await PlainMailKit.SendAllAsync(composer, smtp.Host, smtp.Port, OutboxSeed.Envelopes(run, 3), c.Cancellation);
        var direct = smtp.Received.OrderBy(e => e.To[0], StringComparer.Ordinal).ToList();
        smtp.Clear();
        return relayed.Count == 3 && direct.Count == 3 && relayed.Zip(direct).All(p =>
            p.First.To.SequenceEqual(p.Second.To) && p.First.MessageId == p.Second.MessageId && p.First.Message.Subject == p.Second.Message.Subject
            && p.First.Message.TextBody == p.Second.Message.TextBody && p.First.Message.HtmlBody == p.Second.Message.HtmlBody);
    }

    /// <summary>µs per e-mail to compose it and write its MIME, and to compose it alone.</summary>
    private static (double WithMime, double Compose) ComposeMicros(EmailComposer composer, int count)
    {
        var envelopes = OutboxSeed.Envelopes(999, count);
        foreach (var e in envelopes.Take(500)) composer.Compose(e).Message.WriteTo(Stream.Null);
        var start = Stopwatch.GetTimestamp();
        foreach (var e in envelopes) composer.Compose(e).Message.WriteTo(Stream.Null);
        var withMime = Stopwatch.GetElapsedTime(start).TotalMicroseconds / count;
        start = Stopwatch.GetTimestamp();
        foreach (var e in envelopes) composer.Compose(e);
        return (withMime, Stopwatch.GetElapsedTime(start).TotalMicroseconds / count);
    }

    private static string F(double value, string format) => value.ToString(format, CultureInfo.InvariantCulture);
    private static double Median(List<StatementTimer.Statement> s) => s.Count == 0 ? double.NaN : Comparison.Median(s.Select(x => x.Milliseconds));
    private static double Max(List<StatementTimer.Statement> s) => s.Count == 0 ? double.NaN : s.Max(x => x.Milliseconds);
    private static string I(FormattableString text) => FormattableString.Invariant(text);
}
