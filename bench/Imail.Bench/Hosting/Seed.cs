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
        await ConsentsAndAccountsAsync(connection, count);
        await using (var analyze = new NpgsqlCommand("ANALYZE users, consents, consent_choices, connected_accounts, connected_account_fields", connection))
            await analyze.ExecuteNonQueryAsync();

        var ids = new List<Guid>(count);
        await using var select = new NpgsqlCommand("SELECT id FROM users ORDER BY id", connection);
        await using var reader = await select.ExecuteReaderAsync();
        while (await reader.ReadAsync()) ids.Add(reader.GetGuid(0));
        return ids;
    }

    /// <summary>
    /// Gives every user a current consent period (with a visitor id, as if decided on a device, then
    /// attached at sign-up) and as many anonymous visitors a period of their own, each with its device (the visitor id the
    /// server issued) and an answer for both asked purposes (a mix of grants and refusals, all decided within the last 12 weeks, so
    /// every period is VALID); and every user one Mastodon account, every other user also a Bluesky one,
    /// each with the profile fields its granted scopes cover. One transaction, so <c>now()</c> is one instant.
    /// Ids: consents <c>…-8001-{g}</c>, visitors <c>…-8002-{g}</c> (g ≤ count: user g's; above: anonymous).
    /// </summary>
    private static async Task ConsentsAndAccountsAsync(NpgsqlConnection connection, int count)
    {
        await using var transaction = await connection.BeginTransactionAsync();
        await using var batch = new NpgsqlBatch(connection, transaction)
        {
            BatchCommands =
            {
                new("""
                    INSERT INTO consents (id, visitor_id, user_id, first_deposit_at, expires_at)
                    SELECT ('01900000-0000-7000-8001-' || lpad(to_hex(g), 12, '0'))::uuid,
                           ('01900000-0000-7000-8002-' || lpad(to_hex(g), 12, '0'))::uuid,
                           CASE WHEN g <= $1 THEN ('01900000-0000-7000-8000-' || lpad(to_hex(g), 12, '0'))::uuid END,
                           date_trunc('milliseconds', now()) - make_interval(hours => g),
                           date_trunc('milliseconds', now()) - make_interval(hours => g) + interval '13 months'
                    FROM generate_series(1, 2 * $1) AS g
                    """) { Parameters = { new() { Value = count } } },
                new("""
                    INSERT INTO visitors (id, issued_at, user_id, attached_at, cookie_deposited_at, cookie_expires_at)
                    SELECT visitor_id, first_deposit_at, user_id, CASE WHEN user_id IS NOT NULL THEN first_deposit_at END, first_deposit_at, expires_at
                    FROM consents WHERE visitor_id IS NOT NULL
                    """),
                new("""
                    INSERT INTO consent_choices (consent_id, purpose, granted, decided_at)
                    SELECT ('01900000-0000-7000-8001-' || lpad(to_hex(g), 12, '0'))::uuid, p.purpose,
                           CASE p.purpose WHEN 'Statistics' THEN g % 2 = 0 ELSE g % 3 <> 0 END,
                           date_trunc('milliseconds', now()) - make_interval(hours => g, mins => p.later)
                    FROM generate_series(1, 2 * $1) AS g
                    CROSS JOIN (VALUES ('Statistics', 0), ('Personalisation', -5)) AS p(purpose, later)
                    """) { Parameters = { new() { Value = count } } },
                new("""
                    INSERT INTO connected_accounts (id, user_id, provider, external_account_id, granted_scopes, connected_at, updated_at)
                    SELECT ('01900000-0000-7000-8003-' || lpad(to_hex(2 * g + a.k), 12, '0'))::uuid,
                           ('01900000-0000-7000-8000-' || lpad(to_hex(g), 12, '0'))::uuid,
                           a.provider, a.provider || '-' || g, a.scopes,
                           date_trunc('milliseconds', now()) - make_interval(days => g % 90, hours => a.k),
                           date_trunc('milliseconds', now()) - make_interval(hours => a.k)
                    FROM generate_series(1, $1) AS g
                    CROSS JOIN (VALUES (0, 'mastodon', ARRAY['profile', 'write:statuses']),
                                       (1, 'bluesky', ARRAY['profile', 'email'])) AS a(k, provider, scopes)
                    WHERE a.k = 0 OR g % 2 = 0
                    """) { Parameters = { new() { Value = count } } },
                new("""
                    INSERT INTO connected_account_fields (connected_account_id, scope, name, value)
                    SELECT a.id, f.scope, f.name, f.prefix || a.external_account_id
                    FROM connected_accounts AS a
                    JOIN (VALUES ('mastodon', 1, 'profile', 'username', '@'),
                                 ('mastodon', 2, 'profile', 'displayName', 'Bench '),
                                 ('bluesky', 1, 'profile', 'handle', 'bench.'),
                                 ('bluesky', 2, 'profile', 'displayName', 'Bench '),
                                 ('bluesky', 3, 'email', 'email', 'mail@')) AS f(provider, n, scope, name, prefix)
                      ON f.provider = a.provider
                    ORDER BY a.id, f.n
                    """),
            },
        };
        await batch.ExecuteNonQueryAsync();
        await transaction.CommitAsync();
    }

    public static async Task<string> ServerVersionAsync(string connectionString)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var cmd = new NpgsqlCommand("SHOW server_version", connection);
        return (string)(await cmd.ExecuteScalarAsync())!;
    }
}
