using System.Globalization;
using System.Text.Json;
using Imail.Domain.Outbox;
using Imail.Domain.Users;
using Imail.Worker.Relay;
using Npgsql;

namespace Imail.Bench.Hosting;

/// <summary>
/// B3's e-mails: <c>email.sign-up-confirmation</c> to N distinct recipients in the three locales,
/// with the payload <c>OutboxMessage.Create</c> writes (an <see cref="EmailPayload"/> serialized with
/// <see cref="OutboxJson.Options"/>), as pending outbox rows written by one <c>INSERT … SELECT
/// generate_series</c> — or, for the MailKit baseline, as the same envelopes in memory.
/// </summary>
public static class OutboxSeed
{
    public const string Kind = EmailTemplates.KindPrefix + EmailTemplates.SignUpConfirmation;

    private static readonly Locale[] Locales = [Locale.Fr, Locale.Nl, Locale.En];

    /// <summary>Recipient of e-mail <paramref name="n"/> of run <paramref name="run"/>: unique, so the SMTP server's envelope tells messages apart.</summary>
    public static string Recipient(int run, int n) => $"b3.r{run}.{n}@example.org";

    /// <summary>
    /// The payload JSON per locale with <c>{n}</c> where the number goes. Made by the production
    /// serializer, so the SQL writes exactly what <c>OutboxMessage.Create</c> would.
    /// </summary>
    private static string[] PayloadTemplates(int run) => Locales
        .Select(locale => JsonSerializer.Serialize(
            new EmailPayload(Recipient(run, 0).Replace(".0@", ".{n}@"), "Bench Recipient {n}", locale, new Dictionary<string, string>()),
            OutboxJson.Options))
        .ToArray();

    /// <summary>Ordered, UUIDv7-shaped ids (version 7, variant 10), distinct per run.</summary>
    private static Guid Id(int run, int n) =>
        Guid.Parse(string.Create(CultureInfo.InvariantCulture, $"01960000-{run:x4}-7000-8000-{n:x12}"));

    /// <summary>Empties the outbox (B2's rows, earlier runs), so every run starts from the same table.</summary>
    public static async Task ClearAsync(string connectionString)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var truncate = new NpgsqlCommand("TRUNCATE outbox_messages", connection);
        await truncate.ExecuteNonQueryAsync();
    }

    /// <summary>
    /// Inserts <paramref name="count"/> due e-mails in one statement and commits (the trigger's one
    /// NOTIFY wakes the relays at commit). Statistics are gathered in the same transaction, so the
    /// relay's first claim is planned on a table PostgreSQL knows, as in production.
    /// </summary>
    public static async Task InsertAsync(string connectionString, int run, int count)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var transaction = await connection.BeginTransactionAsync();
        await using (var insert = new NpgsqlCommand("""
            INSERT INTO outbox_messages (id, kind, payload, user_id, state, created_at, available_at, attempts)
            SELECT (@prefix || lpad(to_hex(g), 12, '0'))::uuid,
                   @kind,
                   replace((@payloads)[1 + g % 3], '{n}', g::text)::jsonb,
                   NULL, 'Pending', now(), now(), 0
            FROM generate_series(1, @count) AS g
            """, connection, transaction))
        {
            insert.Parameters.AddWithValue("prefix", string.Create(CultureInfo.InvariantCulture, $"01960000-{run:x4}-7000-8000-"));
            insert.Parameters.AddWithValue("kind", Kind);
            insert.Parameters.AddWithValue("payloads", PayloadTemplates(run));
            insert.Parameters.AddWithValue("count", count);
            await insert.ExecuteNonQueryAsync();
        }
        await using (var analyze = new NpgsqlCommand("ANALYZE outbox_messages", connection, transaction)) await analyze.ExecuteNonQueryAsync();
        await transaction.CommitAsync();
    }

    /// <summary>The same e-mails as <see cref="InsertAsync"/> writes, as the relay would hand them to its sender.</summary>
    public static IReadOnlyList<OutboxEnvelope> Envelopes(int run, int count)
    {
        var templates = PayloadTemplates(run);
        var now = DateTimeOffset.UtcNow;
        return Enumerable.Range(1, count)
            .Select(n => new OutboxEnvelope(Id(run, n), Kind, templates[n % 3].Replace("{n}", n.ToString(CultureInfo.InvariantCulture)), 1, now))
            .ToList();
    }

    /// <summary>Outbox rows per state, e.g. Delivered = N after a complete run.</summary>
    public static async Task<Dictionary<string, long>> CountByStateAsync(string connectionString)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT state, count(*) FROM outbox_messages GROUP BY state", connection);
        await using var reader = await command.ExecuteReaderAsync();
        var counts = new Dictionary<string, long>();
        while (await reader.ReadAsync()) counts[reader.GetString(0)] = reader.GetInt64(1);
        return counts;
    }
}
