using Imail.Domain.Consents;
using Imail.Domain.DataCategories;
using Imail.Domain.Users;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.EntityFrameworkCore.Storage;
using Npgsql;

namespace Imail.Domain.Persistence;

/// <summary>One column of a table holding data about a person, and its data category.</summary>
/// <param name="Field">As the schema and the export name it: <c>consentRecord.receipt</c>.</param>
public sealed record CatalogueColumn(string Column, string Field, string Category, bool IsKey);

/// <summary>The child table's columns that point at its parent's key.</summary>
public sealed record ParentLink(CatalogueTable Parent, IReadOnlyList<string> Columns, IReadOnlyList<string> ParentColumns);

/// <summary>
/// A table of the catalogue: how a person's rows are found in it (their account id, the visitor ids
/// of their devices, or their parent rows), and what each column holds.
/// </summary>
public sealed record CatalogueTable(
    string Table, string Entity, string? AccountColumn, string? DeviceColumn, ParentLink? Parent,
    IReadOnlyList<CatalogueColumn> Columns, bool KeptAnonymized)
{
    /// <summary>
    /// The SQL condition selecting the person's rows under <paramref name="alias"/>, with parameters
    /// <c>@account</c> (uuid) and <c>@devices</c> (uuid[]). Rows recorded on one of the person's devices
    /// count as theirs when they name no account (anonymous use) or theirs: another account signed in on
    /// the device keeps its own rows.
    /// </summary>
    public string Where(string alias)
    {
        if (Parent is { } link)
        {
            var p = alias + "p";
            var columns = string.Join(", ", link.Columns.Select(c => $"{alias}.{c}"));
            var keys = string.Join(", ", link.ParentColumns.Select(c => $"{p}.{c}"));
            return $"({columns}) IN (SELECT {keys} FROM {link.Parent.Table} AS {p} WHERE {link.Parent.Where(p)})";
        }
        return (AccountColumn, DeviceColumn) switch
        {
            ({ } account, null) => $"{alias}.{account} = @account",
            (null, { } device) => $"{alias}.{device} = ANY(@devices)",
            ({ } account, { } device) => $"({alias}.{account} = @account OR ({alias}.{device} = ANY(@devices) AND {alias}.{account} IS NULL))",
            _ => throw new InvalidOperationException($"{Table} reaches no person."),
        };
    }

    /// <summary>The categories of what this table holds (keys and non-personal columns aside).</summary>
    public IEnumerable<string> Categories => Columns.Where(c => !c.IsKey && c.Category != DataCategoryCodes.NotPersonal).Select(c => c.Category).Distinct();

    /// <summary>The columns erasure clears in a table kept anonymized: the account link and every identifying column.</summary>
    public IEnumerable<string> ClearedAtErasure =>
        Columns.Where(c => c.Column == AccountColumn || (!c.IsKey && DataCategoryCodes.Identifying.Contains(c.Category))).Select(c => c.Column).Distinct();
}

/// <summary>
/// The personal-data catalogue (P2, P8): read from the model's annotations, it knows every table that
/// holds rows about a person — through a foreign key to <c>users</c>, a column marked as holding an
/// account id or a device's visitor id, or a parent row that does — and the data category of every
/// column. Erasure, the person's export and <c>personalData</c> all read it, so a new table is erased,
/// exported and named without new code. Built once (the EF model is immutable).
/// </summary>
public sealed class PersonalDataCatalogue
{
    public PersonalDataCatalogue(IDbContextFactory<ImailDbContext> dbs) : this(dbs.CreateDbContext().Model) { }

    public PersonalDataCatalogue(IModel model)
    {
        Tables = Build(model);
        Accounts = Tables.Single(t => t.Entity == "user");
        Devices = Tables.Single(t => t.Table == model.FindEntityType(typeof(Visitor))!.GetTableName());
    }

    /// <summary>The tables holding rows about a person, each after the tables whose rows depend on it, <c>users</c> last.</summary>
    public IReadOnlyList<CatalogueTable> Tables { get; }

    /// <summary>The account row itself.</summary>
    public CatalogueTable Accounts { get; }

    /// <summary>The person's devices: their ids lead to the rows recorded on them.</summary>
    public CatalogueTable Devices { get; }

