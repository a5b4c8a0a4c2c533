using Imail.Domain.DataCategories;
using Imail.Domain.Users;
using Microsoft.EntityFrameworkCore;

namespace Imail.Domain.Persistence;

/// <summary>The model's category annotations, read once (the EF model is immutable).</summary>
public sealed class PersonalDataMap(IDbContextFactory<ImailDbContext> dbs)
{
    private readonly Lazy<Microsoft.EntityFrameworkCore.Metadata.IModel> _model = new(() => dbs.CreateDbContext().Model);
    private readonly Dictionary<Type, IReadOnlyDictionary<string, IReadOnlyList<(string Field, Func<object, object?> Value)>>> _byType = [];

    /// <summary>A table with a foreign key to <c>users</c>, and what its rows (and the rows hanging off them) hold, by category.</summary>
    public sealed record Dependent(string Table, string UserColumn, IReadOnlyDictionary<string, IReadOnlyList<string>> FieldsByCategory);

    private IReadOnlyList<Dependent>? _dependents;

    public IReadOnlyList<Dependent> Dependents => _dependents ??= FindDependents();

    private IReadOnlyList<Dependent> FindDependents()
    {
        var model = _model.Value;
        var users = model.FindEntityType(typeof(User))!;
        var result = new List<Dependent>();
        foreach (var entity in model.GetEntityTypes().Where(e => !e.IsOwned() && e != users))
        {
            var key = entity.GetForeignKeys().FirstOrDefault(k => k.PrincipalEntityType == users);
            if (key is null) continue;
            // The rows hanging off this one (choices of a consent, fields of a connected account) go with it.
            var held = new[] { entity }.Concat(model.GetEntityTypes().Where(e => e != entity && e != users
                    && e.GetForeignKeys().Any(k => k.PrincipalEntityType == entity) && e.GetForeignKeys().All(k => k.PrincipalEntityType != users)))
                .SelectMany(e => e.GetProperties().Where(p => p.PropertyInfo is not null && !p.IsForeignKey() && !p.IsPrimaryKey())
                    .Select(p => (Category: p.DataCategory() ?? DataCategoryCodes.NotPersonal, Field: $"{Camel(e.ClrType.Name)}.{Camel(p.Name)}")))
                .Where(p => p.Category != DataCategoryCodes.NotPersonal)
                .GroupBy(p => p.Category)
                .ToDictionary(g => g.Key, g => (IReadOnlyList<string>)g.Select(p => p.Field).ToList());
            result.Add(new Dependent(entity.GetTableName()!, key.Properties[0].GetColumnName(), held));
        }
        return result;
    }

    /// <summary>For each user, the dependent tables holding at least one row about them.</summary>
    public async Task<IReadOnlyDictionary<Guid, IReadOnlySet<string>>> TablesHoldingAsync(IReadOnlyCollection<Guid> ids, CancellationToken ct)
    {
        var found = ids.ToDictionary(id => id, _ => (IReadOnlySet<string>)new HashSet<string>());
        if (Dependents.Count == 0) return found;
        await using var db = await dbs.CreateDbContextAsync(ct);
        var sql = string.Join(" UNION ALL ", Dependents.Select(d =>
            $"SELECT DISTINCT \"{d.UserColumn}\" AS user_id, '{d.Table}' AS held FROM \"{d.Table}\" WHERE \"{d.UserColumn}\" = ANY(@ids)"));
        var connection = db.Database.GetDbConnection();
        await connection.OpenAsync(ct);
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.Parameters.Add(new Npgsql.NpgsqlParameter("ids", ids.ToArray()));
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct)) ((HashSet<string>)found[reader.GetGuid(0)]).Add(reader.GetString(1));
        return found;
    }

    private static string Camel(string name) => char.ToLowerInvariant(name[0]) + name[1..];

    public IReadOnlyDictionary<string, IReadOnlyList<(string Field, Func<object, object?> Value)>> For<T>()
    {
        lock (_byType)
        {
            if (_byType.TryGetValue(typeof(T), out var known)) return known;
            var entity = _model.Value.FindEntityType(typeof(T)) ?? throw new InvalidOperationException($"{typeof(T)} is not mapped.");
            var groups = entity.GetProperties()
                .Where(p => p.PropertyInfo is not null)
                .GroupBy(p => p.DataCategory() ?? DataCategoryCodes.NotPersonal)
                .Where(g => g.Key != DataCategoryCodes.NotPersonal)
                .ToDictionary(g => g.Key, g => (IReadOnlyList<(string, Func<object, object?>)>)g
                    .Select(p => (char.ToLowerInvariant(p.Name[0]) + p.Name[1..], (Func<object, object?>)p.PropertyInfo!.GetValue))
                    .ToList());
            return _byType[typeof(T)] = groups;
        }
    }
}
