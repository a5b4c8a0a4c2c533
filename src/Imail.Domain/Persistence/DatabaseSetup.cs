using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace Imail.Domain.Persistence;

public static class DatabaseSetup
{
    public const string ConnectionStringName = "Imail";

    /// <summary>Statements Npgsql prepares per connection once they have been seen twice, unless the connection string says otherwise.</summary>
    public const int DefaultMaxAutoPrepare = 32;

    public static void Configure(DbContextOptionsBuilder options, string connectionString) =>
        options.UseNpgsql(WithReadSettings(connectionString), npgsql => npgsql.MigrationsHistoryTable("__ef_migrations_history"))
            .UseSnakeCaseNamingConvention();

    /// <summary>
    /// The connection settings reads are fast with, unless the connection string sets them itself:
    /// <list type="bullet">
    /// <item>Automatic preparation: reads repeat the same few statements; prepared, PostgreSQL parses
    /// and plans them once per connection instead of every time (<c>Max Auto Prepare</c>; 0 turns it off).</item>
    /// <item>No reset on close: a batch loader borrows a pooled connection for one statement, and
    /// resetting the session every time (RESET ALL, CLOSE ALL, UNLISTEN, DISCARD…) cost PostgreSQL more
    /// than the statement. The DbContexts leave no session state behind: no SET, no LISTEN, only
    /// transaction-scoped advisory locks (<c>No Reset On Close</c>=false restores the reset).</item>
    /// </list>
    /// Measured in bench/README.md (B9).
    /// </summary>
    public static string WithReadSettings(string connectionString)
    {
        var builder = new NpgsqlConnectionStringBuilder(connectionString);
        if (!Sets(connectionString, "Max Auto Prepare", "MaxAutoPrepare"))
        {
            builder.MaxAutoPrepare = DefaultMaxAutoPrepare;
            if (!Sets(connectionString, "Auto Prepare Min Usages", "AutoPrepareMinUsages")) builder.AutoPrepareMinUsages = 2;
        }
        if (!Sets(connectionString, "No Reset On Close", "NoResetOnClose")) builder.NoResetOnClose = true;
        return builder.ConnectionString;
    }

    private static bool Sets(string connectionString, params string[] keys) =>
        keys.Any(k => connectionString.Contains(k, StringComparison.OrdinalIgnoreCase));

    /// <summary>A pooled DbContext factory: resolvers and jobs each take their own context.</summary>
    public static IServiceCollection AddImailDatabase(this IServiceCollection services, string connectionString) =>
        services.AddPooledDbContextFactory<ImailDbContext>(o => Configure(o, connectionString));

    public static DbContextOptions<ImailDbContext> Options(string connectionString)
    {
        var builder = new DbContextOptionsBuilder<ImailDbContext>();
        Configure(builder, connectionString);
        return builder.Options;
    }

    /// <summary>Applies pending migrations; returns the names applied. Safe to run from several processes (PostgreSQL advisory lock).</summary>
    public static async Task<IReadOnlyList<string>> MigrateAsync(string connectionString, CancellationToken ct = default)
    {
        await using var db = new ImailDbContext(Options(connectionString));
        var pending = (await db.Database.GetPendingMigrationsAsync(ct)).ToList();
        if (pending.Count > 0) await db.Database.MigrateAsync(ct);
        return pending;
    }

    /// <summary>Turns "cannot connect" into one sentence a person can act on.</summary>
    public static string Explain(Exception e, string connectionString)
    {
        var csb = new NpgsqlConnectionStringBuilder(connectionString);
        return e switch
        {
            NpgsqlException { InnerException: System.Net.Sockets.SocketException } =>
                $"Cannot reach PostgreSQL at {csb.Host}:{csb.Port}: start it, or unset ConnectionStrings__Imail to let Imail run its own local cluster.",
            PostgresException { SqlState: "28P01" or "28000" } =>
                $"PostgreSQL at {csb.Host}:{csb.Port} refused user '{csb.Username}': check the user and password in ConnectionStrings__Imail.",
            PostgresException { SqlState: "3D000" } =>
                $"The database '{csb.Database}' does not exist on {csb.Host}:{csb.Port}: create it (createdb {csb.Database}) or fix ConnectionStrings__Imail.",
            _ => $"PostgreSQL at {csb.Host}:{csb.Port} failed: {e.Message}",
        };
    }
}
