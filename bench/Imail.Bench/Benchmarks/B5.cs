using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using Imail.Bench.Hosting;
using Imail.Bench.Measure;
using Imail.Bench.Reporting;
using Imail.Domain.Lifecycle;
using Imail.Domain.Persistence;
using Imail.Worker.Purge;
using Imail.Worker.Schedules;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Imail.Bench.Benchmarks;

/// <summary>
/// B5 (P7, P8): the purge of 1,000,000 expired navigation events by the production schedule
/// (<see cref="NavigationPurgeJob"/>: batches of 10,000, each its own short transaction) against one bulk
/// <c>DELETE … WHERE occurred_at &lt; limit</c> of the same rows in the same run (ABBA rounds, the table
/// vacuumed and re-seeded before each side). Judged: no purge statement over 1 s, total ≤ 2× the bulk
/// delete. Then the erasure of one person holding 10,000 rows (navigation signed in and on their device,
/// outbox messages, connected accounts with received fields): time and statements.
/// </summary>
public sealed class B5 : IBenchmark
{
    public const double MaxStatementSeconds = 1.0;
    public const double MaxRatio = 2.0;
    public const int Expired = 1_000_000;
    public const int Recent = 100_000;
    /// <summary>The schedule's own default.</summary>
    public static readonly int BatchSize = ScheduledJobs.NavigationPurge.DefaultBatchSize;
    public const int Rounds = 4;

    public string Id => "B5";

