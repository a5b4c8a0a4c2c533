using GraphQL.Types;
using Imail.Api.Auth;
using Imail.Api.DataCategories;
using Imail.Domain.DataCategories;
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
    public static global::GraphQL.DataLoader.IDataLoaderResult<IEnumerable<PersonalDataItem>> Of(global::GraphQL.IResolveFieldContext<User> ctx, PersonalDataCatalogue catalogue)
    {
        var user = ctx.Source;
        return ctx.Loader<Guid, IReadOnlySet<string>>("personal-data:tables", async (_, ids, ct) =>
            {
                await using var db = await ctx.Db();
                return await catalogue.TablesHoldingAsync(db, ids, ct);
            })
            .Load(user.Id)
            .Then(tables =>
            {
                // The account's own fields that hold a value, then the fields of every table holding a row about the person.
                var fields = new Dictionary<string, List<string>>();
                foreach (var column in catalogue.Accounts.Columns.Where(c => c.Category != DataCategoryCodes.NotPersonal && Has(user, c.Field)))
                    (fields.TryGetValue(column.Category, out var list) ? list : fields[column.Category] = []).Add(column.Field["user.".Length..]);
                foreach (var table in catalogue.Tables.Where(t => t != catalogue.Accounts && tables?.Contains(t.Table) == true))
                    foreach (var column in table.Columns.Where(c => !c.IsKey && c.Category != DataCategoryCodes.NotPersonal))
                        (fields.TryGetValue(column.Category, out var list) ? list : fields[column.Category] = []).Add(column.Field);
                return fields.Where(f => f.Value.Count > 0).Select(f => new PersonalDataItem(f.Key, f.Value));
            });
    }

    private static readonly System.Collections.Concurrent.ConcurrentDictionary<string, System.Reflection.PropertyInfo?> Properties = new();

    /// <summary>Whether the account's field (<c>user.pendingEmail</c>) holds a value.</summary>
    private static bool Has(User user, string field) =>
        Properties.GetOrAdd(field, f => typeof(User).GetProperty(char.ToUpperInvariant(f[5]) + f[6..]))?.GetValue(user) is not (null or System.Collections.ICollection { Count: 0 });
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
