using GraphQL.Types;
using Imail.Api.Auth;
using Imail.Api.DataCategories;
using Imail.Api.Schema;
using Imail.Api.Users;
using Imail.Domain.DataCategories;
using Imail.Domain.Users;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Imail.Bench.DbFree;

/// <summary>
/// B1c needs B1's query with no database. The schema has no such field yet, so the bench adds one
/// to the host under test, the way a feature does (an <see cref="IQueryFields"/> in DI):
/// <c>benchMe</c> answers the same shape as <c>me</c> from objects loaded once at start-up. It
/// reuses the production pieces that do not touch the database: <see cref="PersonalDataItem.Of"/>,
/// <see cref="DataCategoryType"/>, <see cref="RetentionPeriodType"/>, <see cref="LocaleType"/>,
/// the access rule and the request's batch loader (fed from memory).
/// </summary>
public static class DbFreeFields
{
    public const string Query = "query Me { benchMe { id email displayName locale personalData { category { code name retention { iso8601 } } fields } } }";

    public static void Add(IServiceCollection services, InMemoryMe data)
    {
        services.AddSingleton(data);
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IQueryFields, DbFreeQueries>());
        services.AddTransient<BenchUserType>();
        services.AddTransient<BenchPersonalDataItemType>();
    }
}

/// <summary>The signed-in user and the category registry, as read from the database once.</summary>
public sealed class InMemoryMe
{
    public User? User { get; set; }
    public IReadOnlyDictionary<string, DataCategory> Categories { get; set; } = new Dictionary<string, DataCategory>();
}

public sealed class DbFreeQueries(InMemoryMe data) : IQueryFields
{
    public void AddTo(QueryType query) =>
        query.Field<BenchUserType>("benchMe")
            .Description("Benchmark only (bench/Imail.Bench): `me` answered from memory, for the no-database benchmark B1c.")
            .Allow(Roles.User)
            .Resolve(_ => data.User);
}

public sealed class BenchUserType : ObjectGraphType<User>
{
    public BenchUserType()
    {
        Name = "BenchUser";
        Field(u => u.Id, type: typeof(NonNullGraphType<IdGraphType>));
        Field(u => u.Email);
        Field(u => u.DisplayName);
        Field(u => u.Locale, type: typeof(NonNullGraphType<LocaleType>));
        Field<NonNullGraphType<ListGraphType<NonNullGraphType<BenchPersonalDataItemType>>>>("personalData")
            .Resolve(ctx => PersonalDataItem.Of(ctx.Source, ctx.RequestServices!));
        this.Allow(Roles.User, Roles.Staff);
    }
}

public sealed class BenchPersonalDataItemType : ObjectGraphType<PersonalDataItem>
{
    public BenchPersonalDataItemType()
    {
        Name = "BenchPersonalDataItem";
        Field<NonNullGraphType<DataCategoryType>>("category")
            .Resolve(ctx => ctx.Loader<string, DataCategory>("bench:categoriesByCode", (services, codes, _) =>
            {
                var all = services.GetRequiredService<InMemoryMe>().Categories;
                IReadOnlyDictionary<string, DataCategory> found = codes.Where(all.ContainsKey).ToDictionary(c => c, c => all[c]);
                return Task.FromResult(found);
            }).Load(ctx.Source.CategoryCode));
        Field(i => i.Fields);
        this.Allow(Roles.User, Roles.Staff);
    }
}
