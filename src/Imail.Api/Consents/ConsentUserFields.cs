using GraphQL;
using GraphQL.Types;
using Imail.Domain.Consents;
using Imail.Domain.Persistence;
using Imail.Domain.Users;
using Microsoft.EntityFrameworkCore;

namespace Imail.Api.Consents;

/// <summary>The fields consents (P5) add to <c>User</c>.</summary>
public static class ConsentUserFields
{
    public static void AddTo(ObjectGraphType<User> user, ConsentRules rules, TimeProvider clock)
    {
        user.Field<NonNullGraphType<ConsentStatusType>>("consentStatus")
            .Description("The account's own cookie consent, on no device in particular: whether the banner must be shown, and until when the answers hold.")
            .Resolve(ctx => Current(ctx).Then(consent => ConsentStatus.For(consent, null, clock.GetUtcNow(), rules)));
        user.Field<NonNullGraphType<ListGraphType<NonNullGraphType<PurposeConsentType>>>>("consents")
            .Description("The answer in force for each purpose the banner asks about (empty answers when never asked or lapsed).")
            .Resolve(ctx => Current(ctx).Then(consent => ConsentStatus.For(consent, null, clock.GetUtcNow(), rules).Purposes));
        user.Field<NonNullGraphType<ConsentRecordConnectionType>>("consentRecords")
            .Description("Every consent decision this person made, oldest first, each with its signed receipt (proof of consent).")
            .Arguments(Paging.Arguments())
            .ResolveAsync(async ctx =>
            {
                var id = ctx.Source.Id;
                return await KeysetPaging.ByIdAsync(ctx, db => db.ConsentRecords.AsNoTracking().Where(r => r.UserId == id), r => r.Id);
            });
    }

    /// <summary>The period in force (current, else the last ended) of every user on the level, in one statement.</summary>
    private static global::GraphQL.DataLoader.IDataLoaderResult<Consent?> Current(IResolveFieldContext<User> ctx) =>
        ctx.Loader<Guid, Consent>("consents:in-force", async (services, ids, ct) =>
        {
            await using var db = await services.GetRequiredService<IDbContextFactory<ImailDbContext>>().CreateDbContextAsync(ct);
            var consents = await db.Consents.FromSql($"""
                    SELECT DISTINCT ON (c.user_id) c.*, c.xmin FROM consents AS c WHERE c.user_id = ANY({ids.ToArray()})
                    ORDER BY c.user_id, c.ended_at IS NOT NULL, c.first_deposit_at DESC
                    """).AsNoTracking().ToListAsync(ct);
            return consents.ToDictionary(c => c.UserId!.Value);
        }).Load(ctx.Source.Id);
}
