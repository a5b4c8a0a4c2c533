using GraphQL.Types;
using Imail.Api.Auth;
using Imail.Api.ConnectedAccounts;
using Imail.Api.Consents;
using Imail.Api.GraphQL;
using Imail.Api.GraphQL.Conventions;
using Imail.Domain.ConnectedAccounts;
using Imail.Domain.Consents;
using Imail.Domain.Users;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Imail.Bench.DbFree;

/// <summary>
/// B1c needs B1's query with no database. The schema has no such field, so the bench adds one
/// to the host under test, the way a feature does (an <see cref="IQueryFields"/> in DI):
/// <c>benchMe</c> answers the same shape as <c>me { consents connectedAccounts }</c> from objects
/// loaded once at start-up. It reuses the production pieces that do not touch the database:
/// <see cref="ConsentStatus.For"/> and <see cref="PurposeConsentType"/>, <see cref="ConnectedAccountType"/>
/// (and its <c>SharedField</c> type), the access rules, and the request's batch loaders (fed from
/// memory instead of SQL), as the production <c>User</c> fields use them.
/// </summary>
public static class DbFreeFields
{
    public const string Query =
        "query Me { benchMe { consents { purpose granted effective decidedAt } connectedAccounts { id provider grantedScopes connectedAt shared { scope name value } } } }";

    public static void Add(IServiceCollection services, InMemoryMe data)
    {
        services.AddSingleton(data);
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IQueryFields, DbFreeQueries>());
        services.AddTransient<BenchUserType>();
    }
}

/// <summary>The signed-in user, their current consent period and their connected accounts, as read from the database once.</summary>
public sealed class InMemoryMe
{
    public User? User { get; set; }
    public Consent? Consent { get; set; }
    public IReadOnlyList<ConnectedAccount> ConnectedAccounts { get; set; } = [];
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
        // As ConsentUserFields.consents: the current period through the request's loader, then its status now.
        Field<NonNullGraphType<ListGraphType<NonNullGraphType<PurposeConsentType>>>>("consents")
            .Resolve(ctx => ctx.Loader<Guid, Consent>("bench:consents:current", (services, ids, _) =>
                {
                    var consent = services.GetRequiredService<InMemoryMe>().Consent;
                    IReadOnlyDictionary<Guid, Consent> found = consent is { UserId: { } owner } && ids.Contains(owner)
                        ? new Dictionary<Guid, Consent> { [owner] = consent }
                        : new Dictionary<Guid, Consent>();
                    return Task.FromResult(found);
                }).Load(ctx.Source.Id)
                .Then(consent => ConsentStatus.For(consent, null, ctx.RequestServices!.GetRequiredService<TimeProvider>().GetUtcNow(),
                    ctx.RequestServices!.GetRequiredService<ConsentRules>()).Purposes));
        // As ConnectedAccountUserFields.connectedAccounts: the accounts by owner through the request's loader.
        Field<NonNullGraphType<ListGraphType<NonNullGraphType<ConnectedAccountType>>>>("connectedAccounts")
            .Allow(Roles.User, Roles.Staff)
            .Resolve(ctx => ctx.Loader<Guid, IReadOnlyList<ConnectedAccountView>>("bench:connectedAccountsByUser", (services, userIds, _) =>
            {
                var accounts = services.GetRequiredService<InMemoryMe>().ConnectedAccounts;
                IReadOnlyDictionary<Guid, IReadOnlyList<ConnectedAccountView>> found = userIds.ToDictionary(id => id,
                    id => (IReadOnlyList<ConnectedAccountView>)accounts.Where(a => a.UserId == id).Select(ConnectedAccountView.Of).ToList());
                return Task.FromResult(found);
            }).Load(ctx.Source.Id));
        this.Allow(Roles.User, Roles.Staff);
    }
}
