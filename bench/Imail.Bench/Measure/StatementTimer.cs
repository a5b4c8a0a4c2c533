using System.Collections.Concurrent;
using System.Diagnostics;

namespace Imail.Bench.Measure;

/// <summary>
/// Times the outbox relay's own statements — the claim (<c>UPDATE … FOR UPDATE SKIP LOCKED … RETURNING</c>)
/// and the batch that records results — from Npgsql's tracing (one activity per command or batch),
/// with <see cref="Stopwatch"/> timestamps comparable to the SMTP server's. Two statements per batch
/// of up to 100 e-mails, so listening costs nothing measurable; other SQL is ignored.
/// </summary>
public sealed class StatementTimer : IDisposable
{
    public enum Kind { Claim, Record, NextDue }

    /// <param name="Rows">Rows the statement returned or changed (Npgsql's <c>db.npgsql.rows</c>), -1 when not told.</param>
    public readonly record struct Statement(Kind Kind, long Start, long End, long Rows)
    {
        public double Milliseconds => Stopwatch.GetElapsedTime(Start, End).TotalMilliseconds;
    }

    private const string StartProperty = "imail.bench.start";
    private readonly ActivityListener _listener;
    private readonly ConcurrentQueue<Statement> _statements = new();

    public StatementTimer()
    {
        _listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == "Npgsql",
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStarted = activity => activity.SetCustomProperty(StartProperty, Stopwatch.GetTimestamp()),
            ActivityStopped = activity =>
            {
                var end = Stopwatch.GetTimestamp();
                if (activity.GetCustomProperty(StartProperty) is not long start) return;
                var sql = activity.GetTagItem("db.query.text") as string ?? activity.DisplayName;
                Seen.AddOrUpdate(sql.Length > 80 ? sql[..80] : sql, 1, (_, n) => n + 1);
                Kind? kind = sql.Contains("FOR UPDATE SKIP LOCKED", StringComparison.Ordinal) ? Kind.Claim
                    : sql.Contains("state = 'Delivered'", StringComparison.Ordinal) || sql.Contains("unnest(", StringComparison.Ordinal) ? Kind.Record
                    : sql.Contains("min(available_at)", StringComparison.Ordinal) ? Kind.NextDue
                    : null;
                if (kind is { } k)
                {
                    var rows = activity.GetTagItem("db.npgsql.rows") switch { long l => l, int i => i, ulong u => (long)u, _ => -1 };
                    _statements.Enqueue(new Statement(k, start, end, rows));
                    Sql.TryAdd(k, sql);
                }
            },
        };
        ActivitySource.AddActivityListener(_listener);
    }

    /// <summary>The SQL text of each kind, as Npgsql sent it (positional parameters).</summary>
    public ConcurrentDictionary<Kind, string> Sql { get; } = new();

    /// <summary>Every command text seen (first 80 characters) and how often: for --verbose.</summary>
    public ConcurrentDictionary<string, int> Seen { get; } = new();

    public IReadOnlyList<Statement> Statements => _statements.OrderBy(s => s.Start).ToList();

    public void Clear() => _statements.Clear();

    public void Dispose() => _listener.Dispose();
}