    public async Task<ResultRow> RunAsync(BenchContext c)
    {
        var row = new ResultRow
        {
            Id = Id,
            What = I($"purge of {Expired:N0} expired navigation events (the schedule, batches of {BatchSize:N0}) vs one bulk DELETE; erasure of one person holding 10,000 rows"),
            Target = I($"no purge statement > {MaxStatementSeconds:0} s; total ≤ {MaxRatio:0}× the bulk DELETE"),
        };
        var db = c.Api.ConnectionString;
        using var timer = new DeleteTimer();

        var rounds = new List<(double Purge, double Bulk, double Longest, int Statements)>();
        for (var round = 1; round <= Rounds; round++)
        {
            double purge = 0, bulk = 0, longest = 0;
            var statements = 0;
            foreach (var side in round % 2 == 1 ? new[] { "bulk", "purge" } : ["purge", "bulk"])
            {
                await SeedNavigationAsync(db, c.Cancellation);
                timer.Clear();
                var clock = Stopwatch.StartNew();
                if (side == "bulk")
                {
                    await using var connection = new NpgsqlConnection(db);
                    await connection.OpenAsync(c.Cancellation);
                    await using var command = new NpgsqlCommand("DELETE FROM navigation_events WHERE occurred_at < now() - interval '13 months'", connection) { CommandTimeout = 600 };
                    var deleted = await command.ExecuteNonQueryAsync(c.Cancellation);
                    bulk = clock.Elapsed.TotalSeconds;
                    row.Check(deleted == Expired, I($"round {round}: the bulk DELETE removed the {Expired:N0} expired rows ({deleted:N0})"));
                }
                else
                {
                    var result = await Purge(c).RunAsync(c.Cancellation);
                    purge = clock.Elapsed.TotalSeconds;
                    var deletes = timer.Durations;
                    longest = deletes.Count == 0 ? 0 : deletes.Max();
                    statements = result.Statements;
                    row.Check(result.Deleted == Expired, I($"round {round}: the purge removed the {Expired:N0} expired rows ({result.Deleted:N0}) in {result.Statements} statements"));
                }
                row.Check(await CountAsync(db, "SELECT count(*) FROM navigation_events WHERE front_end = 'b5'", c.Cancellation) == Recent,
                    I($"round {round}, {side}: the {Recent:N0} events within the retention are all still there"));
            }
            rounds.Add((purge, bulk, longest, statements));
            c.Log(I($"  B5 round {round}: purge {purge:0.00} s (longest statement {longest * 1000:0} ms, {statements} statements) | bulk DELETE {bulk:0.00} s | ratio {purge / bulk:0.00}"));
        }
        await BenchSql.ExecuteAsync(db, "DELETE FROM navigation_events WHERE front_end = 'b5'", c.Cancellation);
        await BenchSql.ExecuteAsync(db, "VACUUM (ANALYZE) navigation_events", c.Cancellation);

        var ratios = rounds.Select(r => r.Purge / r.Bulk).ToList();
        var ratio = Comparison.Median(ratios);
        var longestAll = rounds.Max(r => r.Longest);
        row.GraphQL = I($"purge {Comparison.Median(rounds.Select(r => r.Purge)):0.00} s, {rounds[0].Statements} statements, longest {longestAll * 1000:0} ms");
        row.Baseline = I($"one DELETE {Comparison.Median(rounds.Select(r => r.Bulk)):0.00} s");
        row.Ratio = I($"{ratio:0.00}× ({ratios.Min():0.00}–{ratios.Max():0.00}) of the bulk DELETE's time");
        row.Figures["purgeSeconds"] = rounds.Select(r => Math.Round(r.Purge, 3)).ToList();
        row.Figures["bulkSeconds"] = rounds.Select(r => Math.Round(r.Bulk, 3)).ToList();
        row.Figures["longestStatementMs"] = Math.Round(longestAll * 1000, 1);
        row.Figures["ratio"] = Math.Round(ratio, 3);

        // The erasure of one person with 10,000 rows, three times (re-seeded each time).
        var erasures = new List<(double Seconds, int Statements, int RoundTrips, int Rows)>();
        for (var i = 1; i <= 3; i++)
        {
            var person = await SeedPersonAsync(db, i, c.Cancellation);
            timer.Clear();
            await using var scope = c.Api.Services.CreateAsyncScope();
            await using var context = await scope.ServiceProvider.GetRequiredService<IDbContextFactory<ImailDbContext>>().CreateDbContextAsync(c.Cancellation);
            var clock = Stopwatch.StartNew();
            var outcome = await new Erasure(context, scope.ServiceProvider.GetRequiredService<PersonalDataCatalogue>(), TimeProvider.System)
                .EraseAsync(person, ErasureReason.Request, Eraser.Staff("bench"), null, c.Cancellation);
            var seconds = clock.Elapsed.TotalSeconds;
            var rows = System.Text.Json.JsonSerializer.Deserialize<Dictionary<string, int>>(outcome.Record.Rows)!;
            var left = await CountAsync(db, I($"""
                SELECT (SELECT count(*) FROM navigation_events WHERE user_id = '{person}' OR name = '/b5/{person}')
                     + (SELECT count(*) FROM outbox_messages WHERE user_id = '{person}')
                     + (SELECT count(*) FROM users WHERE id = '{person}')
                """), c.Cancellation);
            row.Check(left == 0, I($"erasure {i}: nothing of the person is left ({left} rows)"));
            erasures.Add((seconds, outcome.Statements, timer.AllCommands, rows.Where(r => r.Key != "anonymous_consent_proofs").Sum(r => r.Value)));
            c.Log(I($"  B5 erasure {i}: {seconds * 1000:0} ms, {outcome.Statements} statements in {timer.AllCommands} round trips, {erasures[^1].Rows:N0} rows"));
        }
        var erasure = Comparison.Median(erasures.Select(e => e.Seconds));
        row.Notes.Add(I($"Erasure of one person holding {erasures[0].Rows:N0} rows: {erasure * 1000:0} ms (median of 3; {erasures.Min(e => e.Seconds) * 1000:0}–{erasures.Max(e => e.Seconds) * 1000:0} ms), {erasures[0].Statements} statements in {erasures[0].RoundTrips} round trips, one transaction."));
        row.Notes.Add("The purge: `navigation-purge` as scheduled, `DELETE FROM navigation_events WHERE ctid = ANY(ARRAY(SELECT ctid … WHERE occurred_at < $1 ORDER BY occurred_at LIMIT 10000))`, each batch committed on its own; the baseline: one `DELETE … WHERE occurred_at < now() - interval '13 months'`, which holds its locks for its whole duration. Before each side: 1,000,000 expired and 100,000 recent rows seeded by one INSERT … SELECT generate_series, then VACUUM (ANALYZE).");
        row.Figures["erasureMs"] = Math.Round(erasure * 1000, 1);
        row.Figures["erasureStatements"] = erasures[0].Statements;
        row.Figures["erasureRoundTrips"] = erasures[0].RoundTrips;
        row.Figures["erasureRows"] = erasures[0].Rows;
        row.Decide(longestAll <= MaxStatementSeconds && ratio <= MaxRatio);
        return row;
    }

    private static NavigationPurgeJob Purge(BenchContext c) => new(new PurgeServices(
        c.Api.Services.GetRequiredService<IDbContextFactory<ImailDbContext>>(), TimeProvider.System,
        new FixedOptions(new ScheduleOptions { BatchSize = BatchSize }), NullLoggerFactory.Instance));

    private static async Task SeedNavigationAsync(string db, CancellationToken ct)
    {
        await BenchSql.ExecuteAsync(db, "DELETE FROM navigation_events WHERE front_end = 'b5'", ct);
        await BenchSql.ExecuteAsync(db, "VACUUM (ANALYZE) navigation_events", ct);
        await BenchSql.ExecuteAsync(db, I($"""
        INSERT INTO navigation_events (id, visitor_id, user_id, kind, name, front_end, occurred_at)
        SELECT gen_random_uuid(), NULL, NULL, 'PageView', '/b5/' || (g % 500), 'b5', now() - interval '2 years' + g * interval '20 milliseconds'
        FROM generate_series(1, {Expired}) AS g;
        INSERT INTO navigation_events (id, visitor_id, user_id, kind, name, front_end, occurred_at)
        SELECT gen_random_uuid(), NULL, NULL, 'PageView', '/b5/' || (g % 500), 'b5', now() - interval '30 days' + g * interval '1 second'
        FROM generate_series(1, {Recent}) AS g;
        """), ct);
        await BenchSql.ExecuteAsync(db, "VACUUM (ANALYZE) navigation_events", ct);
    }

