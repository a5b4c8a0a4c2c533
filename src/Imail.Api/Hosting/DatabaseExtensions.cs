using Imail.Domain.Persistence;
using Microsoft.Extensions.Options;

namespace Imail.Api.Hosting;

public sealed class DatabaseOptions
{
    public const string Section = "Imail:Database";

    /// <summary>Apply pending migrations at start-up (default: in Development only; production runs <c>migrate</c>).</summary>
    public bool? MigrateOnStartup { get; set; }
}

public static class DatabaseExtensions
{
    /// <summary>
    /// Points the API at <c>ConnectionStrings:Imail</c>. In Development, when none is set, starts
    /// the private cluster under <c>.local/postgres</c> from the machine's PostgreSQL binaries.
    /// </summary>
    /// <remarks>Commands that never touch the database (<c>token</c>, <c>schema</c>) pass <paramref name="connect"/> false: no cluster is started.</remarks>
    public static async Task<WebApplicationBuilder> AddImailDatabaseAsync(this WebApplicationBuilder builder, bool connect = true)
    {
        builder.Services.AddOptions<DatabaseOptions>().BindConfiguration(DatabaseOptions.Section);
        var connectionString = builder.Configuration.GetConnectionString(DatabaseSetup.ConnectionStringName);
        if (string.IsNullOrWhiteSpace(connectionString) && !connect)
        {
            connectionString = "Host=database-not-configured";
        }
        else if (string.IsNullOrWhiteSpace(connectionString))
        {
            if (!builder.Environment.IsDevelopment())
                throw new StartupException("Set ConnectionStrings__Imail to the PostgreSQL database (e.g. Host=db;Database=imail;Username=imail;Password=…).");
            var local = new LocalFolder(builder.Configuration, builder.Environment);
            LocalCluster cluster;
            try
            {
                cluster = await LocalCluster.StartAsync(local.PathOf("postgres"), log: Console.WriteLine);
            }
            catch (LocalClusterException e)
            {
                throw new StartupException(e.Message);
            }
            if (!await cluster.DatabaseExistsAsync("imail")) await cluster.CreateDatabaseAsync("imail");
            connectionString = cluster.ConnectionString("imail");
            builder.Configuration[$"ConnectionStrings:{DatabaseSetup.ConnectionStringName}"] = connectionString;
            builder.Services.AddSingleton(cluster);
            builder.Services.AddHostedService<LocalClusterLifetime>();
        }
        builder.Services.AddImailDatabase(connectionString);
        return builder;
    }

    /// <summary>Applies pending migrations when configured to; a database that cannot be reached stops the start with one sentence.</summary>
    public static async Task MigrateIfConfiguredAsync(this WebApplication app)
    {
        var migrate = app.Services.GetRequiredService<IOptions<DatabaseOptions>>().Value.MigrateOnStartup ?? app.Environment.IsDevelopment();
        if (!migrate) return;
        var applied = await MigrateAsync(app.Configuration);
        if (applied.Count > 0) app.Logger.LogInformation("Applied migrations {Migrations}", applied);
    }

    public static async Task<IReadOnlyList<string>> MigrateAsync(IConfiguration configuration)
    {
        var connectionString = configuration.GetConnectionString(DatabaseSetup.ConnectionStringName)!;
        try
        {
            return await DatabaseSetup.MigrateAsync(connectionString);
        }
        catch (Exception e) when (e is Npgsql.NpgsqlException or TimeoutException)
        {
            throw new StartupException(DatabaseSetup.Explain(e, connectionString));
        }
    }

    /// <summary>Stops the development cluster with the API, so no server is left behind.</summary>
    private sealed class LocalClusterLifetime(LocalCluster cluster) : IHostedService
    {
        public Task StartAsync(CancellationToken ct) => Task.CompletedTask;
        public Task StopAsync(CancellationToken ct) => cluster.StopAsync();
    }
}

/// <summary>A start-up problem the operator can fix; printed as one sentence, without a stack trace.</summary>
public sealed class StartupException(string message) : Exception(message);
