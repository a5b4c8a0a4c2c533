using System.Collections.Concurrent;
using Imail.Domain.Persistence;
using Imail.Worker.Email;
using Imail.Worker.Partners;
using Imail.Worker.Relay;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Imail.Testing;

/// <summary>
/// A worker host in the test process that relays the outbox: the production
/// <c>AddImailEmail()</c>, <c>AddImailPartnerEvents()</c> (webhooks included) and <c>AddOutboxRelay()</c> over the worker's own appsettings.json,
/// on a given database, SMTP server and clock. Several can run side by side on one database.
/// </summary>
public sealed class RelayHost : IAsyncDisposable
{
    private readonly IHost _host;
    private readonly ConcurrentQueue<string> _log;

    private RelayHost(IHost host, ConcurrentQueue<string> log)
    {
        _host = host;
        _log = log;
    }

    public IServiceProvider Services => _host.Services;

    /// <summary>What the host logged, one formatted line per entry ("Level Category: message").</summary>
    public IReadOnlyList<string> Log => _log.ToArray();

    public static async Task<RelayHost> StartAsync(string connectionString, TimeProvider clock, IDictionary<string, string?>? settings = null)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true, EnvironmentName = "Testing" });
        builder.Configuration.AddJsonFile(Path.Combine(TestDatabase.RepositoryRoot(), "src", "Imail.Worker", "appsettings.json"));
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?> { [$"ConnectionStrings:{DatabaseSetup.ConnectionStringName}"] = connectionString });
        if (settings is not null) builder.Configuration.AddInMemoryCollection(settings);
        var log = new ConcurrentQueue<string>();
        builder.Logging.AddProvider(new QueueLoggerProvider(log)).SetMinimumLevel(LogLevel.Debug);
        builder.Services.AddSingleton(clock);
        builder.Services.AddImailDatabase(connectionString);
        builder.AddImailEmail();
        builder.AddImailPartnerEvents();
        builder.AddOutboxRelay();
        var host = builder.Build();
        await host.StartAsync();
        return new RelayHost(host, log);
    }

    public async ValueTask DisposeAsync()
    {
        await _host.StopAsync(TimeSpan.FromSeconds(10));
        _host.Dispose();
    }

    private sealed class QueueLoggerProvider(ConcurrentQueue<string> lines) : ILoggerProvider
    {
        public ILogger CreateLogger(string categoryName) => new QueueLogger(categoryName, lines);
        public void Dispose() { }
    }

    private sealed class QueueLogger(string category, ConcurrentQueue<string> lines) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;
        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Debug;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            lines.Enqueue($"{logLevel} {category}: {formatter(state, exception)}{(exception is null ? "" : " | " + exception.GetType().Name)}");
    }
}
