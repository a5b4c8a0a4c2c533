using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using Imail.Bench.Hosting;
using Imail.Bench.Mail;
using Imail.Bench.Reporting;
using Imail.Domain.Incidents;
using Imail.Domain.Persistence;
using Imail.Domain.Policies;
using Imail.Testing;
using Imail.Worker.Relay;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace Imail.Bench.Benchmarks;

/// <summary>
/// B4 (P12): an incident affecting 1,000,000 users. On a database of its own (the tests' migrated template,
/// so the other benchmarks keep their 10,000 users): the users are seeded, staff declare the incident for
/// everyone (<see cref="IncidentDesk.DeclareAsync"/>, what <c>declareIncident</c> runs), and the time to have every
/// notice in the outbox is measured with its statements (each timed through Npgsql's activities). Then the worker
/// — the real <c>Imail.Worker</c> executable, a process of its own so its memory is its own — relays the notices to
/// the bench's SMTP server for a while: its delivery rate and peak resident memory; the baseline is plain MailKit
/// sending the same notices (composed by the same composer) over one connection to the same server.
/// </summary>
public sealed class B4 : IBenchmark
{
    public const int Users = 1_000_000;
    public const double MaxEnqueueSeconds = 30;
    public const double MaxRelayMegabytes = 300;
    /// <summary>Notices delivered while the worker is watched: enough for a steady rate and a memory peak, not the whole million.</summary>
    public const int Delivered = 30_000;

    public string Id => "B4";

