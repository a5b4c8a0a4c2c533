using GraphQL.Types;
using Imail.Api.Auth;
using Imail.Domain.Lifecycle;
using Imail.Domain.Persistence;
using Imail.Domain.Users;
using Microsoft.EntityFrameworkCore;

namespace Imail.Api.Lifecycle;

/// <summary>The field deletion on request (P10) adds to <c>User</c>.</summary>
public static class DeletionUserFields
{
    public static void AddTo(ObjectGraphType<User> user)
    {
        user.Field<DeletionRequestType>("deletionRequest")
            .Description("The account's open deletion request (P10), awaiting the e-mailed code or pending; null when there is none.")
            .Allow(Roles.User, Roles.Staff)
            .Resolve(ctx => ctx.Loader<Guid, DeletionRequest>("openDeletionRequestByUser", async (services, ids, ct) =>
            {
                await using var db = await services.GetRequiredService<IDbContextFactory<ImailDbContext>>().CreateDbContextAsync(ct);
                return (IReadOnlyDictionary<Guid, DeletionRequest>)await db.DeletionRequests.AsNoTracking()
                    .Where(r => r.UserId != null && ids.Contains(r.UserId.Value))
                    .WithStatus(DeletionRequestStatus.Open, default, 0)
                    .ToDictionaryAsync(r => r.UserId!.Value, ct);
            }).Load(ctx.Source.Id));
    }
}
