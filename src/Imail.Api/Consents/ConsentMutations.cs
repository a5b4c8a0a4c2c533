using GraphQL;
using GraphQL.Types;
using Imail.Api.Auth;
using Imail.Api.Schema;
using Imail.Api.Users;
using Imail.Domain.Consents;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace Imail.Api.Consents;

public sealed record PurposeChoiceInput(ConsentPurpose Purpose, bool Granted);

public sealed record DecideConsentInput(string? VisitorId, List<PurposeChoiceInput> Choices, string PolicyVersion, string BannerVersion, string FrontEnd);

public sealed record WithdrawConsentInput(string? VisitorId, List<ConsentPurpose>? Purposes, string FrontEnd);

public sealed record AttachVisitorInput(string VisitorId);

/// <summary>What a consent mutation answers: the visitor id to keep in the cookie, the status, the proof written.</summary>
public sealed record ConsentDecision(Guid? VisitorId, ConsentStatus Status, ConsentRecord? Record);

public sealed class ConsentMutations : IMutationFields
{
    private const int Attempts = 3;

    public void AddTo(MutationType mutation)
    {
        mutation.Field<NonNullGraphType<ConsentDecisionPayloadType>>("decideConsent")
            .Description("Records the banner's answers, one per purpose (P5). Inside a valid period it changes answers but never the expiry; when the banner had to be shown (never asked, expired, refusal remembered long enough) it opens a new 13-month period and must answer every purpose. Anonymous callers pass the device's visitor id, or none to get a new one; a signed-in person's visitor id is attached to their account. Returns a signed receipt. Errors: `INVALID_VISITOR_ID`, `MISSING_PURPOSE_DECISION`, `PURPOSE_NOT_ASKED`, `DUPLICATE_PURPOSE`, `INVALID_POLICY_VERSION`, `INVALID_BANNER_VERSION`, `INVALID_FRONT_END`.")
            .Argument<NonNullGraphType<DecideConsentInputType>>("input")
            .AllowAnyone()
            .GrantsResult()
            .ResolveAsync(async ctx => await Payload.Attempt(() => Retrying(ctx, async db =>
            {
                var input = ctx.GetArgument<DecideConsentInput>("input");
                var user = CurrentUser.Id(ctx.User);
                var visitor = ConsentInputs.ParseVisitorId(input.VisitorId) ?? (user is null ? Guid.NewGuid() : null);
                var context = DecisionContext.Check(input.PolicyVersion, input.BannerVersion, input.FrontEnd);
                var desk = db.Desk(ctx.RequestServices!);
                var choices = input.Choices.Select(c => new PurposeChoice(c.Purpose, c.Granted)).ToList();
                var (consent, record) = await desk.DecideAsync(new ConsentSubject(visitor, user), choices, context, ctx.CancellationToken);
                return Payload<ConsentDecision>.Ok(new(consent.VisitorId, consent.StatusAt(desk.Now, ctx.RequestServices!.GetRequiredService<ConsentRules>()), record));
            })));

        mutation.Field<NonNullGraphType<ConsentDecisionPayloadType>>("withdrawConsent")
            .Description("Withdraws consent, effective immediately: as easy as giving it (P5). Names purposes, or none for all. The refusal is remembered like any other (the banner stays away for the refusal memory). Succeeds with a null `record` when nothing was in force. Errors: `INVALID_VISITOR_ID`, `VISITOR_REQUIRED`, `PURPOSE_NOT_ASKED`, `INVALID_FRONT_END`.")
            .Argument<NonNullGraphType<WithdrawConsentInputType>>("input")
            .AllowAnyone()
            .GrantsResult()
            .ResolveAsync(async ctx => await Payload.Attempt(() => Retrying(ctx, async db =>
            {
                var input = ctx.GetArgument<WithdrawConsentInput>("input");
                var user = CurrentUser.Id(ctx.User);
                var visitor = ConsentInputs.ParseVisitorId(input.VisitorId);
                Domain.Common.Rule.Check(user is not null || visitor is not null, "VISITOR_REQUIRED",
                    "Pass the device's visitor id, or sign in.", "visitorId");
                Domain.Common.Rule.Check(input.Purposes?.Contains(ConsentPurpose.Necessary) != true, "PURPOSE_NOT_ASKED",
                    "Strictly necessary cookies need no consent: NECESSARY cannot be withdrawn.", "purposes");
                var frontEnd = DecisionContext.CheckFrontEnd(input.FrontEnd);
                var desk = db.Desk(ctx.RequestServices!);
                var subject = new ConsentSubject(visitor, user);
                var (consent, record) = await desk.WithdrawAsync(subject, input.Purposes, frontEnd, ctx.CancellationToken);
                var rules = ctx.RequestServices!.GetRequiredService<ConsentRules>();
                return Payload<ConsentDecision>.Ok(new(consent?.VisitorId ?? visitor, ConsentStatus.Of(consent, desk.Now, rules), record));
            })));

        mutation.Field<NonNullGraphType<ConsentDecisionPayloadType>>("attachVisitor")
            .Description("After sign-in: the device's consent periods and proofs join the signed-in account (role `user`). When both have a current period, the one deposited last stays. `signUp` does this itself when given the visitor id. Errors: `INVALID_VISITOR_ID`.")
            .Argument<NonNullGraphType<AttachVisitorInputType>>("input")
            .Allow(Roles.User)
            .ResolveAsync(async ctx => await Payload.Attempt(() => Retrying(ctx, async db =>
            {
                var input = ctx.GetArgument<AttachVisitorInput>("input");
                var user = CurrentUser.Id(ctx.User)!.Value;
                var visitor = ConsentInputs.ParseVisitorId(input.VisitorId)
                    ?? throw new Domain.Common.RuleViolation("INVALID_VISITOR_ID", "A visitor id is the UUID `decideConsent` returned.", "visitorId");
                var desk = db.Desk(ctx.RequestServices!);
                await desk.AttachVisitorAsync(visitor, user, ctx.CancellationToken);
                return Payload<ConsentDecision>.Ok(new(visitor, await desk.StatusAsync(new ConsentSubject(visitor, user), ctx.CancellationToken), null));
            })));
    }

