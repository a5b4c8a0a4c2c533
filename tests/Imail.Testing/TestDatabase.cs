using Imail.Api.Hosting;
using Imail.Domain.Persistence;
using Npgsql;

namespace Imail.Testing;

/// <summary>
/// One PostgreSQL cluster per test run, a migrated template database, and a fresh database per
/// test class cloned from it (milliseconds), so classes run in parallel without sharing rows.
/// <c>IMAIL_TEST_POSTGRES</c> names an existing server (a connection string to its maintenance
/// database) instead of starting one from the machine's binaries.
/// </summary>
public static class TestDatabase
{
    private const string Template = "imail_template";
    private static readonly SemaphoreSlim Gate = new(1, 1);
    private static Func<string, string>? _connectionStringFor;
    private static int _counter;

    /// <summary>Creates an empty, migrated database and returns its connection string.</summary>
    public static async Task<string> CreateAsync()
    {
        var connectionStringFor = await ServerAsync();
        var name = $"imail_test_{Environment.ProcessId}_{Interlocked.Increment(ref _counter)}";
        await ExecuteAsync(connectionStringFor("postgres"), $"CREATE DATABASE \"{name}\" TEMPLATE \"{Template}\"");
        return connectionStringFor(name);
    }

    private static async Task<Func<string, string>> ServerAsync()
    {
        if (_connectionStringFor is not null) return _connectionStringFor;
        await Gate.WaitAsync();
        try
        {
            if (_connectionStringFor is not null) return _connectionStringFor;
            Func<string, string> connectionStringFor;
            if (Environment.GetEnvironmentVariable("IMAIL_TEST_POSTGRES") is { Length: > 0 } external)
            {
                connectionStringFor = db => new NpgsqlConnectionStringBuilder(external) { Database = db }.ConnectionString;
            }
            else
            {
                var parent = Path.Combine(RepositoryRoot(), ".local");
                await RemoveAbandonedClustersAsync(parent);
                var directory = Path.Combine(parent, $"test-postgres-{Environment.ProcessId}");
                var cluster = await LocalCluster.StartAsync(directory, tuneForTests: true);
                AppDomain.CurrentDomain.ProcessExit += (_, _) =>
                {
                    cluster.StopAsync().GetAwaiter().GetResult();
                    try { Directory.Delete(directory, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
                };
                connectionStringFor = cluster.ConnectionString;
            }

            // A fresh template per run: migrations may have changed since the last one.
            await ExecuteAsync(connectionStringFor("postgres"), $"DROP DATABASE IF EXISTS \"{Template}\" WITH (FORCE)");
            await ExecuteAsync(connectionStringFor("postgres"), $"CREATE DATABASE \"{Template}\"");
            await DatabaseSetup.MigrateAsync(connectionStringFor(Template));
            NpgsqlConnection.ClearAllPools(); // a template must have no open connections to be cloned
            return _connectionStringFor = connectionStringFor;
        }
        finally
        {
            Gate.Release();
        }
    }

    /// <summary>Clusters of test runs that were killed before they could clean up: stopped and removed.</summary>
    private static async Task RemoveAbandonedClustersAsync(string parent)
    {
        if (!Directory.Exists(parent)) return;
        foreach (var directory in Directory.GetDirectories(parent, "test-postgres-*"))
        {
            if (!int.TryParse(Path.GetFileName(directory)["test-postgres-".Length..], out var pid) || IsAlive(pid)) continue;
            try
            {
                await LocalCluster.StopIfRunningAsync(directory);
                Directory.Delete(directory, recursive: true);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or LocalClusterException)
            {
                // Another run may be cleaning it up at the same moment; leave it.
            }
        }
    }

    private static bool IsAlive(int pid)
    {
        try
        {
            using var process = System.Diagnostics.Process.GetProcessById(pid);
            return !process.HasExited;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }

    private static async Task ExecuteAsync(string connectionString, string sql)
    {
        await using var conn = new NpgsqlConnection(connectionString);
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand(sql, conn);
        await cmd.ExecuteNonQueryAsync();
    }

    public static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Imail.GraphQL.sln"))) return dir.FullName;
        throw new InvalidOperationException("Cannot find the repository root (Imail.GraphQL.sln) above " + AppContext.BaseDirectory);
    }
}
