using System.Globalization;
using Imail.Domain.Common;
using Imail.Domain.Outbox;
using Imail.Domain.Partners;
using Imail.Domain.Partners.Contracts;
using Imail.Domain.Persistence;
using Imail.Domain.Policies;
using Microsoft.EntityFrameworkCore;
using Npgsql;
using NpgsqlTypes;

namespace Imail.Domain.Incidents;

/// <summary><c>Imail:Incidents</c>.</summary>
public sealed class IncidentOptions
{
    public const string Section = "Imail:Incidents";

    /// <summary>Notices (and updates) queued per statement.</summary>
    public int NoticeBatchSize { get; set; } = 10_000;

    /// <summary>The zone the e-mails write dates in.</summary>
    public string TimeZone { get; set; } = "Europe/Brussels";
}

/// <summary>What staff declare (P12).</summary>
public sealed record IncidentDeclaration(
    IncidentSeverity Severity, DateTimeOffset? AwareAt, LocalizedTextChange? Summary, IReadOnlyList<string>? Categories,
    IncidentSelector? Affected, bool NotifyPartners);

/// <summary>What declaring did: the incident, how many notices were queued, in how many statements.</summary>
public sealed record Declaration(Incident Incident, int Notified, int Statements);

/// <summary>What an update did: the incident, how many e-mails were queued, in how many statements.</summary>
public sealed record IncidentUpdate(Incident Incident, int Sent, int Statements);

/// <summary>
/// Security incidents (P12): staff declare one, and in the same transaction every affected user is sent a notice
/// (set-based, in keyset batches, in their language); findings and measures follow as updates threaded to the
/// notice; the supervisory authority's notification is recorded against its 72-hour deadline. One per unit of work.
/// </summary>
public sealed class IncidentDesk(ImailDbContext db, PersonalDataCatalogue catalogue, TimeProvider clock)
{
    public DateTimeOffset Now { get; } = clock.GetUtcNow();

    /// <summary>The local part of the notice's Message-ID: updates name it in In-Reply-To and References.</summary>
    public static string NoticeKey(Guid incident, Guid user) => $"incident-{incident}-{user}";

    public async Task<Declaration> DeclareAsync(IncidentDeclaration declaration, string actor, IncidentOptions options, CancellationToken ct)
    {
        var affected = declaration.Affected ?? new IncidentSelector(null, null, null, null, null);
        var ids = affected.Check();
        var categories = await KnownCategoriesAsync(declaration.Categories, "categories", required: true, ct);
        if (affected.Categories is { } selected) await KnownCategoriesAsync(selected, "affected.categories", required: true, ct);
        var incident = Incident.Declare(declaration.Severity, declaration.AwareAt, declaration.Summary, categories, affected.Describe(),
            declaration.NotifyPartners, actor, Now);

        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        db.Incidents.Add(incident);
        db.IncidentSteps.Add(IncidentStep.Of(incident.Id, IncidentStepKind.Declared, actor, Now));
        await db.SaveChangesAsync(ct);
        var (notified, statements) = await NotifyAsync(incident, affected, ids, options, ct);
        incident.Notified(notified, Now);
        db.IncidentSteps.Add(IncidentStep.Of(incident.Id, IncidentStepKind.Notified, actor, Now, recipients: notified));
        if (incident.NotifyPartners)
            db.EnqueuePartnerEvent(PartnerEvents.IncidentDeclared, IncidentContracts.Declared(incident), Now);
        await db.SaveChangesAsync(ct);
        await transaction.CommitAsync(ct);
        return new Declaration(incident, notified, statements);
    }

    /// <summary>Findings or measures: recorded on the timeline and sent to every recipient of the notice, threaded to it.</summary>
    public async Task<IncidentUpdate> PublishUpdateAsync(Guid incidentId, IncidentStepKind kind, LocalizedTextChange? text, string actor, IncidentOptions options, CancellationToken ct)
    {
        if (kind is not (IncidentStepKind.Findings or IncidentStepKind.Measures)) throw new ArgumentOutOfRangeException(nameof(kind));
        var texts = Incident.Texts(text, "text", "INVALID_TEXT", Incident.SummaryMaxLength);
        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        var incident = await LockAsync(incidentId, ct);
        incident.CheckOpen();
        var (sent, statements) = await SendUpdateAsync(incident, kind, texts, options, ct);
        db.IncidentSteps.Add(IncidentStep.Of(incident.Id, kind, actor, Now, recipients: sent, text: texts));
        await db.SaveChangesAsync(ct);
        await transaction.CommitAsync(ct);
        return new IncidentUpdate(incident, sent, statements);
    }

