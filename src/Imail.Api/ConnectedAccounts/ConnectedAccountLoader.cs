using GraphQL;
using GraphQL.DataLoader;
using Imail.Domain.ConnectedAccounts;
using Imail.Domain.Persistence;
using Microsoft.EntityFrameworkCore;

namespace Imail.Api.ConnectedAccounts;

public static class ConnectedAccountLoader
{
    /// <summary>Accounts (with their shared fields) by owner, oldest first, an empty list for none: one statement for every user at one level of the request.</summary>
    public static IDataLoaderResult<IReadOnlyList<ConnectedAccount>?> ByUser(IResolveFieldContext ctx, Guid userId) =>
        ctx.Loader<Guid, IReadOnlyList<ConnectedAccount>>("connectedAccountsByUser", async (services, userIds, ct) =>
        {
            await using var db = await services.GetRequiredService<IDbContextFactory<ImailDbContext>>().CreateDbContextAsync(ct);
            var accounts = await db.ConnectedAccounts.AsNoTracking()
                .Where(a => userIds.Contains(a.UserId))
                .OrderBy(a => a.UserId).ThenBy(a => a.Id)
                .ToListAsync(ct);
            var byUser = accounts.ToLookup(a => a.UserId);
            return userIds.ToDictionary(id => id, id => (IReadOnlyList<ConnectedAccount>)byUser[id].ToList());
        }).Load(userId);
}
