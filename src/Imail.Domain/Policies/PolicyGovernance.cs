using Imail.Domain.Common;
using Imail.Domain.Consents;

namespace Imail.Domain.Policies;

/// <summary>
/// Which version governs a person's data (P13), written out in <c>docs/policy-versions.md</c>:
/// walk the published versions in effective-date order up to now; a version that does not lower privacy
/// governs from its date; one that lowers privacy governs only the people who accepted it, or who signed
/// up after it took effect (they accepted it at sign-up). The walk stops before the first lowering version
/// the person has not accepted: the previous, more protective version keeps governing.
/// </summary>
public sealed class PolicyGovernance
{
    private readonly IReadOnlyList<PolicyVersion> _published;

    /// <param name="published">Published versions (drafts are ignored), any order.</param>
    /// <param name="accountCreatedAt">When the person signed up; null for an anonymous visitor (governed by the current version).</param>
    /// <param name="latestDecisions">The person's latest answer per version number.</param>
    public PolicyGovernance(IEnumerable<PolicyVersion> published, DateTimeOffset? accountCreatedAt,
        IReadOnlyDictionary<string, PolicyDecisionKind> latestDecisions, DateTimeOffset now)
    {
        _published = published.Where(v => v.IsPublished).OrderBy(v => v.EffectiveAt).ThenBy(v => v.Id).ToList();
        Now = now;
        AccountCreatedAt = accountCreatedAt;
        Decisions = latestDecisions;
        var chain = new List<PolicyVersion>();
        foreach (var version in _published.Where(v => v.EffectiveAt <= now))
        {
            if (!Governs(version)) break;
            chain.Add(version);
        }
        Chain = chain;
    }

    public DateTimeOffset Now { get; }
    public DateTimeOffset? AccountCreatedAt { get; }
    public IReadOnlyDictionary<string, PolicyDecisionKind> Decisions { get; }

    /// <summary>The versions in effect that govern the person, oldest first; the last one is the governing version.</summary>
    public IReadOnlyList<PolicyVersion> Chain { get; }

    /// <summary>The version that governs the person's data now; null before any version took effect.</summary>
    public PolicyVersion? Governing => Chain.Count > 0 ? Chain[^1] : null;

    /// <summary>
    /// The published version numbered <paramref name="number"/> (trimmed), or <c>UNKNOWN_POLICY_VERSION</c> naming
    /// <paramref name="field"/>: the check <see cref="PolicyBook.PublishedAsync"/> makes, on the versions already read.
    /// </summary>
    public PolicyVersion RequirePublished(string? number, string field)
    {
        var key = number?.Trim() ?? "";
        return _published.FirstOrDefault(v => v.Number == key) ?? throw new UnknownPolicyVersionRule(field).Violation();
    }

    /// <summary>The latest published version in effect, whoever asks.</summary>
    public PolicyVersion? Current => _published.LastOrDefault(v => v.EffectiveAt <= Now);

    /// <summary>Published versions lowering privacy that wait for the person's acceptance (in effect or announced), by effective date.</summary>
    public IReadOnlyList<PolicyVersion> PendingAcceptance =>
        _published.Where(v => NeedsAcceptance(v) && !Accepted(v)).ToList();

    /// <summary>Whether the person must accept the version before it governs them: it lowers privacy and they signed up before it took effect.</summary>
    public bool NeedsAcceptance(PolicyVersion version) =>
        version.LowersPrivacy && AccountCreatedAt is { } created && created < version.EffectiveAt;

    private bool Accepted(PolicyVersion version) =>
        Decisions.TryGetValue(version.Number, out var decision) && decision == PolicyDecisionKind.Accepted;

    private bool Governs(PolicyVersion version) => !NeedsAcceptance(version) || Accepted(version);

    /// <summary>
    /// The version that must govern the person before they may grant <paramref name="purpose"/>: the first
    /// published version that newly allows it, unless the governing chain includes it. Null when allowed.
    /// </summary>
    public PolicyVersion? RequiredFor(ConsentPurpose purpose) =>
        Required(v => v.NewlyAllowedPurposes.Contains(purpose.Code()));

    /// <summary>As <see cref="RequiredFor(ConsentPurpose)"/>, for a connected-account scope.</summary>
    public PolicyVersion? RequiredFor(ProviderScopeRef scope) =>
        Required(v => v.NewlyAllowedScopes.Contains(scope.ToString()));

    private PolicyVersion? Required(Func<PolicyVersion, bool> allows)
    {
        var first = _published.FirstOrDefault(allows);
        return first is null || Chain.Contains(first) ? null : first;
    }

    /// <summary>Refuses what the governing version does not allow yet (<c>POLICY_ACCEPTANCE_REQUIRED</c>).</summary>
    public void RequireAllowed(IEnumerable<ConsentPurpose> granted)
    {
        foreach (var purpose in granted)
            if (RequiredFor(purpose) is { } version) throw new PolicyAcceptanceRequiredRule(version, $"the purpose {purpose.Code()}").Violation();
    }

    public void RequireAllowed(IEnumerable<ProviderScopeRef> granted)
    {
        foreach (var scope in granted)
            if (RequiredFor(scope) is { } version) throw new PolicyAcceptanceRequiredRule(version, $"the scope {scope}").Violation();
    }
}

/// <summary>P13: what only a version lowering privacy allows waits for the person's acceptance of it (or for it to take effect).</summary>
public sealed record PolicyAcceptanceRequiredRule(PolicyVersion Version, string What) : BusinessRule("POLICY_ACCEPTANCE_REQUIRED",
    $"Version {Version.Number} of the privacy policy allows {What}; it does not govern this account yet (accept it first with acceptPolicyVersion, or wait for it to take effect on {Version.EffectiveAt:yyyy-MM-dd HH:mm}Z).",
    null, RuleKind.Forbidden);
