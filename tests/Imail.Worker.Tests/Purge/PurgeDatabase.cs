using System.Collections.Concurrent;
using System.Data.Common;
using System.Text.RegularExpressions;
using Imail.Domain.Persistence;
using Imail.Testing;
using Imail.Worker.Purge;
using Imail.Worker.Schedules;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using Npgsql;

namespace Imail.Worker.Tests.Purge;

/// <summary>
/// A database of the test's own, a clock it moves, and the jobs built by the same
/// <c>AddImailJobs()</c> as production over them; every statement the jobs send is logged.
/// </summary>
public sealed class PurgeDatabase : IAsyncLifetime, IDatabaseFixture
{
    public FakeTimeProvider Clock { get; } = new(new DateTimeOffset(2026, 11, 27, 3, 17, 0, TimeSpan.Zero));
    public string ConnectionString { get; private set; } = "";
    public ConcurrentQueue<string> Statements { get; } = new();

    /// <summary>The log lines the jobs wrote, as formatted.</summary>
    public ConcurrentQueue<string> LogLines { get; } = new();

    public async Task InitializeAsync() => ConnectionString = await TestDatabase.CreateAsync();

    public Task DisposeAsync() => Task.CompletedTask;

    /// <summary>The services a job runs on; <paramref name="settings"/> as in appsettings (':'-separated keys).</summary>
    public ServiceProvider Services(IDictionary<string, string?>? settings = null)
    {
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { ["ConnectionStrings:Imail"] = ConnectionString })
            .AddInMemoryCollection(settings ?? new Dictionary<string, string?>())
            .Build();
        return new ServiceCollection()
            .AddSingleton<IConfiguration>(configuration)
            .AddSingleton<TimeProvider>(Clock)
            .AddLogging(logging => logging.AddProvider(new LineLog(LogLines)))
            .AddSingleton<IDbContextFactory<ImailDbContext>>(new LoggedDatabases(ConnectionString, new StatementLog(Statements)))
            .AddImailJobs()
            .BuildServiceProvider();
    }

    public async Task<PurgeResult> RunOutboxCleanupAsync(IDictionary<string, string?>? settings = null)
    {
        await using var services = Services(settings);
        return await services.GetRequiredService<OutboxCleanupJob>().RunAsync(CancellationToken.None);
    }

    public const string PersonalPayload = """{"to": "ada@example.org", "name": "Ada Lovelace"}""";

    /// <summary>Adds <paramref name="count"/> outbox messages in one statement; returns their ids.</summary>
    public async Task<List<Guid>> InsertMessagesAsync(string state, DateTimeOffset createdAt, DateTimeOffset? deliveredAt = null,
        DateTimeOffset? deadAt = null, int count = 1, string payload = PersonalPayload, DateTimeOffset? payloadPurgedAt = null)
    {
        await using var connection = await OpenAsync();
        await using var insert = new NpgsqlCommand("""
            INSERT INTO outbox_messages (id, kind, payload, state, created_at, available_at, attempts, delivered_at, dead_at, payload_purged_at)
            SELECT gen_random_uuid(), 'email.sign-up-confirmation', @payload::jsonb, @state, @created, @created, 1, @delivered, @dead, @purged
            FROM generate_series(1, @count)
            RETURNING id
            """, connection);
        insert.Parameters.AddWithValue("payload", payload);
        insert.Parameters.AddWithValue("state", state);
        insert.Parameters.AddWithValue("created", createdAt);
        insert.Parameters.AddWithValue("delivered", (object?)deliveredAt ?? DBNull.Value);
        insert.Parameters.AddWithValue("dead", (object?)deadAt ?? DBNull.Value);
        insert.Parameters.AddWithValue("purged", (object?)payloadPurgedAt ?? DBNull.Value);
        insert.Parameters.AddWithValue("count", count);
        var ids = new List<Guid>();
        await using var reader = await insert.ExecuteReaderAsync();
        while (await reader.ReadAsync()) ids.Add(reader.GetGuid(0));
        return ids;
    }

    public sealed record Row(Guid Id, string State, string Payload, DateTimeOffset? PayloadPurgedAt);

    /// <summary>The message as stored, or null when it was deleted.</summary>
    public async Task<Row?> FindAsync(Guid id)
    {
        await using var connection = await OpenAsync();
        await using var select = new NpgsqlCommand("SELECT state, payload::text, payload_purged_at FROM outbox_messages WHERE id = @id", connection);
        select.Parameters.AddWithValue("id", id);
        await using var reader = await select.ExecuteReaderAsync();
        if (!await reader.ReadAsync()) return null;
        return new Row(id, reader.GetString(0), reader.GetString(1), reader.IsDBNull(2) ? null : reader.GetFieldValue<DateTimeOffset>(2));
    }

    public async Task<T> ScalarAsync<T>(string sql)
    {
        await using var connection = await OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        return (T)(await command.ExecuteScalarAsync())!;
    }

    public async Task ExecuteAsync(string sql)
    {
        await using var connection = await OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }

    private async Task<NpgsqlConnection> OpenAsync()
    {
        var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync();
        return connection;
    }

    /// <summary>The statement with its white space folded, as a test compares it.</summary>
    public static string Folded(string sql) => Regex.Replace(sql, @"\s+", " ").Trim();

    private sealed class LoggedDatabases(string connectionString, IInterceptor log) : IDbContextFactory<ImailDbContext>
    {
        public ImailDbContext CreateDbContext()
        {
            var options = new DbContextOptionsBuilder<ImailDbContext>();
            DatabaseSetup.Configure(options, connectionString);
            options.AddInterceptors(log);
            return new ImailDbContext(options.Options);
        }
    }

    private sealed class LineLog(ConcurrentQueue<string> lines) : ILoggerProvider, ILogger
    {
        public ILogger CreateLogger(string categoryName) => this;
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;
        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Information;
        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (IsEnabled(logLevel)) lines.Enqueue(formatter(state, exception));
        }
        public void Dispose() { }
    }

    /// <summary>Writes (the purge statements), not the reads around them.</summary>
    private sealed class StatementLog(ConcurrentQueue<string> statements) : DbCommandInterceptor
    {
        public override ValueTask<InterceptionResult<int>> NonQueryExecutingAsync(DbCommand command, CommandEventData eventData,
            InterceptionResult<int> result, CancellationToken ct = default)
        {
            statements.Enqueue(command.CommandText);
            return base.NonQueryExecutingAsync(command, eventData, result, ct);
        }
    }
}
