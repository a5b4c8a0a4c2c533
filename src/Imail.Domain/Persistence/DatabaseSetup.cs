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
        options.UseNpgsql(WithAutoPrepare(connectionString), npgsql => npgsql.MigrationsHistoryTable("__ef_migrations_history"))
            .UseSnakeCaseNamingConvention();

    /// <summary>
    /// Reads repeat the same few statements; prepared, PostgreSQL parses and plans them once per
    /// connection instead of every time, and plans the loaders' <c>user_id = ANY($1)</c> as index
    /// lookups (measured in bench/README.md). A connection string that sets <c>Max Auto Prepare</c>
    /// (0 turns it off) is left as it is.
    /// </summary>
    public static string WithAutoPrepare(string connectionString)
    {
        var builder = new NpgsqlConnectionStringBuilder(connectionString);
        if (connectionString.Contains("Max Auto Prepare", StringComparison.OrdinalIgnoreCase)
            || connectionString.Contains("MaxAutoPrepare", StringComparison.OrdinalIgnoreCase)) return connectionString;
        builder.MaxAutoPrepare = DefaultMaxAutoPrepare;
        builder.AutoPrepareMinUsages = 2;
        return builder.ConnectionString;
    }

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
