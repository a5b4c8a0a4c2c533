using GraphQL.Types;
using Imail.Api.Auth;
using Imail.Api.GraphQL;
using Imail.Domain.Consents;
using Imail.Domain.Policies;

namespace Imail.Api.Consents;

public sealed record PurposeChoiceInput(ConsentPurpose Purpose, bool Granted);

public sealed record DecideConsentInput(string? VisitorId, List<PurposeChoiceInput> Choices, string PolicyVersion, string BannerVersion, string FrontEnd);

public sealed record WithdrawConsentInput(string? VisitorId, List<ConsentPurpose>? Purposes, string FrontEnd);

public sealed record AttachVisitorInput(string VisitorId);

public sealed class ConsentMutations(ConsentRules rules, ReceiptSigner signer, ReceiptController controller, TimeProvider clock) : IMutationFields
{
    private readonly PayloadGraph<ConsentOutcome> _decision = new("ConsentDecisionPayload",
        "The answer of a consent mutation: the visitor id to keep in the consent cookie, the status now, the proof written, or the typed errors that prevented it.", p => p
            .Result<IdGraphType>("visitorId", "The device's visitor id to store in the consent cookie (new on an anonymous first visit); null for a signed-in decision made without one.", o => o.VisitorId)
            .Result<ConsentStatusType>("status", "The consent status after the mutation. Null when `errors` is not empty.", o => o.Status)
            .Result<ConsentRecordType>("record", "The proof of consent written, with its signed `receipt`; null when nothing changed (a repeated decision, nothing in force to withdraw) and for `attachVisitor`.", o => o.Record));

    public void AddTo(MutationType mutation)
    {
        mutation.Mutation<DecideConsentInputType, DecideConsentInput, ConsentOutcome>("decideConsent", _decision,
            "Records the banner's answers, one per purpose (P5), for the caller: a signed-in person's own account, else the anonymous visitor of the device whose visitor id is sent (or a new device on a first visit). Inside a valid period it changes answers but never the expiry; when the banner had to be shown (never asked, expired, refusal remembered long enough) it opens a new 13-month period and must answer every purpose. A signed-in person's device that is theirs or nobody's joins their account first. A decision that changes nothing writes no proof (`record` is null). Returns a signed receipt.",
            ["INVALID_VISITOR_ID", "UNKNOWN_VISITOR_ID (an id Imail did not issue: decide without one to get a new one)", "MISSING_PURPOSE_DECISION", "PURPOSE_NOT_ASKED", "DUPLICATE_PURPOSE",
             "INVALID_POLICY_VERSION", "UNKNOWN_POLICY_VERSION (not a published version: see policyVersions)", "INVALID_BANNER_VERSION", "INVALID_FRONT_END",
             "POLICY_ACCEPTANCE_REQUIRED (a purpose granted is allowed only by a version that does not govern the caller yet)", "USER_NOT_FOUND", "CONCURRENT_DECISIONS"],
            async m =>
            {
                var choices = m.Input.Choices.Select(c => new PurposeChoice(c.Purpose, c.Granted)).ToList();
                var context = DecisionContext.Check(m.Input.PolicyVersion, m.Input.BannerVersion, m.Input.FrontEnd);
                // P13: the banner links to a published version, and grants only what the version governing the caller allows.
                var governance = await new PolicyBook(await m.DbAsync(), clock).GovernanceAsync(m.UserId, m.Cancellation);
                governance.RequirePublished(context.PolicyVersion, "policyVersion");
                governance.RequireAllowed(choices.Where(c => c.Granted).Select(c => c.Purpose));
                return await (await DeskAsync(m)).DecideAsync(Subject(m, m.Input.VisitorId), choices, context, m.Cancellation);
            }, retryRaces: true)
            .AllowAnyone()
            .GrantsResult()
            .RateLimited(RateLimitPolicy.ConsentProofs);

        mutation.Mutation<WithdrawConsentInputType, WithdrawConsentInput, ConsentOutcome>("withdrawConsent", _decision,
            "Withdraws consent, effective immediately: as easy as giving it (P5). Names purposes, or none for all. Withdraws the caller's own consent (a signed-in person's account, else the device's anonymous visitor), and with a visitor id also the device's anonymous consent, whoever the device belongs to. The refusal is remembered like any other (the banner stays away for the refusal memory). Succeeds with a null `record` when nothing in force changed.",
            ["INVALID_VISITOR_ID", "VISITOR_REQUIRED", "PURPOSE_NOT_ASKED", "INVALID_FRONT_END", "USER_NOT_FOUND", "CONCURRENT_DECISIONS"],
            async m =>
            {
                var subject = Subject(m, m.Input.VisitorId);
                var purposes = ConsentPurposes.Withdrawable(m.Input.Purposes);
                var frontEnd = DecisionContext.CheckFrontEnd(m.Input.FrontEnd);
                return await (await DeskAsync(m)).WithdrawAsync(subject, purposes, frontEnd, m.Cancellation);
            }, retryRaces: true)
            .AllowAnyone()
            .GrantsResult()
            .RateLimited(RateLimitPolicy.ConsentProofs);

        mutation.Mutation<AttachVisitorInputType, AttachVisitorInput, ConsentOutcome>("attachVisitor", _decision,
            "After sign-in (role `user`): the device joins the signed-in account, with what was decided and recorded anonymously on it (consent periods, proofs, navigation). When both have a current period, the one deposited last stays. A device is attached to one account only: on a device of another account nothing moves (`VISITOR_OF_ANOTHER_ACCOUNT`) and the person's own consent applies while signed in. `signUp` does this itself when given the visitor id.",
            ["INVALID_VISITOR_ID", "UNKNOWN_VISITOR_ID", "VISITOR_OF_ANOTHER_ACCOUNT", "USER_NOT_FOUND", "CONCURRENT_DECISIONS"],
            async m =>
            {
                var visitor = ConsentInputs.ParseVisitorId(m.Input.VisitorId) ?? throw new InvalidVisitorIdRule().Violation();
                return await (await DeskAsync(m)).AttachVisitorAsync(visitor, m.UserId!.Value, m.Cancellation);
            }, retryRaces: true)
            .Allow(Roles.User);
    }

    private static ConsentSubject Subject<TInput>(MutationContext<TInput> m, string? visitorId) =>
        new(ConsentInputs.ParseVisitorId(visitorId), m.UserId);

    private async Task<ConsentDesk> DeskAsync<TInput>(MutationContext<TInput> m) => new(await m.DbAsync(), rules, signer, controller, clock);
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
        Field(i => i.PolicyVersion).Description("The number of the privacy policy version the banner linked to: a published version (`policyVersions`), e.g. `1.0`.");
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
