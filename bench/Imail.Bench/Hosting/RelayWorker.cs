using System.Collections.Concurrent;
using System.Diagnostics;
using Imail.Domain.Persistence;
using Imail.Testing;
using Imail.Worker;
using Imail.Worker.Email;
using Imail.Worker.Relay;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Imail.Bench.Hosting;

/// <summary>
/// One outbox worker as production builds it — <c>AddImailDatabase</c> + <c>AddImailWorker()</c>
/// (e-mail sender, outbox relay with its NOTIFY listener) over the worker's own appsettings.json —
/// in this process, on the API's database and the bench's SMTP server. Two of these side by side are
/// "two workers": each has its own connections, listener and SMTP connection, as two processes would.
/// The Quartz schedules are off (<c>Imail:Schedules:Enabled=false</c>): purges are not what is measured,
/// and their cluster check-ins would only add noise. Logs at Warning, like the API under test; the
/// relay's per-batch line ("Relayed N outbox messages … (ms)") is kept in memory for the report.
/// </summary>
public sealed class RelayWorker : IAsyncDisposable
{
    private readonly IHost _host;
    private readonly string _connectionString;

    private RelayWorker(IHost host, string connectionString, BatchLog batches) =>
        (_host, _connectionString, Batches) = (host, connectionString, batches);

    public IServiceProvider Services => _host.Services;

    /// <summary>What the relay reported per batch: messages claimed and the times it gave.</summary>
    public BatchLog Batches { get; }

    /// <summary>The relay's options as this worker bound them (defaults, appsettings, the settings given).</summary>
    public RelayOptions Options => _host.Services.GetRequiredService<IOptions<RelayOptions>>().Value;

    /// <summary>The relay's options a worker with these settings would have, without starting one.</summary>
    public static RelayOptions OptionsFor(string connectionString, IDictionary<string, string?> settings)
    {
        var builder = Builder(connectionString, settings);
        builder.AddImailWorker();
        using var services = builder.Services.BuildServiceProvider();
        return services.GetRequiredService<IOptions<RelayOptions>>().Value;
    }

    public static string Describe(RelayOptions o) => FormattableString.Invariant(
        $"BatchSize {o.BatchSize}, Parallelism {o.Parallelism}, PollInterval {o.PollInterval.TotalSeconds:0.#} s, Lease {o.Lease.TotalSeconds:0} s");