    /// <summary>Two decisions racing on one device: the loser starts again on fresh data, so nothing is lost and the chain does not fork.</summary>
    private static async Task<Payload<ConsentDecision>> Retrying(IResolveFieldContext ctx, Func<Domain.Persistence.ImailDbContext, Task<Payload<ConsentDecision>>> work)
    {
        for (var attempt = 1; ; attempt++)
        {
            await using var db = await ctx.Db();
            try
            {
                return await work(db);
            }
            catch (Exception e) when (attempt < Attempts && IsRace(e))
            {
            }
        }
    }

    private static bool IsRace(Exception e) =>
        e is DbUpdateConcurrencyException
        || e is DbUpdateException { InnerException: PostgresException { SqlState: PostgresErrorCodes.UniqueViolation or PostgresErrorCodes.SerializationFailure } }
        || e is PostgresException { SqlState: PostgresErrorCodes.UniqueViolation or PostgresErrorCodes.SerializationFailure };
}

public sealed class PurposeChoiceInputType : InputObjectGraphType<PurposeChoiceInput>
{
    public PurposeChoiceInputType()
    {
        Name = "PurposeChoiceInput";
        Description = "The answer for one purpose.";
        Field(i => i.Purpose, type: typeof(NonNullGraphType<ConsentPurposeType>)).Description("STATISTICS or PERSONALISATION (NECESSARY is never asked).");
        Field(i => i.Granted).Description("True to grant, false to refuse.");
    }
}

public sealed class DecideConsentInputType : InputObjectGraphType<DecideConsentInput>
{
    public DecideConsentInputType()
    {
        Name = "DecideConsentInput";
        Description = "What the banner collected.";
        Field(i => i.VisitorId, type: typeof(IdGraphType)).Description("The device's visitor id from the consent cookie; omit on a first visit to get a new one.");
        Field(i => i.Choices, type: typeof(NonNullGraphType<ListGraphType<NonNullGraphType<PurposeChoiceInputType>>>))
            .Description("One answer per purpose; a period's first decision answers every purpose.");
        Field(i => i.PolicyVersion).Description("The privacy policy version the banner linked to (1 to 100 characters).");
        Field(i => i.BannerVersion).Description("The version of the banner text shown (1 to 100 characters).");
        Field(i => i.FrontEnd).Description("Which front-end collected the decision, e.g. `www.imail.example` (1 to 100 characters).");
    }
}

public sealed class WithdrawConsentInputType : InputObjectGraphType<WithdrawConsentInput>
{
    public WithdrawConsentInputType()
    {
        Name = "WithdrawConsentInput";
        Description = "Which consent to withdraw.";
        Field(i => i.VisitorId, type: typeof(IdGraphType)).Description("The device's visitor id; not needed when signed in.");
        Field(i => i.Purposes, type: typeof(ListGraphType<NonNullGraphType<ConsentPurposeType>>)).Description("The purposes to withdraw; omit for all.");
        Field(i => i.FrontEnd).Description("Which front-end the withdrawal came from (1 to 100 characters).");
    }
}

public sealed class AttachVisitorInputType : InputObjectGraphType<AttachVisitorInput>
{
    public AttachVisitorInputType()
    {
        Name = "AttachVisitorInput";
        Description = "The device whose consent joins the signed-in account.";
        Field(i => i.VisitorId, type: typeof(NonNullGraphType<IdGraphType>)).Description("The visitor id from the consent cookie.");
    }
}

public sealed class ConsentDecisionPayloadType : ObjectGraphType<Payload<ConsentDecision>>
{
    public ConsentDecisionPayloadType()
    {
        Name = "ConsentDecisionPayload";
        Description = "The answer of a consent mutation: the visitor id to keep in the consent cookie, the status now, the proof written, or the typed errors that prevented it.";
        Field<IdGraphType>("visitorId").Description("The visitor id to store in the consent cookie (new on a first visit).").Resolve(ctx => ctx.Source.Result?.VisitorId);
        Field<ConsentStatusType>("status").Description("The consent status after the mutation. Null when `errors` is not empty.").Resolve(ctx => ctx.Source.Result?.Status);
        Field<ConsentRecordType>("record").Description("The proof of consent written, with its signed `receipt`; null when nothing was recorded.").Resolve(ctx => ctx.Source.Result?.Record);
        Field<NonNullGraphType<ListGraphType<NonNullGraphType<UserErrorInterface>>>>("errors")
            .Description("Why the mutation did nothing; empty on success.").Resolve(ctx => ctx.Source.Errors);
        this.AllowAnyone();
    }
}
