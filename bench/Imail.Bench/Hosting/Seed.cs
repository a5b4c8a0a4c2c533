using Npgsql;

namespace Imail.Bench.Hosting;

/// <summary>Bench data, written by set-based SQL (one statement, not a loop of inserts).</summary>
public static class Seed
{
    /// <summary>Inserts <paramref name="count"/> users with ordered, UUIDv7-shaped ids; returns the ids in order.</summary>
    public static async Task<IReadOnlyList<Guid>> UsersAsync(string connectionString, int count)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using (var insert = new NpgsqlCommand("""
            INSERT INTO users (id, email, display_name, locale, status, created_at, updated_at, last_authenticated_at)
            SELECT ('01900000-0000-7000-8000-' || lpad(to_hex(g), 12, '0'))::uuid,
                   'bench.user' || g || '@example.org',
                   'Bench User ' || g,
                   (ARRAY['Fr', 'Nl', 'En'])[1 + g % 3],
                   'Active',
                   now() - make_interval(days => g),
                   now() - make_interval(hours => g),
                   CASE WHEN g % 4 = 0 THEN NULL ELSE now() - make_interval(mins => g) END
            FROM generate_series(1, @count) AS g
            """, connection))
        {
            insert.Parameters.AddWithValue("count", count);
            await insert.ExecuteNonQueryAsync();
        }
        await using (var analyze = new NpgsqlCommand("ANALYZE users", connection)) await analyze.ExecuteNonQueryAsync();

        var ids = new List<Guid>(count);
        await using var select = new NpgsqlCommand("SELECT id FROM users ORDER BY id", connection);
        await using var reader = await select.ExecuteReaderAsync();
        while (await reader.ReadAsync()) ids.Add(reader.GetGuid(0));
        return ids;
    }

    public static async Task<string> ServerVersionAsync(string connectionString)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var cmd = new NpgsqlCommand("SHOW server_version", connection);
        return (string)(await cmd.ExecuteScalarAsync())!;
    }
}