    /// <summary>The visitor ids of the person's devices.</summary>
    public async Task<Guid[]> DevicesOfAsync(ImailDbContext db, Guid account, CancellationToken ct)
    {
        var ids = new List<Guid>();
        await using var command = await CommandAsync(db, $"SELECT id FROM {Devices.Table} WHERE {Devices.AccountColumn} = @account", account, [], ct);
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct)) ids.Add(reader.GetGuid(0));
        return [.. ids];
    }

    /// <summary>Every row about the person, as JSON objects keyed by column name, by table: one statement.</summary>
    public async Task<IReadOnlyList<(CatalogueTable Table, System.Text.Json.JsonElement Row)>> RowsOfAsync(ImailDbContext db, Guid account, CancellationToken ct)
    {
        var devices = await DevicesOfAsync(db, account, ct);
        var sql = string.Join("\nUNION ALL ", Tables.Select((t, i) => $"SELECT {i} AS t, to_jsonb(x)::text AS row FROM {t.Table} AS x WHERE {t.Where("x")}"));
        var rows = new List<(CatalogueTable, System.Text.Json.JsonElement)>();
        await using var command = await CommandAsync(db, sql, account, devices, ct);
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
            rows.Add((Tables[reader.GetInt32(0)], System.Text.Json.JsonDocument.Parse(reader.GetString(1)).RootElement.Clone()));
        return rows;
    }

    /// <summary>For each account, the tables holding at least one row about them: one statement for all of them.</summary>
    public async Task<IReadOnlyDictionary<Guid, IReadOnlySet<string>>> TablesHoldingAsync(ImailDbContext db, IReadOnlyCollection<Guid> accounts, CancellationToken ct)
    {
        var found = accounts.ToDictionary(id => id, _ => (IReadOnlySet<string>)new HashSet<string>());
        // Each account's devices joined in, so rows recorded anonymously on them count too.
        var sql = "WITH people AS (SELECT unnest(@accounts) AS account), " +
                  $"owned AS (SELECT p.account, coalesce(array_agg(d.id) FILTER (WHERE d.id IS NOT NULL), '{{}}') AS devices FROM people AS p LEFT JOIN {Devices.Table} AS d ON d.{Devices.AccountColumn} = p.account GROUP BY p.account)\n" +
                  string.Join("\nUNION ALL ", Tables.Where(t => t != Accounts).Select(t =>
                      $"SELECT o.account, '{t.Table}' FROM owned AS o WHERE EXISTS (SELECT 1 FROM {t.Table} AS x WHERE {t.Where("x").Replace("@account", "o.account").Replace("@devices", "o.devices")})"));
        await using var command = new NpgsqlCommand(sql, await OpenAsync(db, ct));
        command.Parameters.Add(new NpgsqlParameter("accounts", accounts.ToArray()));
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct)) ((HashSet<string>)found[reader.GetGuid(0)]).Add(reader.GetString(1));
        return found;
    }

    /// <summary>A command on the context's connection (and transaction), with <c>@account</c> and <c>@devices</c> bound.</summary>
    internal static async Task<NpgsqlCommand> CommandAsync(ImailDbContext db, string sql, Guid account, Guid[] devices, CancellationToken ct)
    {
        var command = new NpgsqlCommand(sql, await OpenAsync(db, ct), (NpgsqlTransaction?)db.Database.CurrentTransaction?.GetDbTransaction());
        command.Parameters.Add(new NpgsqlParameter("account", account));
        command.Parameters.Add(new NpgsqlParameter("devices", devices));
        return command;
    }

    /// <summary>The context's connection, opened if it is not (inside a transaction it already is).</summary>
    private static async Task<NpgsqlConnection> OpenAsync(ImailDbContext db, CancellationToken ct)
    {
        var connection = (NpgsqlConnection)db.Database.GetDbConnection();
        if (connection.State != System.Data.ConnectionState.Open) await db.Database.OpenConnectionAsync(ct);
        return connection;
    }

    private static List<CatalogueTable> Build(IModel model)
    {
        var users = model.FindEntityType(typeof(User))!;
        var byEntity = new Dictionary<IEntityType, CatalogueTable>();
        var entities = model.GetEntityTypes().Where(e => e.GetTableName() is not null).ToList();

        byEntity[users] = Table(users, "id", null, null);
        foreach (var entity in entities.Where(e => e != users))
        {
            var account = entity.GetForeignKeys().FirstOrDefault(k => k.PrincipalEntityType == users)?.Properties[0]
                          ?? entity.GetProperties().FirstOrDefault(p => p.Reference() == PersonReference.Account);
            var device = entity.GetProperties().FirstOrDefault(p => p.Reference() == PersonReference.Device);
            if (account is not null || device is not null)
                byEntity[entity] = Table(entity, account?.GetColumnName(), device?.GetColumnName(), null);
        }
        // Rows hanging off those (a consent's choices, a connected account's fields), however deep.
        for (var added = true; added;)
        {
            added = false;
            foreach (var entity in entities.Where(e => !byEntity.ContainsKey(e)))
            {
                var key = entity.GetForeignKeys().FirstOrDefault(k => byEntity.ContainsKey(k.PrincipalEntityType));
                if (key is null) continue;
                var parent = byEntity[key.PrincipalEntityType];
                byEntity[entity] = Table(entity, null, null, new ParentLink(parent,
                    key.Properties.Select(p => p.GetColumnName()).ToList(), key.PrincipalKey.Properties.Select(p => p.GetColumnName()).ToList()));
                added = true;
            }
        }

        // Dependants before what they depend on: deleting in this order never leans on a cascade.
        var ordered = new List<CatalogueTable>();
        var remaining = byEntity.ToDictionary();
        while (remaining.Count > 0)
        {
            var leaf = remaining.First(candidate => !remaining.Keys.Any(other => other != candidate.Key
                && other.GetForeignKeys().Any(k => k.PrincipalEntityType == candidate.Key)));
            ordered.Add(leaf.Value);
            remaining.Remove(leaf.Key);
        }
        return ordered;
    }

    private static CatalogueTable Table(IEntityType entity, string? accountColumn, string? deviceColumn, ParentLink? parent)
    {
        var table = StoreObjectIdentifier.Table(entity.GetTableName()!, entity.GetSchema());
        var name = entity.ClrType.Name;
        var columns = entity.GetProperties()
            .Where(p => p.GetColumnName(table) is not null)
            .Select(p => new CatalogueColumn(p.GetColumnName(table)!, $"{Camel(name)}.{Camel(p.Name)}",
                p.DataCategory() ?? DataCategoryCodes.NotPersonal, p.IsPrimaryKey() || p.IsForeignKey()))
            .ToList();
        return new CatalogueTable(entity.GetTableName()!, Camel(name), accountColumn, deviceColumn, parent, columns, entity.IsKeptAnonymized());
    }

    private static string Camel(string name) => char.ToLowerInvariant(name[0]) + name[1..];
}
