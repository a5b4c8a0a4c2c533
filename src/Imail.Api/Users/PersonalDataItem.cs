using GraphQL.Types;
using Imail.Api.Auth;
using Imail.Api.DataCategories;
using Imail.Domain.Persistence;
using Imail.Domain.Users;

namespace Imail.Api.Users;

/// <summary>Which fields of a person's record belong to one data category: derived from the model's annotations.</summary>
public sealed record PersonalDataItem(string CategoryCode, IReadOnlyList<string> Fields)
{
    /// <summary>
    /// The account row's own fields, and the fields of every table that holds rows about the
    /// person (consents and their proofs, navigation events, connected accounts…), found through
    /// the model's foreign keys to <c>users</c>: one statement for all users of a level.
    /// </summary>
    public static global::GraphQL.DataLoader.IDataLoaderResult<IEnumerable<PersonalDataItem>> Of(global::GraphQL.IResolveFieldContext<User> ctx, PersonalDataMap map)
    {
        var user = ctx.Source;
        return ctx.Loader<Guid, IReadOnlySet<string>>("personal-data:tables", (_, ids, ct) => map.TablesHoldingAsync(ids, ct))
            .Load(user.Id)
            .Then(tables =>
            {
                var fields = new Dictionary<string, List<string>>();
                foreach (var (category, properties) in map.For<User>())
                    fields[category] = properties.Where(p => p.Value(user) is not null).Select(p => p.Field).ToList();
                foreach (var dependent in map.Dependents.Where(d => tables?.Contains(d.Table) == true))
                    foreach (var (category, names) in dependent.FieldsByCategory)
                        (fields.TryGetValue(category, out var list) ? list : fields[category] = []).AddRange(names);
                return fields.Where(f => f.Value.Count > 0).Select(f => new PersonalDataItem(f.Key, f.Value));
            });
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
