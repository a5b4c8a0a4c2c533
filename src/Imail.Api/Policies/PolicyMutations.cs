using GraphQL.Types;
using Imail.Api.Auth;
using Imail.Api.Consents;
using Imail.Api.GraphQL;
using Imail.Domain.ConnectedAccounts;
using Imail.Domain.Consents;
using Imail.Domain.Policies;
using Microsoft.Extensions.Options;

namespace Imail.Api.Policies;

public sealed record LocalizedTextInput(string? Fr, string? Nl, string? En);

public sealed record ProviderScopeInput(string Provider, string Scope);

public sealed record DraftPolicyVersionInput(
    string Number, DateTimeOffset? EffectiveAt, bool? Substantial, bool? LowersPrivacy, LocalizedTextInput? Summary, LocalizedTextInput? Text,
    List<ConsentPurpose>? NewlyAllowedPurposes, List<ProviderScopeInput>? NewlyAllowedScopes);

public sealed record PolicyVersionNumberInput(string Number);

public sealed record PolicyDecisionInput(string Number, string? FrontEnd);

/// <summary>Staff write and publish versions of the policy; a person answers a version that lowers privacy (P13).</summary>
public sealed class PolicyMutations(TimeProvider clock, IOptions<ConnectedAccountProviders> providers, IOptions<PolicyOptions> options) : IMutationFields
{
    private static readonly string[] DraftErrors =
    [
        "INVALID_POLICY_NUMBER", "INVALID_EFFECTIVE_DATE", "EFFECTIVE_DATE_IN_PAST (a substantial version takes effect after it is announced)",
        "INVALID_SUMMARY (over 2000 characters, or control characters)", "INVALID_TEXT (over 32000 characters, or control characters)",
        "INVALID_NEWLY_ALLOWED_PURPOSE", "INVALID_NEWLY_ALLOWED_SCOPE", "NEWLY_ALLOWED_WITHOUT_LOWERING", "LOWERING_NOT_SUBSTANTIAL",
    ];

    public void AddTo(MutationType mutation)
    {
        var versionPayload = PayloadGraph<PolicyVersion>.Of<PolicyVersionType>("PolicyVersionPayload", "policyVersion", "The version as now stored.");

        mutation.Mutation<DraftPolicyVersionInputType, DraftPolicyVersionInput, PolicyVersion>("draftPolicyVersion", versionPayload,
            "Starts a draft of a new version of the privacy policy (staff). Nothing is public or sent until `publishPolicyVersion`.",
            [.. DraftErrors, "POLICY_NUMBER_TAKEN"],
            async m => await new PolicyBook(await m.DbAsync(), clock).DraftAsync(m.Input.Number, Change(m.Input), providers.Value, m.Cancellation),
            onUniqueViolation: new Conflict("POLICY_NUMBER_TAKEN", "A version with this number already exists.", "number"))
            .Allow(Roles.Staff);

        mutation.Mutation<EditPolicyVersionInputType, DraftPolicyVersionInput, PolicyVersion>("editPolicyVersion", versionPayload,
            "Changes a draft (staff): the fields given replace what it said, those omitted (or null) stay. Published versions never change.",
            [.. DraftErrors, "UNKNOWN_POLICY_VERSION", "POLICY_VERSION_PUBLISHED (published versions are immutable)"],
            async m => await new PolicyBook(await m.DbAsync(), clock).EditAsync(m.Input.Number, Change(m.Input), providers.Value, m.Cancellation))
            .Allow(Roles.Staff);

        mutation.Mutation<PolicyVersionNumberInputType, PolicyVersionNumberInput, Publication>("publishPolicyVersion",
            new PayloadGraph<Publication>("PublishPolicyVersionPayload",
                "The answer of `publishPolicyVersion`: the published version and how many announcements were queued, or the typed errors that prevented it.", p => p
                    .Result<PolicyVersionType>("policyVersion", "The version, now public and immutable. Null when `errors` is not empty.", r => r.Version)
                    .Result<NonNullGraphType<IntGraphType>>("announcementsQueued", "Announcement e-mails queued: one per user for a substantial version, none otherwise. 0 when `errors` is not empty.", r => r.Announced, whenFailed: 0)),
            "Publishes a draft (staff): from now on it is public and immutable, and kept for ever. In the same transaction, a substantial version queues one announcement e-mail per user, in their language, and every version the partner event `policyVersionPublished`; a non-substantial one is published without announcement.",
            ["UNKNOWN_POLICY_VERSION", "ALREADY_PUBLISHED", "MISSING_TRANSLATION (summary and text are needed in fr, nl and en)", "EFFECTIVE_DATE_IN_PAST (a substantial version is announced before it takes effect)"],
            async m => await new PolicyBook(await m.DbAsync(), clock).PublishAsync(m.Input.Number, options.Value, m.Cancellation))
            .Allow(Roles.Staff);

        var decisionPayload = new PayloadGraph<PolicyDecision>("PolicyDecisionPayload",
            "The answer of `acceptPolicyVersion` and `refusePolicyVersion`: the proof written, or the typed errors that prevented it.", p => p
                .Result<PolicyDecisionType>("decision", "The proof of the answer. Null when `errors` is not empty.", d => d));
        string[] decisionErrors =
        [
            "UNKNOWN_POLICY_VERSION (no published version has this number)", "ACCEPTANCE_NOT_NEEDED (the version does not lower privacy)",
            "ACCEPTED_AT_SIGN_UP (the account was created after it took effect)", "INVALID_FRONT_END", "USER_NOT_FOUND",
        ];

        mutation.Mutation<PolicyDecisionInputType, PolicyDecisionInput, PolicyDecision>("acceptPolicyVersion", decisionPayload,
            "The signed-in person accepts a version that lowers privacy (P13): from its effective date it governs their data, and what it newly allows (purposes, scopes) may be granted. Kept as proof.",
            decisionErrors,
            async m => await new PolicyBook(await m.DbAsync(), clock).DecideAsync(await m.CallerIdAsync(), m.Input.Number, PolicyDecisionKind.Accepted, m.Input.FrontEnd, m.Cancellation))
            .Allow(Roles.User)
            .RateLimited(RateLimitPolicy.ConsentProofs);

        mutation.Mutation<PolicyDecisionInputType, PolicyDecisionInput, PolicyDecision>("refusePolicyVersion", decisionPayload,
            "The signed-in person refuses a version that lowers privacy (P13), or withdraws an acceptance: the previous, more protective version keeps governing their data. Kept as proof.",
            decisionErrors,
            async m => await new PolicyBook(await m.DbAsync(), clock).DecideAsync(await m.CallerIdAsync(), m.Input.Number, PolicyDecisionKind.Refused, m.Input.FrontEnd, m.Cancellation))
            .Allow(Roles.User)
            .RateLimited(RateLimitPolicy.ConsentProofs);
    }