    /// <summary>One person with 10,000 rows: the account, a device, 7,000 page views signed in and 1,000 on the device, 1,958 outbox messages, 10 connected accounts with 3 fields each.</summary>
    private static async Task<Guid> SeedPersonAsync(string db, int run, CancellationToken ct)
    {
        var person = Guid.CreateVersion7();
        var device = Guid.NewGuid();
        await BenchSql.ExecuteAsync(db, I($"""
            INSERT INTO users (id, email, display_name, locale, status, created_at, updated_at)
              VALUES ('{person}', 'b5.person{run}.{person:N}@example.org', 'B5 Person {run}', 'Fr', 'Active', now(), now());
            INSERT INTO visitors (id, issued_at, user_id, attached_at, cookie_deposited_at, cookie_expires_at)
              VALUES ('{device}', now(), '{person}', now(), now(), now() + interval '13 months');
            INSERT INTO navigation_events (id, visitor_id, user_id, kind, name, front_end, occurred_at)
              SELECT gen_random_uuid(), '{device}', '{person}', 'PageView', '/b5/{person}', 'b5e', now() - g * interval '1 minute' FROM generate_series(1, 7000) AS g;
            INSERT INTO navigation_events (id, visitor_id, user_id, kind, name, front_end, occurred_at)
              SELECT gen_random_uuid(), '{device}', NULL, 'PageView', '/b5/{person}', 'b5e', now() - g * interval '1 minute' FROM generate_series(1, 1000) AS g;
            INSERT INTO outbox_messages (id, kind, payload, user_id, state, created_at, available_at, attempts, delivered_at)
              SELECT gen_random_uuid(), 'email.sign-up-confirmation', jsonb_build_object('to', 'b5.person{run}@example.org', 'name', 'B5 Person', 'locale', 'Fr', 'values', jsonb_build_object()), '{person}', 'Delivered', now(), now(), 1, now()
              FROM generate_series(1, 1958) AS g;
            """), ct);
        for (var i = 0; i < 10; i++)
        {
            var account = Guid.NewGuid();
            await BenchSql.ExecuteAsync(db, I($"""
                INSERT INTO connected_accounts (id, user_id, provider, external_account_id, granted_scopes, connected_at, updated_at)
                  VALUES ('{account}', '{person}', 'mastodon', '@b5.{i}.{person:N}', ARRAY['profile'], now(), now());
                INSERT INTO connected_account_fields (scope, name, value, connected_account_id)
                  VALUES ('profile', 'username', 'b5-{i}', '{account}'), ('profile', 'displayName', 'B5 {i}', '{account}'), ('profile', 'profileUrl', 'https://example.social/b5{i}', '{account}');
                """), ct);
        }
        return person;
    }


    private static async Task<long> CountAsync(string db, string sql, CancellationToken ct)
    {
        await using var connection = new NpgsqlConnection(db);
        await connection.OpenAsync(ct);
        await using var command = new NpgsqlCommand(sql, connection);
        return (long)(await command.ExecuteScalarAsync(ct))!;
    }

    private static string I(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);

    private sealed class FixedOptions(ScheduleOptions value) : IOptionsMonitor<ScheduleOptions>
    {
        public ScheduleOptions CurrentValue => value;
        public ScheduleOptions Get(string? name) => value;
        public IDisposable? OnChange(Action<ScheduleOptions, string?> listener) => null;
    }

    /// <summary>Npgsql's tracing: the duration of each purge DELETE, and how many commands (round trips) ran.</summary>
    private sealed class DeleteTimer : IDisposable
    {
        private readonly ActivityListener _listener;
        private readonly ConcurrentQueue<double> _durations = new();
        private int _commands;

        public DeleteTimer()
        {
            _listener = new ActivityListener
            {
                ShouldListenTo = source => source.Name == "Npgsql",
                Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
                ActivityStopped = activity =>
                {
                    Interlocked.Increment(ref _commands);
                    var sql = activity.GetTagItem("db.query.text") as string ?? activity.DisplayName;
                    if (sql.StartsWith("DELETE FROM navigation_events WHERE ctid = ANY", StringComparison.Ordinal)) _durations.Enqueue(activity.Duration.TotalSeconds);
                },
            };
            ActivitySource.AddActivityListener(_listener);
        }

        public IReadOnlyList<double> Durations => [.. _durations];
        public int AllCommands => Volatile.Read(ref _commands);

        public void Clear()
        {
            _durations.Clear();
            Interlocked.Exchange(ref _commands, 0);
        }

        public void Dispose() => _listener.Dispose();
    }
}
