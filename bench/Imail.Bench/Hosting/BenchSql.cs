using System.Globalization;
using Npgsql;

namespace Imail.Bench.Hosting;

/// <summary>One statement on its own connection, for a benchmark's set-up and checks (seeding, counting, cleaning up).</summary>
public static class BenchSql
{
    /// <summary>Runs <paramref name="sql"/> (any number of statements), allowing it up to 15 minutes: seeding a million rows takes a while.</summary>
    public static async Task ExecuteAsync(string db, string sql, CancellationToken ct)
    {
        await using var connection = new NpgsqlConnection(db);
        await connection.OpenAsync(ct);
        await using var command = new NpgsqlCommand(sql, connection) { CommandTimeout = 900 };
        await command.ExecuteNonQueryAsync(ct);
    }

    /// <summary>The first column of the first row, as a number (a count).</summary>
    public static async Task<long> ScalarAsync(string db, string sql, CancellationToken ct = default)
    {
        await using var connection = new NpgsqlConnection(db);
        await connection.OpenAsync(ct);
        await using var command = new NpgsqlCommand(sql, connection);
        return Convert.ToInt64(await command.ExecuteScalarAsync(ct), CultureInfo.InvariantCulture);
    }
}
