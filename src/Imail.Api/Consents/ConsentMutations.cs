using GraphQL;
using GraphQL.Types;
using Imail.Api.Auth;
using Imail.Api.Schema;
using Imail.Api.Users;
using Imail.Domain.Common;
using Imail.Domain.Consents;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace Imail.Api.Consents;

public sealed record PurposeChoiceInput(ConsentPurpose Purpose, bool Granted);

public sealed record DecideConsentInput(string? VisitorId, List<PurposeChoiceInput> Choices, string PolicyVersion, string BannerVersion, string FrontEnd);

public sealed record WithdrawConsentInput(string? VisitorId, List<ConsentPurpose>? Purposes, string FrontEnd);

public sealed record AttachVisitorInput(string VisitorId);

public sealed class ConsentMutations : IMutationFields
{
    private const int Attempts = 3;

    public void AddTo(MutationType mutation)
    {
        mutation.Field<NonNullGraphType<ConsentDecisionPayloadType>>("decideConsent")
            .Description("Records the banner's answers, one per purpose (P5), for the caller: a signed-in person's own account, else the anonymous visitor of the device whose visitor id is sent (or a new device on a first visit). Inside a valid period it changes answers but never the expiry; when the banner had to be shown (never asked, expired, refusal remembered long enough) it opens a new 13-month period and must answer every purpose. A signed-in person's device that is theirs or nobody's joins their account first. A decision that changes nothing writes no proof (`record` is null). Returns a signed receipt. Errors: `INVALID_VISITOR_ID`, `UNKNOWN_VISITOR_ID` (an id Imail did not issue: decide without one to get a new one), `MISSING_PURPOSE_DECISION`, `PURPOSE_NOT_ASKED`, `DUPLICATE_PURPOSE`, `INVALID_POLICY_VERSION`, `INVALID_BANNER_VERSION`, `INVALID_FRONT_END`, `USER_NOT_FOUND`, `CONCURRENT_DECISIONS`.")
            .Argument<NonNullGraphType<DecideConsentInputType>>("input")
            .AllowAnyone()
            .GrantsResult()
            .RateLimited(RateLimitPolicy.ConsentProofs)
            .ResolveAsync(async ctx => await Payload.Attempt(() =>
            {
                var input = ctx.GetArgument<DecideConsentInput>("input");
                var visitor = ConsentInputs.ParseVisitorId(input.VisitorId);
                var context = DecisionContext.Check(input.PolicyVersion, input.BannerVersion, input.FrontEnd);
                var choices = input.Choices.Select(c => new PurposeChoice(c.Purpose, c.Granted)).ToList();
                return Retrying(ctx, desk => desk.DecideAsync(new ConsentSubject(visitor, CurrentUser.Id(ctx.User)), choices, context, ctx.CancellationToken));
            }));

        mutation.Field<NonNullGraphType<ConsentDecisionPayloadType>>("withdrawConsent")
            .Description("Withdraws consent, effective immediately: as easy as giving it (P5). Names purposes, or none for all. Withdraws the caller's own consent (a signed-in person's account, else the device's anonymous visitor), and with a visitor id also the device's anonymous consent, whoever the device belongs to. The refusal is remembered like any other (the banner stays away for the refusal memory). Succeeds with a null `record` when nothing in force changed. Errors: `INVALID_VISITOR_ID`, `VISITOR_REQUIRED`, `PURPOSE_NOT_ASKED`, `INVALID_FRONT_END`, `USER_NOT_FOUND`, `CONCURRENT_DECISIONS`.")
            .Argument<NonNullGraphType<WithdrawConsentInputType>>("input")
            .AllowAnyone()
            .GrantsResult()
            .RateLimited(RateLimitPolicy.ConsentProofs)
            .ResolveAsync(async ctx => await Payload.Attempt(() =>
            {
                var input = ctx.GetArgument<WithdrawConsentInput>("input");
                var visitor = ConsentInputs.ParseVisitorId(input.VisitorId);
                Domain.Common.Rule.Check(input.Purposes?.Contains(ConsentPurpose.Necessary) != true, "PURPOSE_NOT_ASKED",
                    "Strictly necessary cookies need no consent: NECESSARY cannot be withdrawn.", "purposes");
                var frontEnd = DecisionContext.CheckFrontEnd(input.FrontEnd);
                return Retrying(ctx, desk => desk.WithdrawAsync(new ConsentSubject(visitor, CurrentUser.Id(ctx.User)), input.Purposes, frontEnd, ctx.CancellationToken));
            }));

        mutation.Field<NonNullGraphType<ConsentDecisionPayloadType>>("attachVisitor")
            .Description("After sign-in (role `user`): the device joins the signed-in account, with what was decided and recorded anonymously on it (consent periods, proofs, navigation). When both have a current period, the one deposited last stays. A device is attached to one account only: on a device of another account nothing moves (`VISITOR_OF_ANOTHER_ACCOUNT`) and the person's own consent applies while signed in. `signUp` does this itself when given the visitor id. Errors: `INVALID_VISITOR_ID`, `UNKNOWN_VISITOR_ID`, `VISITOR_OF_ANOTHER_ACCOUNT`, `USER_NOT_FOUND`, `CONCURRENT_DECISIONS`.")
            .Argument<NonNullGraphType<AttachVisitorInputType>>("input")
            .Allow(Roles.User)
            .ResolveAsync(async ctx => await Payload.Attempt(() =>
            {
                var input = ctx.GetArgument<AttachVisitorInput>("input");
                var visitor = ConsentInputs.ParseVisitorId(input.VisitorId)
                    ?? throw new Domain.Common.RuleViolation("INVALID_VISITOR_ID", "A visitor id is the UUID `decideConsent` returned.", "visitorId");
                return Retrying(ctx, desk => desk.AttachVisitorAsync(visitor, CurrentUser.Id(ctx.User)!.Value, ctx.CancellationToken));
            }));
    }

