using System.Text.Json;
using Imail.Domain.Common;
using Imail.Domain.DataCategories;
using Imail.Domain.Persistence;
using Npgsql;
using NpgsqlTypes;

namespace Imail.Domain.Incidents;

/// <summary>A period, both ends included.</summary>
public sealed record Period(DateTimeOffset From, DateTimeOffset To);

/// <summary>
/// Who an incident affected, as staff select them (P12). Each criterion given narrows the selection: the users
/// selected are those meeting <b>every</b> criterion given (intersection); at least one is required.
/// <list type="bullet">
/// <item><c>everyone</c>: every account (true is a criterion; false or absent is none);</item>
/// <item><c>categories</c>: users holding data of at least one of these categories, in any table of the
/// personal-data catalogue (their account row counts: every account holds <c>identity</c>, <c>contact</c>, <c>account</c>);</item>
/// <item><c>createdBetween</c>: accounts created in the period (both ends included);</item>
/// <item><c>activeBetween</c>: accounts that may have been used in the period. Imail keeps only each account's
/// <em>last</em> authentication (<c>users.last_authenticated_at</c>), so this selects accounts created by the end of the
/// period whose last authentication is at or after its start: everyone who could have signed in during it, and some who
/// did so only later (more notices rather than a missed one);</item>
/// <item><c>userIds</c>: at most <see cref="MaxUserIds"/> account ids; ids of no account (erased, mistyped) are ignored.</item>
/// </list>
/// Erased accounts have no row any more: they are never selected.
/// </summary>
public sealed record IncidentSelector(bool? Everyone, IReadOnlyList<string>? Categories, Period? CreatedBetween, Period? ActiveBetween, IReadOnlyList<string>? UserIds)
{
    /// <summary>Under the GraphQL transport's 256 KiB body limit (5,000 ids are about 195 KiB), so the typed error is the one a client meets.</summary>
    public const int MaxUserIds = 5_000;

    /// <summary>Checks the criteria (the category codes' existence is checked by the caller) and returns the account ids given.</summary>
    public Guid[]? Check()
    {
        Rule.Check(Everyone == true || Categories is not null || CreatedBetween is not null || ActiveBetween is not null || UserIds is not null,
            "SELECTOR_REQUIRED", "Say who is affected: everyone: true, or categories, createdBetween, activeBetween or userIds (several: users meeting all of them).", "affected");
        if (Categories is { } categories)
            Rule.Check(categories.Count is > 0 and <= Incident.MaxCategories, "INVALID_CATEGORIES",
                $"affected.categories names 1 to {Incident.MaxCategories} data categories.", "affected.categories");
        CheckPeriod(CreatedBetween, "affected.createdBetween");
        CheckPeriod(ActiveBetween, "affected.activeBetween");
        if (UserIds is not { } ids) return null;
        Rule.Check(ids.Count is > 0 and <= MaxUserIds, "INVALID_USER_IDS", $"affected.userIds names 1 to {MaxUserIds} accounts.", "affected.userIds");
        var parsed = new Guid[ids.Count];
        for (var i = 0; i < ids.Count; i++)
            Rule.Check(Guid.TryParse(ids[i], out parsed[i]), "INVALID_USER_IDS", $"affected.userIds[{i}] is not an account id (a UUID).", "affected.userIds");
        return parsed.Distinct().ToArray();
    }

    private static void CheckPeriod(Period? period, string field)
    {
        if (period is null) return;
        Rule.Check(period.From <= period.To, "INVALID_PERIOD", $"{field}: from is after to.", field);
    }

    /// <summary>What was selected, for the incident's record: the criteria, and how many ids were given (never the ids: they would outlive the accounts).</summary>
    public string Describe() => JsonSerializer.Serialize(new
    {
        everyone = Everyone == true ? true : (bool?)null,
        categories = Categories?.Select(c => c.Trim()).Distinct().Order(StringComparer.Ordinal).ToList(),
        createdBetween = CreatedBetween is { } c ? new { from = c.From.ToUniversalTime(), to = c.To.ToUniversalTime() } : null,
        activeBetween = ActiveBetween is { } a ? new { from = a.From.ToUniversalTime(), to = a.To.ToUniversalTime() } : null,
        userIdsGiven = UserIds?.Count,
    }, new JsonSerializerOptions(JsonSerializerDefaults.Web) { DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull });

    /// <summary>The SQL condition on <c>users AS u</c> selecting the affected accounts, and its parameters.</summary>
    public (string Sql, List<NpgsqlParameter> Parameters) Where(PersonalDataCatalogue catalogue, Guid[]? ids)
    {
        var conditions = new List<string>();
        var parameters = new List<NpgsqlParameter>();
        if (Categories is { } categories)
            conditions.Add("(" + string.Join(" OR ", categories.Select(c => c.Trim()).Distinct().Select(c => Holds(catalogue, c, "u.id"))) + ")");
        if (CreatedBetween is { } created)
        {
            conditions.Add("u.created_at BETWEEN @created_from AND @created_to");
            parameters.Add(new NpgsqlParameter("created_from", NpgsqlDbType.TimestampTz) { Value = created.From.ToUniversalTime() });
            parameters.Add(new NpgsqlParameter("created_to", NpgsqlDbType.TimestampTz) { Value = created.To.ToUniversalTime() });
        }
        if (ActiveBetween is { } active)
        {
            conditions.Add("u.last_authenticated_at >= @active_from AND u.created_at <= @active_to");
            parameters.Add(new NpgsqlParameter("active_from", NpgsqlDbType.TimestampTz) { Value = active.From.ToUniversalTime() });
            parameters.Add(new NpgsqlParameter("active_to", NpgsqlDbType.TimestampTz) { Value = active.To.ToUniversalTime() });
        }
        if (ids is not null)
        {
            conditions.Add("u.id = ANY(@user_ids)");
            parameters.Add(new NpgsqlParameter("user_ids", NpgsqlDbType.Array | NpgsqlDbType.Uuid) { Value = ids });
        }
        return (conditions.Count == 0 ? "true" : string.Join(" AND ", conditions), parameters);
    }

    /// <summary>
    /// SQL true when the account <paramref name="account"/> (an SQL expression) holds data of the category: a row in
    /// one of the catalogue's tables holding a column of it, found as erasure finds the person's rows (account,
    /// devices, parent rows). False for a category no table holds.
    /// </summary>
    public static string Holds(PersonalDataCatalogue catalogue, string category, string account)
    {
        var devices = $"ARRAY(SELECT dv.id FROM {catalogue.Devices.Table} AS dv WHERE dv.{catalogue.Devices.AccountColumn} = {account})";
        var tables = catalogue.Tables.Where(t => t.Categories.Contains(category)).ToList();
        if (tables.Count == 0) return "false";
        return "(" + string.Join(" OR ", tables.Select((t, i) =>
            t == catalogue.Accounts ? "true"
            : $"EXISTS (SELECT 1 FROM {t.Table} AS h{i} WHERE {t.Where($"h{i}").Replace("@account", account).Replace("@devices", devices)})")) + ")";
    }

    /// <summary>A category code as SQL literal: codes are checked (<see cref="DataCategory.IsCode"/>), so they hold no quote.</summary>
    public static string Literal(string code) => DataCategory.IsCode(code) ? $"'{code}'" : throw new ArgumentException("Not a category code.", nameof(code));
}