    /// <summary>The worker's configuration, as the worker process reads it, pointed at this database and SMTP server.</summary>
    public static HostApplicationBuilder Builder(string connectionString, IDictionary<string, string?> settings)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings
        {
            DisableDefaults = true,
            EnvironmentName = "Production",
            ContentRootPath = AppContext.BaseDirectory,
        });
        builder.Configuration.AddJsonFile(Path.Combine(TestDatabase.RepositoryRoot(), "src", "Imail.Worker", "appsettings.json"));
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            [$"ConnectionStrings:{DatabaseSetup.ConnectionStringName}"] = connectionString,
            ["Imail:Schedules:Enabled"] = "false",
        });
        builder.Configuration.AddInMemoryCollection(settings);
        return builder;
    }

    /// <param name="configure">Changes to the worker's services after <c>AddImailWorker()</c> (profiling only, e.g. a sender that does not send).</param>
    public static async Task<RelayWorker> StartAsync(string connectionString, IDictionary<string, string?> settings, Action<IServiceCollection>? configure = null)
    {
        var builder = Builder(connectionString, settings);
        var batches = new BatchLog();
        // Warning on the console, like the API under test; the batch log keeps only the relay's per-batch lines.
        builder.Logging.SetMinimumLevel(LogLevel.Information);
        builder.Logging.AddSimpleConsole(o => o.SingleLine = true);
        builder.Logging.AddFilter<Microsoft.Extensions.Logging.Console.ConsoleLoggerProvider>(level => level >= LogLevel.Warning);
        builder.Logging.AddProvider(batches);
        builder.Services.AddImailDatabase(connectionString);
        builder.AddImailWorker();
        configure?.Invoke(builder.Services);
        var host = builder.Build();
        await host.StartAsync();
        return new RelayWorker(host, connectionString, batches);
    }

    /// <summary>
    /// Waits until <paramref name="workers"/> relays are listening for NOTIFY and have made their
    /// first claim (their connections show in pg_stat_activity), so a measurement starts with them ready.
    /// </summary>
    public static async Task WaitReadyAsync(string connectionString, int workers, TimeSpan? timeout = null)
    {
        var limit = Stopwatch.StartNew();
        while (true)
        {
            var (listeners, relays) = await ConnectionsAsync(connectionString);
            if (listeners == workers && relays >= workers) break;
            if (limit.Elapsed > (timeout ?? TimeSpan.FromSeconds(20)))
                throw new Load.BenchException($"The relay did not get ready: {listeners} listener and {relays} relay connections, {workers} expected.");
            await Task.Delay(20);
        }
        await Task.Delay(200); // the LISTEN statement follows the connection by a round trip
    }

    /// <summary>Waits until no relay connection is left (after <see cref="DisposeAsync"/>), so the next measurement has only its own workers.</summary>
    public static async Task WaitGoneAsync(string connectionString)
    {
        var limit = Stopwatch.StartNew();
        while ((await ConnectionsAsync(connectionString)) is var (l, r) && l + r > 0 && limit.Elapsed < TimeSpan.FromSeconds(10))
            await Task.Delay(20);
    }

    private static async Task<(int Listeners, int Relays)> ConnectionsAsync(string connectionString)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("""
            SELECT count(*) FILTER (WHERE application_name = 'imail-relay-listener'),
                   count(*) FILTER (WHERE application_name = 'imail-relay')
            FROM pg_stat_activity WHERE datname = current_database()
            """, connection);
        await using var reader = await command.ExecuteReaderAsync();
        await reader.ReadAsync();
        return ((int)reader.GetInt64(0), (int)reader.GetInt64(1));
    }

    public async ValueTask DisposeAsync()
    {
        await _host.StopAsync(TimeSpan.FromSeconds(10));
        if (_host is IAsyncDisposable async) await async.DisposeAsync();
        else _host.Dispose();
    }

    /// <summary>Builds the worker's e-mail services (renderer, composer) without starting anything: what the MailKit baseline composes with.</summary>
    public static EmailComposer Composer(string connectionString, IDictionary<string, string?> settings)
    {
        var builder = Builder(connectionString, settings);
        builder.AddImailEmail();
        return builder.Build().Services.GetRequiredService<EmailComposer>();
    }
}

/// <summary>
/// Keeps the relay's per-batch log line ("Relayed {Claimed} outbox messages …", Information, one per
/// batch, so a hundred per 10,000 e-mails): how many it claimed, and every time in ms it reported
/// (whatever the line's fields are called: <c>…Ms</c>).
/// </summary>
public sealed class BatchLog : ILoggerProvider
{
    public const string Category = "Imail.Worker.Relay.OutboxRelay";

    public sealed record Batch(long Timestamp, int Claimed, IReadOnlyDictionary<string, double> Milliseconds);

    private readonly ConcurrentQueue<Batch> _batches = new();

    public IReadOnlyList<Batch> Batches => _batches.ToArray();

    public void Clear() => _batches.Clear();

    public ILogger CreateLogger(string categoryName) => categoryName == Category ? new Logger(this) : Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance;

    public void Dispose() { }

    private sealed class Logger(BatchLog log) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;
        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Information;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (state is not IEnumerable<KeyValuePair<string, object?>> values) return;
            int? claimed = null;
            var ms = new Dictionary<string, double>();
            foreach (var (key, value) in values)
            {
                if (key == "Claimed" && value is int c) claimed = c;
                if (key.EndsWith("Ms", StringComparison.Ordinal) && value is double d) ms[key] = d;
            }
            if (claimed is { } n) log._batches.Enqueue(new Batch(System.Diagnostics.Stopwatch.GetTimestamp(), n, ms));
        }
    }
}