    /// <summary>
    /// Two decisions racing on one device or account: the loser starts again on fresh data, so
    /// nothing is lost and the chain does not fork. An account erased meanwhile is USER_NOT_FOUND.
    /// </summary>
    private static async Task<Payload<ConsentOutcome>> Retrying(IResolveFieldContext ctx, Func<ConsentDesk, Task<ConsentOutcome>> work)
    {
        for (var attempt = 1; ; attempt++)
        {
            await using var db = await ctx.Db();
            try
            {
                return Payload<ConsentOutcome>.Ok(await work(db.Desk(ctx.RequestServices!)));
            }
            catch (Exception e) when (IsRace(e))
            {
                if (attempt == Attempts)
                    return Payload<ConsentOutcome>.Fail(new ConflictError("CONCURRENT_DECISIONS", "Other decisions for this device or account were being recorded at the same moment: send yours again.", null));
            }
            catch (Exception e) when (Is(e, PostgresErrorCodes.ForeignKeyViolation))
            {
                throw new UserMustExistRule().Violation();
            }
        }
    }

    private static bool IsRace(Exception e) =>
        e is DbUpdateConcurrencyException || Is(e, PostgresErrorCodes.UniqueViolation) || Is(e, PostgresErrorCodes.SerializationFailure);

    private static bool Is(Exception e, string sqlState) =>
        e is PostgresException p && p.SqlState == sqlState || e.InnerException is PostgresException i && i.SqlState == sqlState;
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

public sealed class ConsentDecisionPayloadType : ObjectGraphType<Payload<ConsentOutcome>>
{
    public ConsentDecisionPayloadType()
    {
        Name = "ConsentDecisionPayload";
        Description = "The answer of a consent mutation: the visitor id to keep in the consent cookie, the status now, the proof written, or the typed errors that prevented it.";
        Field<IdGraphType>("visitorId").Description("The device's visitor id to store in the consent cookie (new on an anonymous first visit); null for a signed-in decision made without one.").Resolve(ctx => ctx.Source.Result?.VisitorId);
        Field<ConsentStatusType>("status").Description("The consent status after the mutation. Null when `errors` is not empty.").Resolve(ctx => ctx.Source.Result?.Status);
        Field<ConsentRecordType>("record").Description("The proof of consent written, with its signed `receipt`; null when nothing changed (a repeated decision, nothing in force to withdraw) and for `attachVisitor`.").Resolve(ctx => ctx.Source.Result?.Record);
        Field<NonNullGraphType<ListGraphType<NonNullGraphType<UserErrorInterface>>>>("errors")
            .Description("Why the mutation did nothing; empty on success.").Resolve(ctx => ctx.Source.Errors);
        this.AllowAnyone();
    }
}