    public async Task<ResultRow> RunAsync(BenchContext c)
    {
        var row = new ResultRow
        {
            Id = Id,
            What = I($"incident for {Users:N0} users: every notice in the outbox (set-based, in the declaring transaction), then relayed by the worker process"),
            Target = I($"enqueued ≤ {MaxEnqueueSeconds:0} s; worker ≤ {MaxRelayMegabytes:0} MB while it delivers"),
        };
        var db = await TestDatabase.CreateAsync();
        c.Log($"  B4: seeding {Users:N0} users in a database of its own…");
        var seeding = Stopwatch.StartNew();
        await BenchSql.ExecuteAsync(db, I($"""
            INSERT INTO users (id, email, display_name, locale, status, created_at, updated_at)
            SELECT ('01900004-0000-7000-8000-' || lpad(to_hex(g), 12, '0'))::uuid, 'b4.user' || g || '@example.org', 'B4 User ' || g,
                   (ARRAY['Fr', 'Nl', 'En'])[1 + g % 3], 'Active', now() - make_interval(days => g % 1000), now()
            FROM generate_series(1, {Users}) AS g;
            ANALYZE users;
            """), c.Cancellation);
        var seeded = seeding.Elapsed.TotalSeconds;
        c.Log(I($"  B4: seeded in {seeded:0.0} s; declaring"));

        var services = new ServiceCollection().AddImailDatabase(db).BuildServiceProvider();
        var factory = services.GetRequiredService<IDbContextFactory<ImailDbContext>>();
        var catalogue = new PersonalDataCatalogue(factory);
        using var statements = new Statements();
        Declaration declaration;
        var clock = Stopwatch.StartNew();
        await using (var context = await factory.CreateDbContextAsync(c.Cancellation))
            declaration = await new IncidentDesk(context, catalogue, TimeProvider.System).DeclareAsync(new IncidentDeclaration(
                IncidentSeverity.High, DateTimeOffset.UtcNow.AddHours(-2),
                new LocalizedTextChange("Accès non autorisé.", "Onbevoegde toegang.", "Unauthorised access."),
                ["contact"], new IncidentSelector(true, null, null, null, null), NotifyPartners: false),
                "b4-staff", new IncidentOptions(), c.Cancellation);
        var seconds = clock.Elapsed.TotalSeconds;
        var timed = statements.Stop();
        var inserts = timed.Where(s => s.Sql.Contains("INSERT", StringComparison.Ordinal)).ToList();
        var longest = inserts.Count > 0 ? inserts.Max(s => s.Milliseconds) : 0;
        var queued = await BenchSql.ScalarAsync(db, "SELECT count(*) FROM outbox_messages WHERE kind = 'email.incident-notice'");
        row.Check(declaration.Notified == Users && queued == Users, I($"one notice per user in the outbox ({queued:N0} queued, {declaration.Notified:N0} recipients recorded, {Users:N0} users)"));
        row.GraphQL = I($"{Users:N0} notices in {seconds:0.0} s: {declaration.Statements} INSERT … SELECT statements (longest {longest / 1000:0.0} s), {timed.Count} statements in all");
        row.Figures["enqueueSeconds"] = Math.Round(seconds, 2);
        row.Figures["enqueueStatements"] = declaration.Statements;
        row.Figures["longestStatementMs"] = Math.Round(longest, 1);

        // The floor, in the same run: one bare INSERT … SELECT of as many outbox rows, ids made the same way (time-ordered UUIDv7),
        // without the recipients' rows, the categories each holds, or the notice's values.
        clock.Restart();
        await BenchSql.ExecuteAsync(db, """
            INSERT INTO outbox_messages (id, kind, payload, user_id, state, created_at, available_at, attempts)
            SELECT imail_uuid_v7(now()), 'email.b4-floor', jsonb_build_object('to', email, 'locale', locale), id, 'Delivered', now(), now(), 0
            FROM users
            """, c.Cancellation);
        var floor = clock.Elapsed.TotalSeconds;
        await BenchSql.ExecuteAsync(db, "DELETE FROM outbox_messages WHERE kind = 'email.b4-floor'", c.Cancellation);
        row.Baseline = I($"one bare INSERT … SELECT of {Users:N0} outbox rows: {floor:0.0} s");
        row.Ratio = I($"{seconds / floor:0.0}× the bare insert");
        row.Figures["floorSeconds"] = Math.Round(floor, 2);

        await using var smtp = await SmtpTestServer.StartAsync();
        var (rate, peakMb, delivered) = await RelayAsync(c, db, smtp);
        row.Notes.Add(I($"The worker process (Imail.Worker, Parallelism 4, BatchSize from its appsettings) relayed {delivered:N0} of the notices to a local SMTP server at {rate:N0} e-mails/s; its peak resident memory (VmHWM) was {peakMb:0} MB."));
        row.Figures["relayPerSecond"] = Math.Round(rate, 1);
        row.Figures["relayPeakMegabytes"] = Math.Round(peakMb, 1);

        // The same notices, composed by the same composer, over one plain MailKit connection.
        var envelopes = await EnvelopesAsync(db, Delivered / 3);
        smtp.Clear();
        var composer = RelayWorker.Composer(db, smtp.Settings);
        clock.Restart();
        await PlainMailKit.SendAllAsync(composer, smtp.Host, smtp.Port, envelopes, c.Cancellation);
        var baseRate = envelopes.Count / clock.Elapsed.TotalSeconds;
        row.Notes.Add(I($"Plain MailKit sending {envelopes.Count:N0} of the same notices (same composer, one connection): {baseRate:N0} e-mails/s; the worker relayed at {rate / baseRate:0.00}× that."));
        row.Figures["mailKitPerSecond"] = Math.Round(baseRate, 1);
        row.Notes.Add(I($"Seeding {Users:N0} users took {seeded:0} s (not measured). Statements of the declaration: {string.Join("; ", timed.GroupBy(s => s.Sql.Length > 60 ? s.Sql[..60] : s.Sql).Select(g => $"{g.Count()} × `{g.Key.ReplaceLineEndings(" ")}…` ({g.Sum(s => s.Milliseconds) / 1000:0.0} s)"))}."));
        row.Decide(seconds <= MaxEnqueueSeconds && peakMb <= MaxRelayMegabytes);
        await services.DisposeAsync();
        return row;
    }

