using System.Collections.Concurrent;
using System.Data.Common;
using System.Diagnostics;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace Imail.Bench.Measure;

/// <summary>
/// When each sign-up's transaction committed, from EF Core's own diagnostics (the
/// <c>Microsoft.EntityFrameworkCore</c> DiagnosticListener, which needs no change to the host):
/// the INSERT command of a SaveChanges names the new user's e-mail address among its parameters,
/// and the same DbContext's <c>TransactionCommitted</c> event fires as soon as PostgreSQL has
/// answered the COMMIT — the moment the outbox row became visible and its NOTIFY was sent.
/// A <see cref="Stopwatch"/> timestamp, comparable to the SMTP server's. Only addresses that
/// <see cref="Matches"/> are kept.
/// </summary>
public sealed class CommitClock : IObserver<DiagnosticListener>, IObserver<KeyValuePair<string, object?>>, IDisposable
{
    private static readonly string Executed = RelationalEventId.CommandExecuted.Name!;
    private static readonly string Committed = RelationalEventId.TransactionCommitted.Name!;

    private readonly Func<string, bool> _matches;
    private readonly IDisposable _all;
    private readonly List<IDisposable> _subscriptions = [];
    private readonly ConcurrentDictionary<Guid, string> _pending = new(); // transaction id → address
    private readonly ConcurrentDictionary<string, long> _commits = new(StringComparer.OrdinalIgnoreCase);

    public CommitClock(Func<string, bool> matches)
    {
        _matches = matches;
        _all = DiagnosticListener.AllListeners.Subscribe(this);
    }

    public bool Matches(string address) => _matches(address);

    /// <summary>Commit timestamp per e-mail address.</summary>
    public IReadOnlyDictionary<string, long> Commits => _commits;

    public void OnNext(DiagnosticListener listener)
    {
        if (listener.Name != DbLoggerCategory.Name) return;
        lock (_subscriptions) _subscriptions.Add(listener.Subscribe(this, name => name == Executed || name == Committed));
    }

    public void OnNext(KeyValuePair<string, object?> e)
    {
        if (e.Key == Committed && e.Value is TransactionEndEventData end)
        {
            var at = Stopwatch.GetTimestamp();
            if (_pending.TryRemove(end.TransactionId, out var address)) _commits[address] = at;
        }
        else if (e.Key == Executed && e.Value is CommandExecutedEventData executed && executed.Command.Transaction is not null
                 && Address(executed.Command) is { } address && executed.Context?.Database.CurrentTransaction is { } current)
        {
            _pending[current.TransactionId] = address;
        }
    }

    private string? Address(DbCommand command)
    {
        foreach (DbParameter p in command.Parameters)
            if (p.Value is string s && s.Contains('@') && _matches(s)) return s;
        return null;
    }

    public void OnCompleted() { }
    public void OnError(Exception error) { }

    public void Dispose()
    {
        _all.Dispose();
        lock (_subscriptions) foreach (var s in _subscriptions) s.Dispose();
    }
}
