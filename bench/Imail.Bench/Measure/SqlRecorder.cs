using System.Collections.Concurrent;
using System.Diagnostics;

namespace Imail.Bench.Measure;

/// <summary>
/// Records every command Npgsql sends to PostgreSQL, from Npgsql's own tracing (ActivitySource
/// "Npgsql", one activity per command or batch, with its SQL), so the count is exact and needs no
/// change to the host. Used only while one request runs alone: nothing else talks to the database
/// then. Not active during throughput rounds, where tracing would cost time.
/// </summary>
public sealed class SqlRecorder : IDisposable
{
    private readonly ActivityListener _listener;
    private readonly ConcurrentQueue<string> _statements = new();

    public SqlRecorder()
    {
        _listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == "Npgsql",
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = activity =>
            {
                // Connection opens are traced too (no query text): they are not statements.
                if (activity.GetTagItem("db.query.text") is string sql) _statements.Enqueue(sql);
            },
        };
        ActivitySource.AddActivityListener(_listener);
    }

    /// <summary>The SQL sent while <paramref name="work"/> ran.</summary>
    public async Task<IReadOnlyList<string>> DuringAsync(Func<Task> work)
    {
        _statements.Clear();
        await work(); // every command's reader is closed before the resolver returns, so before the response
        return _statements.ToArray();
    }

    public void Dispose() => _listener.Dispose();
}