    /// <summary>Starts the worker executable on the database and the SMTP server; watches its memory until <see cref="Delivered"/> notices arrived.</summary>
    private static async Task<(double Rate, double PeakMegabytes, int Delivered)> RelayAsync(BenchContext c, string db, SmtpTestServer smtp)
    {
        var folder = Path.Combine(TestDatabase.RepositoryRoot(), "src", "Imail.Worker", "bin", "Release", "net10.0");
        var start = new ProcessStartInfo(Path.Combine(folder, "Imail.Worker")) { WorkingDirectory = folder, RedirectStandardOutput = true, RedirectStandardError = true };
        start.Environment["DOTNET_ENVIRONMENT"] = "Production";
        start.Environment[$"ConnectionStrings__{DatabaseSetup.ConnectionStringName}"] = db;
        start.Environment["Imail__Schedules__Enabled"] = "false";
        start.Environment["Logging__LogLevel__Default"] = "Warning";
        foreach (var (key, value) in smtp.Settings) start.Environment[key.Replace(":", "__", StringComparison.Ordinal)] = value;
        using var worker = Process.Start(start) ?? throw new Load.BenchException("B4: the worker did not start.");
        var errors = new ConcurrentQueue<string>();
        worker.ErrorDataReceived += (_, e) => { if (e.Data is { } line) errors.Enqueue(line); };
        worker.OutputDataReceived += (_, e) => { if (e.Data is { } line && line.Contains("fail", StringComparison.OrdinalIgnoreCase)) errors.Enqueue(line); };
        worker.BeginErrorReadLine();
        worker.BeginOutputReadLine();
        try
        {
            var waited = Stopwatch.StartNew();
            long? first = null;
            var received = 0;
            double peak = 0;
            while (received < Delivered)
            {
                if (worker.HasExited) throw new Load.BenchException($"B4: the worker exited ({worker.ExitCode}): {string.Join(" | ", errors.Take(5))}");
                if (waited.Elapsed > TimeSpan.FromMinutes(5)) throw new Load.BenchException($"B4: {received:N0} of {Delivered:N0} notices in 5 minutes.");
                peak = Math.Max(peak, PeakMegabytes(worker.Id));
                var got = smtp.Received;
                received = got.Count;
                if (first is null && got.Count > 0) first = got.Min(e => e.Timestamp);
                await Task.Delay(250, c.Cancellation);
            }
            var all = smtp.Received;
            var last = all.OrderBy(e => e.Timestamp).ElementAt(Delivered - 1).Timestamp;
            peak = Math.Max(peak, PeakMegabytes(worker.Id));
            return ((Delivered - 1) / Stopwatch.GetElapsedTime(first!.Value, last).TotalSeconds, peak, Delivered);
        }
        finally
        {
            worker.Kill(entireProcessTree: true);
            await worker.WaitForExitAsync();
        }
    }

    /// <summary>The process's peak resident set (VmHWM), in MB.</summary>
    private static double PeakMegabytes(int pid)
    {
        try
        {
            var line = File.ReadLines($"/proc/{pid}/status").FirstOrDefault(l => l.StartsWith("VmHWM:", StringComparison.Ordinal));
            return line is null ? 0 : double.Parse(line["VmHWM:".Length..].Trim().Split(' ')[0], CultureInfo.InvariantCulture) / 1024;
        }
        catch (IOException)
        {
            return 0;
        }
    }

    /// <summary>Some of the incident's notices not yet delivered, as the relay would read them.</summary>
    private static async Task<List<OutboxEnvelope>> EnvelopesAsync(string db, int count)
    {
        await using var connection = new NpgsqlConnection(db);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT id, kind, payload::text, created_at FROM outbox_messages WHERE kind = 'email.incident-notice' AND state = 'Pending' LIMIT $1", connection)
        {
            Parameters = { new() { Value = count } },
        };
        var envelopes = new List<OutboxEnvelope>(count);
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
            envelopes.Add(new OutboxEnvelope(reader.GetGuid(0), reader.GetString(1), reader.GetString(2), 1, reader.GetFieldValue<DateTimeOffset>(3)));
        return envelopes;
    }



    private static string I(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);

    /// <summary>Every statement Npgsql runs in this process while it listens, with its duration.</summary>
    private sealed class Statements : IDisposable
    {
        public readonly record struct Timed(string Sql, double Milliseconds);

        private readonly ActivityListener _listener;
        private readonly ConcurrentQueue<Timed> _timed = new();
        private volatile bool _stopped;

        public Statements()
        {
            _listener = new ActivityListener
            {
                ShouldListenTo = source => source.Name == "Npgsql",
                Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
                ActivityStopped = activity =>
                {
                    if (_stopped) return;
                    _timed.Enqueue(new(activity.GetTagItem("db.query.text") as string ?? activity.DisplayName, activity.Duration.TotalMilliseconds));
                },
            };
            ActivitySource.AddActivityListener(_listener);
        }

        public List<Timed> Stop()
        {
            _stopped = true;
            return [.. _timed];
        }

        public void Dispose() => _listener.Dispose();
    }
}
