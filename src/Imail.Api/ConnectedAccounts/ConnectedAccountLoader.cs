using GraphQL;
using GraphQL.DataLoader;
using Imail.Domain.ConnectedAccounts;
using Imail.Domain.Persistence;
using Microsoft.EntityFrameworkCore;

namespace Imail.Api.ConnectedAccounts;

/// <summary>A connected account as GraphQL reads it: its columns, and what it shared only when the document asks for it.</summary>
public sealed record ConnectedAccountView(Guid Id, Guid UserId, string Provider, string ExternalAccountId, IReadOnlyList<string> GrantedScopes,
    DateTimeOffset ConnectedAt, DateTimeOffset UpdatedAt, IReadOnlyList<SharedField>? Shared)
{
    public static ConnectedAccountView Of(ConnectedAccount a) =>
        new(a.Id, a.UserId, a.Provider, a.ExternalAccountId, a.GrantedScopes, a.ConnectedAt, a.UpdatedAt, a.Fields);
}

public static class ConnectedAccountLoader
{
    /// <summary>
    /// Accounts by owner, oldest first, an empty list for none: one statement for every user at one
    /// level of the request. The shared fields (a join, often many rows) are read only when the
    /// document selects <c>shared</c>.
    /// </summary>
    public static IDataLoaderResult<IReadOnlyList<ConnectedAccountView>?> ByUser(IResolveFieldContext ctx, Guid userId)
    {
        // By field name, not response key: `s: shared` asks for it too, `shared: provider` does not.
        var withShared = ctx.SubFields?.Values.Any(f => f.FieldType.Name == "shared") == true;
        return ctx.Loader<Guid, IReadOnlyList<ConnectedAccountView>>(withShared ? "connectedAccountsByUser+shared" : "connectedAccountsByUser", async (services, userIds, ct) =>
        {
            await using var db = await services.GetRequiredService<IDbContextFactory<ImailDbContext>>().CreateDbContextAsync(ct);
            var accounts = db.ConnectedAccounts.AsNoTracking().Where(a => userIds.Contains(a.UserId)).OrderBy(a => a.UserId).ThenBy(a => a.Id);
            var views = withShared
                ? (await accounts.ToListAsync(ct)).Select(ConnectedAccountView.Of).ToList()
                : await accounts.Select(a => new ConnectedAccountView(a.Id, a.UserId, a.Provider, a.ExternalAccountId, a.GrantedScopes, a.ConnectedAt, a.UpdatedAt, null))
                    .ToListAsync(ct);
            var byUser = views.ToLookup(a => a.UserId);
            return userIds.ToDictionary(id => id, id => (IReadOnlyList<ConnectedAccountView>)byUser[id].ToList());
        }).Load(userId);
    }
}
