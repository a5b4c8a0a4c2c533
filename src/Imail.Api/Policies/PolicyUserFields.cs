using GraphQL.Types;
using Imail.Api.Auth;
using Imail.Domain.Persistence;
using Imail.Domain.Policies;
using Imail.Domain.Users;
using Microsoft.EntityFrameworkCore;

namespace Imail.Api.Policies;

/// <summary>The field P13 adds to <c>User</c>: which version governs the person.</summary>
public static class PolicyUserFields
{
    private readonly record struct Account(Guid Id, DateTimeOffset CreatedAt);

    public static void AddTo(ObjectGraphType<User> user, TimeProvider clock)
    {
        user.Field<NonNullGraphType<UserPolicyType>>("policy")
            .Description("Which version of the privacy policy governs this person's data, and which versions wait for their acceptance (P13).")
            .Allow(Roles.User, Roles.Staff)
            .Resolve(ctx => ctx.Loader<Account, UserPolicy>("policy:governance", async (services, accounts, ct) =>
            {
                // Two statements for the whole level: the published versions and the answers of these accounts.
                await using var db = await services.GetRequiredService<IDbContextFactory<ImailDbContext>>().CreateDbContextAsync(ct);
                var published = await db.PolicyVersions.AsNoTracking().Where(v => v.Status == PolicyVersionStatus.Published).ToListAsync(ct);
                var ids = accounts.Select(a => a.Id).ToList();
                var decisions = (await db.PolicyDecisions.AsNoTracking().Where(d => ids.Contains(d.UserId)).OrderBy(d => d.DecidedAt).ThenBy(d => d.Id).ToListAsync(ct))
                    .ToLookup(d => d.UserId);
                var now = clock.GetUtcNow();
                return accounts.ToDictionary(a => a, a =>
                {
                    var own = decisions[a.Id].ToList();
                    return new UserPolicy(new PolicyGovernance(published, a.CreatedAt, PolicyBook.Latest(own), now), own);
                });
            }).Load(new Account(ctx.Source.Id, ctx.Source.CreatedAt)).Then(p => p!));
    }
}
