using GraphQL.Types;
using Imail.Api.Auth;
using Imail.Api.DataCategories;
using Imail.Api.Schema;
using Imail.Domain.DataCategories;
using Imail.Domain.Persistence;
using Imail.Domain.Users;
using Microsoft.EntityFrameworkCore;

namespace Imail.Api.Users;

/// <summary>Which fields of a person's record belong to one data category: derived from the model's annotations.</summary>
public sealed record PersonalDataItem(string CategoryCode, IReadOnlyList<string> Fields)
{
    public static IEnumerable<PersonalDataItem> Of(User user, IServiceProvider services)
    {
        var map = services.GetRequiredService<PersonalDataMap>();
        return map.For<User>()
            .Select(group => new PersonalDataItem(group.Key,
                group.Value.Where(p => p.Value(user) is not null).Select(p => p.Field).ToList()))
            .Where(item => item.Fields.Count > 0);
    }
}

/// <summary>The model's category annotations, read once (the EF model is immutable).</summary>
public sealed class PersonalDataMap(IDbContextFactory<ImailDbContext> dbs)
{
    private readonly Lazy<Microsoft.EntityFrameworkCore.Metadata.IModel> _model = new(() => dbs.CreateDbContext().Model);
    private readonly Dictionary<Type, IReadOnlyDictionary<string, IReadOnlyList<(string Field, Func<object, object?> Value)>>> _byType = [];

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

public sealed class PersonalDataItemType : ObjectGraphType<PersonalDataItem>
{
    public PersonalDataItemType()
    {
        Name = "PersonalDataItem";
        Description = "The part of a person's data that falls in one data category.";
        Field<NonNullGraphType<DataCategoryType>>("category")
            .Description("The category: purpose, legal basis and retention period.")
            .Resolve(ctx => DataCategoryLoader.Load(ctx, ctx.Source.CategoryCode));
        Field(i => i.Fields).Description("The fields of the record in that category, as named in the schema.");
        this.Allow(Roles.User, Roles.Staff);
    }
}