    private static PolicyVersionChange Change(DraftPolicyVersionInput input) => new(
        input.EffectiveAt, input.Substantial, input.LowersPrivacy,
        input.Summary is { } s ? new LocalizedTextChange(s.Fr, s.Nl, s.En) : null,
        input.Text is { } t ? new LocalizedTextChange(t.Fr, t.Nl, t.En) : null,
        input.NewlyAllowedPurposes,
        input.NewlyAllowedScopes?.Select(s => new ProviderScopeRef(s.Provider, s.Scope)).ToList());
}

public sealed class LocalizedTextInputType : InputObjectGraphType<LocalizedTextInput>
{
    public LocalizedTextInputType()
    {
        Name = "LocalizedTextInput";
        Description = "A text per language; a language omitted (or null) keeps what it said.";
        Field(i => i.Fr, nullable: true).Description("French (binding).");
        Field(i => i.Nl, nullable: true).Description("Dutch.");
        Field(i => i.En, nullable: true).Description("English.");
    }
}

public sealed class ProviderScopeInputType : InputObjectGraphType<ProviderScopeInput>
{
    public ProviderScopeInputType()
    {
        Name = "ProviderScopeInput";
        Description = "A scope of the provider catalogue (`connectedAccountProviders`).";
        Field(i => i.Provider).Description("The provider, e.g. `mastodon`.");
        Field(i => i.Scope).Description("One of its scopes, e.g. `follows`.");
    }
}

public abstract class PolicyVersionInputType : InputObjectGraphType<DraftPolicyVersionInput>
{
    protected PolicyVersionInputType(string name, string description, bool draft)
    {
        Name = name;
        Description = description;
        Field(i => i.Number).Description(draft
            ? $"The new version's number: 1 to {PolicyVersion.NumberMaxLength} letters, digits, '.', '_' or '-', starting with a letter or digit (e.g. `2.0`). Unique."
            : "The draft's number.");
        Field(i => i.EffectiveAt, type: draft ? typeof(NonNullGraphType<DateTimeOffsetGraphType>) : typeof(DateTimeOffsetGraphType))
            .Description("From when it applies; in the future for a substantial version (it is announced first).");
        Field(i => i.Substantial, type: draft ? typeof(NonNullGraphType<BooleanGraphType>) : typeof(BooleanGraphType)).Description("A substantial change: announced to every user and to partners.");
        Field(i => i.LowersPrivacy, type: draft ? typeof(NonNullGraphType<BooleanGraphType>) : typeof(BooleanGraphType)).Description("It lowers the privacy level: each earlier user must accept it. Implies substantial.");
        Field(i => i.Summary, type: typeof(LocalizedTextInputType)).Description($"What changed, per language: at most {PolicyVersion.SummaryMaxLength} characters each; all three are needed to publish.");
        Field(i => i.Text, type: typeof(LocalizedTextInputType)).Description($"The full text, per language: at most {PolicyVersion.TextMaxLength} characters each; all three are needed to publish.");
        Field(i => i.NewlyAllowedPurposes, type: typeof(ListGraphType<NonNullGraphType<ConsentPurposeType>>))
            .Description("For a version lowering privacy: consent purposes only it allows.");
        Field(i => i.NewlyAllowedScopes, type: typeof(ListGraphType<NonNullGraphType<ProviderScopeInputType>>))
            .Description("For a version lowering privacy: connected-account scopes only it allows.");
    }
}

public sealed class DraftPolicyVersionInputType() : PolicyVersionInputType("DraftPolicyVersionInput", "A new version of the privacy policy.", draft: true);

public sealed class EditPolicyVersionInputType() : PolicyVersionInputType("EditPolicyVersionInput", "What changes in a draft; omitted fields stay.", draft: false);

public sealed class PolicyVersionNumberInputType : InputObjectGraphType<PolicyVersionNumberInput>
{
    public PolicyVersionNumberInputType()
    {
        Name = "PublishPolicyVersionInput";
        Description = "Which draft to publish.";
        Field(i => i.Number).Description("The draft's number.");
    }
}

public sealed class PolicyDecisionInputType : InputObjectGraphType<PolicyDecisionInput>
{
    public PolicyDecisionInputType()
    {
        Name = "PolicyDecisionInput";
        Description = "Which version the person answers, from where.";
        Field(i => i.Number).Description("The version's number (a published version that lowers privacy).");
        Field(i => i.FrontEnd, nullable: true).Description("Which front-end asked, e.g. `www.imail.example` (1 to 100 characters).");
    }
}
