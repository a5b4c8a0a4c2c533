using System.Globalization;
using Imail.Domain.Common;
using Imail.Domain.Outbox;
using Imail.Domain.Persistence;
using Imail.Domain.Users;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;

namespace Imail.Domain.Lifecycle;

/// <summary>Who orders an erasure: the person, a staff member (token <c>sub</c>), or the system (inactivity).</summary>
public sealed record Eraser(string Role, string? Actor)
{
    public static readonly Eraser Person = new("user", null);
    public static readonly Eraser System = new("system", null);

    public static Eraser Staff(string actor) => new("staff", actor);
}

/// <summary>What one erasure did: its accountability record, and the statements it took.</summary>
public sealed record ErasureOutcome(ErasureRecord Record, int Statements);

/// <summary>
/// The erasure of P8, the one every path takes (self-service, staff on request, inactivity, termination).
/// In one transaction it: locks the account; keeps an anonymous copy of each proof of consent (what the
/// law needs shown, linked to nobody); blanks the person's address, name and ids from what staff wrote
/// about them; deletes every row the <see cref="PersonalDataCatalogue"/> finds about them — account,
/// consents and proofs, devices and what was recorded on them, navigation, connected accounts and every
/// received field, outbox messages pending or sent — or, in tables kept for accountability, clears the
/// link and every identifying column; writes the <see cref="ErasureRecord"/>; and queues the confirmation
/// e-mail, whose payload (the one trace of the person left) is emptied as soon as it is delivered.
/// </summary>
public sealed class Erasure(ImailDbContext db, PersonalDataCatalogue catalogue, TimeProvider clock)
{
    public async Task<ErasureOutcome> EraseAsync(Guid account, ErasureReason reason, Eraser by, DeletionRequest? request, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        var own = db.Database.CurrentTransaction is null ? await db.Database.BeginTransactionAsync(ct) : null;
        try
        {
            // The account row, locked: an erasure racing another (two workers, staff and the person) finds it gone.
            var user = await db.LockAccountAsync(account, ct);
            Rule.Check(user is not null, new UserMustExistRule());
            var devices = await catalogue.DevicesOfAsync(db, account, ct);
            var statements = 2;

            // What staff wrote about the person outlives them; their name in it does not.
            var identifying = user!.IdentifyingValues().Concat(devices.Select(d => d.ToString())).ToList();
            foreach (var action in await db.StaffActions.Where(a => a.Subject == user.AuditRef).ToListAsync(ct)) action.Redact(identifying);
            // The request carried out completes; any other still open for the account closes with it (erased another way).
            if (request is not null) (db.DeletionRequests.Local.FirstOrDefault(r => r.Id == request.Id) ?? request).Complete(now);
            foreach (var held in await db.DeletionRequests.Where(r => r.Subject == user.AuditRef).ToListAsync(ct))
            {
                held.Redact(identifying);
                held.CloseByErasure(now);
            }
            await db.SaveChangesAsync(ct);
            statements += 3;

            var rows = await DeleteRowsAsync(account, devices, ct);
            statements += 1;

            var record = ErasureRecord.Of(reason, by.Role, by.Actor, user.AuditRef, request?.Id,
                catalogue.Tables.Where(t => rows.GetValueOrDefault(t.Table) > 0).SelectMany(t => t.Categories), rows, now);
            db.Erasures.Add(record);
            var confirmation = OutboxMessage.Create(EmailTemplates.KindPrefix + EmailTemplates.ErasureConfirmation,
                new EmailPayload(user.Email, user.DisplayName, user.Locale, new Dictionary<string, string>
                {
                    ["erasedAt"] = now.ToString("yyyy-MM-dd HH:mm 'UTC'", CultureInfo.InvariantCulture),
                    ["reason"] = reason.ToString(),
                }), userId: null, now).ForgottenOnDelivery();
            db.OutboxMessages.Add(confirmation);
            await db.SaveChangesAsync(ct);
            statements += 1;

            if (own is not null) await own.CommitAsync(ct);
            return new ErasureOutcome(record, statements);
        }
        finally
        {
            if (own is not null) await own.DisposeAsync();
        }
    }

    /// <summary>
    /// Anonymous copies of the proofs, then every catalogue table in order (dependants first, the account
    /// last), in one round trip; returns the rows each table lost (deleted, or anonymized when kept).
    /// </summary>
    private async Task<Dictionary<string, int>> DeleteRowsAsync(Guid account, Guid[] devices, CancellationToken ct)
    {
        var proofs = catalogue.Tables.Single(t => t.Table == "consent_records");
        var sql = new List<(string Label, string Sql)>
        {
            ("anonymous_consent_proofs", $"""
                WITH kept AS (
                  INSERT INTO anonymous_consent_proofs (id, decided_on, action, decided_signed_in, granted, refused, policy_version, banner_version, front_end)
                  SELECT gen_random_uuid(), (x.decided_at AT TIME ZONE 'UTC')::date, x.action, x.decided_signed_in, x.granted, x.refused, x.policy_version, x.banner_version, x.front_end
                  FROM {proofs.Table} AS x WHERE {proofs.Where("x")}
                  RETURNING 1)
                SELECT count(*) FROM kept
                """),
        };
        foreach (var table in catalogue.Tables)
        {
            var change = table.KeptAnonymized
                ? $"UPDATE {table.Table} AS x SET {string.Join(", ", table.ClearedAtErasure.Select(c => $"{c} = NULL"))} WHERE {table.Where("x")} RETURNING 1"
                : $"DELETE FROM {table.Table} AS x WHERE {table.Where("x")} RETURNING 1";
            sql.Add((table.Table, $"WITH gone AS ({change}) SELECT count(*) FROM gone"));
        }

        var connection = (Npgsql.NpgsqlConnection)db.Database.GetDbConnection();
        await using var batch = new Npgsql.NpgsqlBatch(connection, (Npgsql.NpgsqlTransaction?)db.Database.CurrentTransaction?.GetDbTransaction());
        foreach (var (_, text) in sql)
        {
            var command = new Npgsql.NpgsqlBatchCommand(text);
            command.Parameters.Add(new Npgsql.NpgsqlParameter("account", account));
            command.Parameters.Add(new Npgsql.NpgsqlParameter("devices", devices));
            batch.BatchCommands.Add(command);
        }
        var rows = new Dictionary<string, int>();
        await using var reader = await batch.ExecuteReaderAsync(ct);
        foreach (var (label, _) in sql)
        {
            await reader.ReadAsync(ct);
            rows[label] = checked((int)reader.GetInt64(0));
            await reader.NextResultAsync(ct);
        }
        return rows;
    }
}
