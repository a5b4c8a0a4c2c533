using Imail.Domain.Persistence;
using Npgsql;

namespace Imail.Worker.Relay;

/// <summary>
/// The relay's own connections to <c>ConnectionStrings:Imail</c>: a small pool for claims and
/// results, and unpooled connections for LISTEN. Plain Npgsql: the relay's statements are few,
/// set-based and hot.
/// </summary>
public sealed class RelayDatabase : IAsyncDisposable
{
    private readonly Lazy<NpgsqlDataSource> _dataSource;
    private readonly Lazy<string> _listenerConnectionString;

    public RelayDatabase(IConfiguration configuration)
    {
        string ConnectionString() => configuration.GetConnectionString(DatabaseSetup.ConnectionStringName) is { Length: > 0 } cs
            ? cs
            : throw new InvalidOperationException($"ConnectionStrings:{DatabaseSetup.ConnectionStringName} is not set: the outbox relay has no database.");
        _dataSource = new(() => new NpgsqlDataSourceBuilder(
            new NpgsqlConnectionStringBuilder(ConnectionString()) { ApplicationName = "imail-relay" }.ConnectionString).Build());
        // Keepalive: a dead server is noticed while waiting for notifications, not only at the next statement.
        _listenerConnectionString = new(() => new NpgsqlConnectionStringBuilder(ConnectionString())
        {
            ApplicationName = "imail-relay-listener",
            Pooling = false,
            KeepAlive = 10,
        }.ConnectionString);
    }

    public NpgsqlDataSource DataSource => _dataSource.Value;

    public NpgsqlConnection CreateListenerConnection() => new(_listenerConnectionString.Value);

    public async ValueTask DisposeAsync()
    {
        if (_dataSource.IsValueCreated) await _dataSource.Value.DisposeAsync();
    }
}
