using GraphQL;
using GraphQL.Types;
using Imail.Api.Auth;
using Imail.Api.GraphQL;
using Imail.Domain.Consents;
using Microsoft.EntityFrameworkCore;

namespace Imail.Api.Consents;

public sealed class ConsentQueries(ConsentRules rules, ReceiptSigner signer, ReceiptController controller, TimeProvider clock) : IQueryFields
{
    public void AddTo(QueryType query)
    {
        query.Field<NonNullGraphType<ConsentStatusType>>("consentStatus")
            .Description("Must the cookie banner be shown on this device, for this caller? A signed-in person (role `user`) gets their own account's consent, whatever the device; anyone else the consent of the device's anonymous visitor. The device's cookie bounds both: `cookieExpiresAt` never outlives it, and once it has ended the banner is shown on that device. Ask on every page load; it never extends anything. `recordNavigation` stores data exactly when this answer says STATISTICS is effective.")
            .Argument<IdGraphType>("visitorId", "The device's visitor id (the one `decideConsent` returned). An id Imail did not issue counts as no device.")
            .AllowAnyone()
            .ResolveAsync(async ctx =>
            {
                var user = CurrentUser.Id(ctx.User);
                var visitor = ConsentInputs.ParseVisitorId(ctx.GetArgument<string?>("visitorId"), strict: false);
                if (user is null && visitor is null) return ConsentStatus.NeverAsked;
                await using var db = await ctx.Db();
                return await new ConsentDesk(db, rules, signer, controller, clock).StatusAsync(new ConsentSubject(visitor, user), ctx.CancellationToken);
            });

        query.Field<NonNullGraphType<ConsentRecordConnectionType>>("consentRecords")
            .Description("Proofs of consent, oldest first, for one visitor id or one account (staff).")
            .Arguments(Paging.Arguments(
                new QueryArgument<IdGraphType> { Name = "visitorId", Description = "Only the records of this visitor id." },
                new QueryArgument<IdGraphType> { Name = "userId", Description = "Only the records of this account." }))
            .Allow(Roles.Staff)
            .ResolveAsync(async ctx =>
            {
                var visitor = Guid.TryParse(ctx.GetArgument<string?>("visitorId"), out var v) ? v : (Guid?)null;
                var user = Guid.TryParse(ctx.GetArgument<string?>("userId"), out var u) ? u : (Guid?)null;
                return await KeysetPaging.ByIdAsync(ctx, db =>
                {
                    var records = db.ConsentRecords.AsNoTracking();
                    if (visitor is not null) records = records.Where(r => r.VisitorId == visitor);
                    if (user is not null) records = records.Where(r => r.UserId == user);
                    return records;
                }, r => r.Id);
            });

        query.Field<NonNullGraphType<ReceiptVerificationType>>("verifyConsentReceipt")
            .Description("Checks a consent receipt: Imail's signature, the stored record unchanged, and the chain of hashes around it. Anyone holding a receipt may ask.")
            .Argument<NonNullGraphType<StringGraphType>>("receipt", "The receipt (compact JWS) as `decideConsent` returned it.")
            .AllowAnyone()
            .ResolveAsync(async ctx =>
            {
                var receipt = ctx.GetArgument<string>("receipt");
                await using var db = await ctx.Db();
                return await new ConsentDesk(db, rules, signer, controller, clock).VerifyAsync(receipt.Length > 20_000 ? "" : receipt, ctx.CancellationToken);
            });

        query.Field<NonNullGraphType<ReceiptKeyType>>("consentReceiptKey")
            .Description("The public key consent receipts are signed with.")
            .AllowAnyone()
            .Resolve(_ => signer);
    }
}
