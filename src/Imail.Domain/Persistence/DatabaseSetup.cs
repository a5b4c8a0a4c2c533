using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace Imail.Domain.Persistence;

public static class DatabaseSetup
{
    public const string ConnectionStringName = "Imail";

    public static void Configure(DbContextOptionsBuilder options, string connectionString) =>
        options.UseNpgsql(connectionString, npgsql => npgsql.MigrationsHistoryTable("__ef_migrations_history"))
            .UseSnakeCaseNamingConvention();

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
