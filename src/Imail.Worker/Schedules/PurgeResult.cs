using Imail.Domain.DataCategories;

namespace Imail.Worker.Schedules;

/// <summary>What one step of a purge did: <c>12000 navigation events deleted (occurred before …)</c>.</summary>
public sealed record PurgeCount(string Rows, string Done, int Count, string Why, int Statements);

/// <summary>
/// What one run of a purge did, or a dry run would do. Its text is the log line and what <c>run-job</c> prints:
/// <c>navigation-purge: 12000 navigation events deleted (occurred before 2025-10-27 03:17:00Z, navigation retention P1Y1M); 3 statements.</c>
/// </summary>
public sealed record PurgeResult(string Job, RetentionLimit Limit, IReadOnlyList<PurgeCount> Counts, bool DryRun = false)
{
    /// <summary>The rows of the first step, the ones the purge is named after.</summary>
    public int Deleted => Counts[0].Count;

    public DateTimeOffset Before => Limit.Before;

    public RetentionPeriod Retention => Limit.Retention;

    public int Statements => Counts.Sum(c => c.Statements);

    public override string ToString() => DryRun
        ? $"{Job}, dry run: {string.Join("; ", Counts.Select(c => $"{c.Count} {c.Rows} would be {c.Done} ({c.Why})"))}; {Statements} statements, rolled back: nothing changed."
        : $"{Job}: {string.Join("; ", Counts.Select(c => $"{c.Count} {c.Rows} {c.Done} ({c.Why})"))}; {Statements} statements.";

    /// <summary>One log line, this text, with the counts also as fields for structured logs.</summary>
    internal void WriteTo(ILogger logger)
    {
        var fields = new Fields(ToString())
        {
            new("Job", Job), new("DryRun", DryRun), new("Retention", Retention.Iso8601), new("Before", Before), new("Statements", Statements),
        };
        fields.AddRange(Counts.Select(c => new KeyValuePair<string, object?>(c.Rows, c.Count)));
        logger.Log(LogLevel.Information, default, fields, null, (state, _) => state.ToString());
    }

    /// <summary>Structured logs read the fields; the JSON formatter also writes the state's text.</summary>
    private sealed class Fields(string text) : List<KeyValuePair<string, object?>>
    {
        public override string ToString() => text;
    }
}
