using GraphQL.Types;
using Imail.Api.Auth;
using Imail.Api.Consents;
using Imail.Domain.Policies;

namespace Imail.Api.Policies;

public sealed class PolicyVersionStatusType() : EnumType<PolicyVersionStatus>("PolicyVersionStatus", "Where a policy version stands.",
    ("DRAFT", "Being written by staff: seen by staff only, editable."),
    ("PUBLISHED", "Public, immutable, kept for ever (P13)."));

public sealed class PolicyDecisionKindType() : EnumType<PolicyDecisionKind>("PolicyDecisionKind", "A person's answer to a version that lowers privacy.");

public sealed class LocalizedTextType : ObjectGraphType<LocalizedText>
{
    public LocalizedTextType()
    {
        Name = "LocalizedText";
        Description = "A text in each language of the policy: French (binding), Dutch, English. Empty in a draft until written.";
        Field(t => t.Fr).Description("French.");
        Field(t => t.Nl).Description("Dutch.");
        Field(t => t.En).Description("English.");
        this.AllowAnyone();
    }
}

public sealed class ProviderScopeType : ObjectGraphType<ProviderScopeRef>
{
    public ProviderScopeType()
    {
        Name = "ProviderScope";
        Description = "A scope of a connected-account provider (P4), as in `connectedAccountProviders`.";
        Field(s => s.Provider).Description("The provider, e.g. `mastodon`.");
        Field(s => s.Scope).Description("The scope, e.g. `follows`.");
        this.AllowAnyone();
    }
}

public sealed class PolicyVersionType : ObjectGraphType<PolicyVersion>
{
    public PolicyVersionType(TimeProvider clock)
    {
        Name = "PolicyVersion";
        Description = "A version of the privacy policy (P13). Published versions are public, immutable and kept for ever; drafts are seen by staff only.";
        Field(v => v.Number).Description("Its number, e.g. `1.0`: unique.");
        Field(v => v.Status, type: typeof(NonNullGraphType<PolicyVersionStatusType>)).Description("Draft or published.");
        Field(v => v.EffectiveAt).Description("From when it applies.");
        Field<NonNullGraphType<BooleanGraphType>>("inEffect").Description("Published and its effective date has passed.").Resolve(ctx => ctx.Source.IsInEffectAt(clock.GetUtcNow()));
        Field(v => v.PublishedAt, nullable: true).Description("When staff published it; null for a draft.");
        Field(v => v.Substantial).Description("A substantial change: announced to every user and to partners before it takes effect.");
        Field(v => v.LowersPrivacy).Description("It lowers the privacy level: it governs a person who signed up before its effective date only once they accept it (`acceptPolicyVersion`).");
        Field<NonNullGraphType<LocalizedTextType>>("summary").Description("What changed, per language.").Resolve(ctx => ctx.Source.Summary);
        Field<NonNullGraphType<LocalizedTextType>>("text").Description("The full text, per language (the French one is binding).").Resolve(ctx => ctx.Source.Text);
        Field<NonNullGraphType<ListGraphType<NonNullGraphType<ConsentPurposeType>>>>("newlyAllowedPurposes")
            .Description("Consent purposes only this version allows: granting them (`decideConsent`) needs this version to govern the person.")
            .Resolve(ctx => ctx.Source.AllowedPurposes);
        Field<NonNullGraphType<ListGraphType<NonNullGraphType<ProviderScopeType>>>>("newlyAllowedScopes")
            .Description("Connected-account scopes only this version allows: granting them (`connectAccount`) needs this version to govern the person.")
            .Resolve(ctx => ctx.Source.AllowedScopes);
        Field(v => v.CreatedAt).Description("When the draft was started.");
        Field(v => v.UpdatedAt).Description("When it last changed (its publication, for a published version).");
        this.AllowAnyone();
    }
}

public sealed class PolicyVersionConnectionType() : ConnectionType<PolicyVersionType, PolicyVersion>("PolicyVersion");

public sealed class PolicyDecisionType : ObjectGraphType<PolicyDecision>
{
    public PolicyDecisionType()
    {
        Name = "PolicyDecision";
        Description = "Proof of a person's answer to a version lowering privacy (P13). Category `consent_proofs`, erased with the account.";
        Field(d => d.Id, type: typeof(NonNullGraphType<IdGraphType>)).Description("Stable id, in the order answers were given.");
        Field("policyVersion", d => d.PolicyNumber).Description("The version's number.");
        Field(d => d.Decision, type: typeof(NonNullGraphType<PolicyDecisionKindType>)).Description("Accepted or refused.");
        Field(d => d.DecidedAt).Description("When.");
        Field(d => d.FrontEnd, nullable: true).Description("Which front-end the answer came from, if it said.");
        this.Allow(Roles.User, Roles.Staff);
    }
}

/// <summary>What <c>User.policy</c> reads: the person's governance and their answers.</summary>
public sealed record UserPolicy(PolicyGovernance Governance, IReadOnlyList<PolicyDecision> Decisions);

public sealed class UserPolicyType : ObjectGraphType<UserPolicy>
{
    public UserPolicyType()
    {
        Name = "UserPolicy";
        Description = "Which version of the privacy policy governs this person's data (P13), and what waits for their answer.";
        Field<PolicyVersionType>("governingVersion")
            .Description("The version that governs the person's data now: the latest in effect, unless a version lowering privacy took effect that they have not accepted (they signed up before it): then the version before it. Null before any version took effect.")
            .Resolve(ctx => ctx.Source.Governance.Governing);
        Field<PolicyVersionType>("currentVersion")
            .Description("The latest published version in effect, for everyone (`currentPolicyVersion`).")
            .Resolve(ctx => ctx.Source.Governance.Current);
        Field<NonNullGraphType<BooleanGraphType>>("governedByCurrentVersion")
            .Description("Whether the governing version is the current one.")
            .Resolve(ctx => ctx.Source.Governance.Governing == ctx.Source.Governance.Current);
        Field<NonNullGraphType<ListGraphType<NonNullGraphType<PolicyVersionType>>>>("pendingAcceptance")
            .Description("Published versions lowering privacy the person has not accepted (never answered, or refused), in effect or announced, by effective date: ask them with `acceptPolicyVersion` / `refusePolicyVersion`.")
            .Resolve(ctx => ctx.Source.Governance.PendingAcceptance);
        Field<NonNullGraphType<ListGraphType<NonNullGraphType<PolicyDecisionType>>>>("decisions")
            .Description("Every answer the person gave, oldest first (proofs).")
            .Resolve(ctx => ctx.Source.Decisions);
        this.Allow(Roles.User, Roles.Staff);
    }
}