    public async Task<Incident> RecordAuthorityNotificationAsync(Guid incidentId, DateTimeOffset? notifiedAt, string? means, string? delayReason, string actor, CancellationToken ct)
    {
        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        var incident = await LockAsync(incidentId, ct);
        incident.RecordAuthorityNotification(notifiedAt, means, delayReason, Now);
        db.IncidentSteps.Add(IncidentStep.Of(incident.Id, IncidentStepKind.AuthorityNotified, actor, Now,
            note: $"{incident.AuthorityNotifiedAt:O} — {incident.AuthorityNotificationMeans}" + (incident.AuthorityDelayReason is { } r ? $" — delay: {r}" : "")));
        await db.SaveChangesAsync(ct);
        await transaction.CommitAsync(ct);
        return incident;
    }

    public async Task<Incident> CloseAsync(Guid incidentId, string? authorityNotRequiredReason, string actor, CancellationToken ct)
    {
        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        var incident = await LockAsync(incidentId, ct);
        incident.Close(authorityNotRequiredReason, Now);
        db.IncidentSteps.Add(IncidentStep.Of(incident.Id, IncidentStepKind.Closed, actor, Now, note: incident.AuthorityNotRequiredReason));
        await db.SaveChangesAsync(ct);
        await transaction.CommitAsync(ct);
        return incident;
    }

    /// <summary>An incident id as a client sends it, or <c>UNKNOWN_INCIDENT</c>.</summary>
    public static Guid IncidentId(string? raw) => Guid.TryParse(raw, out var id) ? id : throw new UnknownIncidentRule().Violation();

    private async Task<Incident> LockAsync(Guid id, CancellationToken ct) =>
        (await db.Incidents.FromSql($"SELECT * FROM incidents WHERE id = {id} FOR UPDATE").ToListAsync(ct)).FirstOrDefault()
        ?? throw new UnknownIncidentRule().Violation();

    /// <summary>Category codes of the registry, distinct and in order; <c>UNKNOWN_DATA_CATEGORY</c> for any other.</summary>
    private async Task<List<string>> KnownCategoriesAsync(IReadOnlyList<string>? codes, string field, bool required, CancellationToken ct)
    {
        var given = (codes ?? []).Select(c => c?.Trim() ?? "").Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
        Rule.Check(!required || given.Count > 0, "INVALID_CATEGORIES", $"{field} names at least one data category (see dataCategories).", field);
        Rule.Check(given.Count <= Incident.MaxCategories, "INVALID_CATEGORIES", $"{field} names at most {Incident.MaxCategories} data categories.", field);
        var shaped = given.Where(Imail.Domain.DataCategories.DataCategory.IsCode).ToList();
        var known = await db.DataCategories.Where(c => shaped.Contains(c.Code)).Select(c => c.Code).ToListAsync(ct);
        var unknown = given.Except(known).ToList();
        Rule.Check(unknown.Count == 0, "UNKNOWN_DATA_CATEGORY",
            $"{string.Join(", ", unknown.Select(u => Excerpt.Quote(u)))}: not a data category of the registry (see dataCategories).", field);
        return given;
    }

    private string Local(DateTimeOffset at, IncidentOptions options) =>
        TimeZoneInfo.ConvertTime(at, TimeZoneInfo.FindSystemTimeZoneById(options.TimeZone)).ToString("yyyy-MM-dd'T'HH:mm:sszzz", CultureInfo.InvariantCulture);

    // The id is a UUIDv7 of the instant, as Ids.New makes them (a function of the migrations).
    private const string OutboxId = "imail_uuid_v7(@now)";

    /// <summary>
    /// One statement per batch of affected users, read in id order after the last one of the previous batch: it
    /// records them as recipients, with the incident's categories each holds data of (computed in SQL), and queues
    /// their notice. No user is loaded here.
    /// </summary>
    private async Task<(int Notified, int Statements)> NotifyAsync(Incident incident, IncidentSelector affected, Guid[]? ids, IncidentOptions options, CancellationToken ct)
    {
        var (where, parameters) = affected.Where(catalogue, ids);
        var held = string.Join(", ", incident.Categories.Select(c => $"CASE WHEN {IncidentSelector.Holds(catalogue, c, "u.id")} THEN {IncidentSelector.Literal(c)} END"));
        var sql = $"""
            WITH batch AS (
              SELECT u.id, u.email, u.display_name, u.locale, array_remove(ARRAY[{held}]::text[], NULL) AS held
              FROM users AS u
              WHERE u.id > @after AND {where}
              ORDER BY u.id LIMIT @batch
            ), recorded AS (
              INSERT INTO incident_recipients (incident_id, user_id, notified_at, categories)
              SELECT @incident, b.id, @now, CASE WHEN cardinality(b.held) = 0 THEN @categories ELSE b.held END FROM batch AS b
            ), queued AS (
              INSERT INTO outbox_messages (id, kind, payload, user_id, state, created_at, available_at, attempts)
              SELECT {OutboxId}, @kind,
                     jsonb_build_object('to', b.email, 'name', b.display_name, 'locale', b.locale,
                       'messageKey', 'incident-' || @incident::text || '-' || b.id::text,
                       'values', jsonb_build_object(
                         'severity', @severity::text, 'awareAt', @aware_at::text, 'declaredAt', @declared_at::text,
                         'categories', array_to_string(CASE WHEN cardinality(b.held) = 0 THEN @categories ELSE b.held END, ','),
                         'incidentSummary', CASE b.locale WHEN 'Nl' THEN @summary_nl::text WHEN 'En' THEN @summary_en::text ELSE @summary_fr::text END)),
                     b.id, 'Pending', @now, @now, 0
              FROM batch AS b
            )
            SELECT count(*)::int AS count, (SELECT l.id FROM batch AS l ORDER BY l.id DESC LIMIT 1) AS last FROM batch
            """;
        NpgsqlParameter[] Fixed() =>
        [
            new("incident", NpgsqlDbType.Uuid) { Value = incident.Id },
            new("now", NpgsqlDbType.TimestampTz) { Value = Now },
            new("batch", NpgsqlDbType.Integer) { Value = options.NoticeBatchSize },
            new("kind", NpgsqlDbType.Text) { Value = EmailTemplates.KindPrefix + EmailTemplates.IncidentNotice },
            new("categories", NpgsqlDbType.Array | NpgsqlDbType.Text) { Value = incident.Categories.ToArray() },
            new("severity", NpgsqlDbType.Text) { Value = incident.Severity.ToString() },
            new("aware_at", NpgsqlDbType.Text) { Value = Local(incident.AwareAt, options) },
            new("declared_at", NpgsqlDbType.Text) { Value = Local(incident.DeclaredAt, options) },
            new("summary_fr", NpgsqlDbType.Text) { Value = incident.SummaryFr },
            new("summary_nl", NpgsqlDbType.Text) { Value = incident.SummaryNl },
            new("summary_en", NpgsqlDbType.Text) { Value = incident.SummaryEn },
        ];
        return await BatchesAsync(sql, () => [.. Fixed(), .. parameters.Select(p => p.Clone())], options, ct);
    }

    private async Task<(int Sent, int Statements)> SendUpdateAsync(Incident incident, IncidentStepKind kind, LocalizedText text, IncidentOptions options, CancellationToken ct)
    {
        var sql = $"""
            WITH batch AS (
              SELECT u.id, u.email, u.display_name, u.locale
              FROM incident_recipients AS r JOIN users AS u ON u.id = r.user_id
              WHERE r.incident_id = @incident AND r.user_id > @after
              ORDER BY r.user_id LIMIT @batch
            ), queued AS (
              INSERT INTO outbox_messages (id, kind, payload, user_id, state, created_at, available_at, attempts)
              SELECT {OutboxId}, @kind,
                     jsonb_build_object('to', b.email, 'name', b.display_name, 'locale', b.locale,
                       'inReplyToKey', 'incident-' || @incident::text || '-' || b.id::text,
                       'values', jsonb_build_object(
                         'updateKind', @update_kind::text, 'declaredAt', @declared_at::text,
                         'updateText', CASE b.locale WHEN 'Nl' THEN @text_nl::text WHEN 'En' THEN @text_en::text ELSE @text_fr::text END)),
                     b.id, 'Pending', @now, @now, 0
              FROM batch AS b
            )
            SELECT count(*)::int AS count, (SELECT l.id FROM batch AS l ORDER BY l.id DESC LIMIT 1) AS last FROM batch
            """;
        return await BatchesAsync(sql, () =>
        [
            new("incident", NpgsqlDbType.Uuid) { Value = incident.Id },
            new("now", NpgsqlDbType.TimestampTz) { Value = Now },
            new("batch", NpgsqlDbType.Integer) { Value = options.NoticeBatchSize },
            new("kind", NpgsqlDbType.Text) { Value = EmailTemplates.KindPrefix + EmailTemplates.IncidentUpdate },
            new("update_kind", NpgsqlDbType.Text) { Value = kind.ToString() },
            new("declared_at", NpgsqlDbType.Text) { Value = Local(incident.DeclaredAt, options) },
            new("text_fr", NpgsqlDbType.Text) { Value = text.Fr },
            new("text_nl", NpgsqlDbType.Text) { Value = text.Nl },
            new("text_en", NpgsqlDbType.Text) { Value = text.En },
        ], options, ct);
    }

    /// <summary>Runs the batch statement until a batch comes back short; each run reads after the previous one's last user.</summary>
    private async Task<(int Count, int Statements)> BatchesAsync(string sql, Func<List<NpgsqlParameter>> parameters, IncidentOptions options, CancellationToken ct)
    {
        var (after, count, statements) = (Guid.Empty, 0, 0);
        while (true)
        {
            ct.ThrowIfCancellationRequested();
            var bound = parameters();
            bound.Add(new NpgsqlParameter("after", NpgsqlDbType.Uuid) { Value = after });
            var done = (await db.Database.SqlQueryRaw<Batch>(sql, bound.Cast<object>().ToArray()).ToListAsync(ct)).Single();
            statements++;
            count += done.Count;
            if (done.Count < options.NoticeBatchSize || done.Last is not { } last) break;
            after = last;
        }
        return (count, statements);
    }

    private sealed record Batch(int Count, Guid? Last);
}
