using System.Text.RegularExpressions;
using Imail.Domain.Common;
using Imail.Domain.ConnectedAccounts;
using Imail.Domain.Consents;
using Imail.Domain.Users;

namespace Imail.Domain.Policies;

public enum PolicyVersionStatus
{
    /// <summary>Being written by staff; seen by staff only, editable.</summary>
    Draft,

    /// <summary>Public, immutable and kept for ever (P13).</summary>
    Published,
}

/// <summary>A text in each language the policy is written in.</summary>
public sealed record LocalizedText(string Fr, string Nl, string En)
{
    public static readonly LocalizedText Empty = new("", "", "");

    public string In(Locale locale) => locale switch
    {
        Locale.Nl => Nl,
        Locale.En => En,
        _ => Fr,
    };

    public bool IsComplete => Fr.Length > 0 && Nl.Length > 0 && En.Length > 0;

    public IEnumerable<Locale> Missing() =>
        Enum.GetValues<Locale>().Where(l => In(l).Length == 0);
}

/// <summary>A connected-account scope (P4) as a policy version names it: a provider of the catalogue and one of its scopes.</summary>
public sealed record ProviderScopeRef(string Provider, string Scope)
{
    /// <summary>Stored as <c>provider:scope</c>: provider names hold no ':', scopes may (<c>write:statuses</c>).</summary>
    public override string ToString() => $"{Provider}:{Scope}";

    public static ProviderScopeRef Parse(string stored)
    {
        var colon = stored.IndexOf(':');
        return new ProviderScopeRef(stored[..colon], stored[(colon + 1)..]);
    }
}

/// <summary>Texts to change, per language; null keeps the language's text as it is.</summary>
public sealed record LocalizedTextChange(string? Fr = null, string? Nl = null, string? En = null);

/// <summary>What a draft says; staff write all of it at once, or only what changes (null keeps).</summary>
public sealed record PolicyVersionChange(
    DateTimeOffset? EffectiveAt = null,
    bool? Substantial = null,
    bool? LowersPrivacy = null,
    LocalizedTextChange? Summary = null,
    LocalizedTextChange? Text = null,
    IReadOnlyCollection<ConsentPurpose>? NewlyAllowedPurposes = null,
    IReadOnlyCollection<ProviderScopeRef>? NewlyAllowedScopes = null);

/// <summary>
/// One version of the privacy policy (P13). Staff draft it, edit it, then publish it: from then on it is
/// public, immutable and kept for ever. A <see cref="Substantial"/> version is announced to every user and to
/// partners before it takes effect; one that <see cref="LowersPrivacy"/> needs each earlier user's acceptance
/// (<see cref="PolicyGovernance"/>), and names what only it allows: consent purposes and connected-account
/// scopes refused to anyone it does not govern.
/// </summary>
public sealed partial class PolicyVersion
{
    public const int NumberMaxLength = 32;
    public const int SummaryMaxLength = 2_000;

    /// <summary>A full text per language. Under the GraphQL transport's 32 KiB string limit, so the typed error is the one a client meets.</summary>
    public const int TextMaxLength = 32_000;

    private PolicyVersion() { }

    public Guid Id { get; private set; }

    /// <summary>E.g. <c>1.0</c>, <c>2027-03</c>: unique, 1 to 32 letters, digits, '.', '_' or '-', starting with a letter or digit.</summary>
    public string Number { get; private set; } = "";

    public PolicyVersionStatus Status { get; private set; }

    /// <summary>From when it governs (P13): the current version is the latest published one in effect.</summary>
    public DateTimeOffset EffectiveAt { get; private set; }

    public bool Substantial { get; private set; }
    public bool LowersPrivacy { get; private set; }

    public string SummaryFr { get; private set; } = "";
    public string SummaryNl { get; private set; } = "";
    public string SummaryEn { get; private set; } = "";
    public string TextFr { get; private set; } = "";
    public string TextNl { get; private set; } = "";
    public string TextEn { get; private set; } = "";

    /// <summary>Codes of the consent purposes (<see cref="ConsentPurposes.Code"/>) only this version permits.</summary>
    public List<string> NewlyAllowedPurposes { get; private set; } = [];

    /// <summary>Connected-account scopes only this version permits, as <c>provider:scope</c>.</summary>
    public List<string> NewlyAllowedScopes { get; private set; } = [];

    public DateTimeOffset CreatedAt { get; private set; }
    public DateTimeOffset UpdatedAt { get; private set; }
    public DateTimeOffset? PublishedAt { get; private set; }

    /// <summary>When <c>policyVersionTakesEffect</c> was queued for partners (the <c>policy-takes-effect</c> job): once per version.</summary>
    public DateTimeOffset? TakesEffectEventAt { get; private set; }

    public LocalizedText Summary => new(SummaryFr, SummaryNl, SummaryEn);
    public LocalizedText Text => new(TextFr, TextNl, TextEn);

    public bool IsPublished => Status == PolicyVersionStatus.Published;

    public bool IsInEffectAt(DateTimeOffset now) => IsPublished && EffectiveAt <= now;

    public IReadOnlyList<ConsentPurpose> AllowedPurposes => NewlyAllowedPurposes.Select(ConsentPurposes.Parse).ToList();

    public IReadOnlyList<ProviderScopeRef> AllowedScopes => NewlyAllowedScopes.Select(ProviderScopeRef.Parse).ToList();

    /// <summary>A new draft; its number must be free (the unique index says so at save: <c>POLICY_NUMBER_TAKEN</c>).</summary>
    public static PolicyVersion Draft(string? number, PolicyVersionChange change, ConnectedAccountProviders providers, DateTimeOffset now)
    {
        var version = new PolicyVersion
        {
            Id = Ids.New(now),
            Number = CheckNumber(number),
            Status = PolicyVersionStatus.Draft,
            CreatedAt = now,
        };
        Rule.Check(change.EffectiveAt is not null, "INVALID_EFFECTIVE_DATE", "A version needs the date it takes effect.", "effectiveAt");
        version.Apply(change, providers, now);
        return version;
    }

    /// <summary>Changes a draft; a published version is refused (<c>POLICY_VERSION_PUBLISHED</c>).</summary>
    public void Edit(PolicyVersionChange change, ConnectedAccountProviders providers, DateTimeOffset now)
    {
        Rule.Check(!IsPublished, new PublishedVersionsAreImmutableRule(Number));
        Apply(change, providers, now);
    }

    /// <summary>
    /// Publishes the draft: every language's summary and text are there; a substantial version is published
    /// before it takes effect, so it can be announced first (P13).
    /// </summary>
    public void Publish(DateTimeOffset now)
    {
        Rule.Check(!IsPublished, new AlreadyPublishedRule(Number));
        var missing = Summary.Missing().Select(l => $"summary.{Code(l)}").Concat(Text.Missing().Select(l => $"text.{Code(l)}")).ToList();
        Rule.Check(missing.Count == 0, "MISSING_TRANSLATION",
            $"A version is published with its summary and full text in fr, nl and en; missing: {string.Join(", ", missing)}.");
        if (Substantial)
            Rule.Check(EffectiveAt > now, new SubstantialChangeIsAnnouncedFirstRule("number"));
        Status = PolicyVersionStatus.Published;
        PublishedAt = now;
        UpdatedAt = now;
    }

    /// <summary>The <c>policy-takes-effect</c> job queued its partner event.</summary>
    public void MarkTakesEffectEventQueued(DateTimeOffset now)
    {
        Rule.Check(IsInEffectAt(now) && TakesEffectEventAt is null, "NOT_DUE", "The version is not in effect, or its event was already queued.");
        TakesEffectEventAt = now;
    }

    private void Apply(PolicyVersionChange change, ConnectedAccountProviders providers, DateTimeOffset now)
    {
        if (change.EffectiveAt is { } effective) EffectiveAt = effective.ToUniversalTime();
        if (change.Substantial is { } substantial) Substantial = substantial;
        if (change.LowersPrivacy is { } lowers) LowersPrivacy = lowers;
        if (change.Summary is { } summary)
            (SummaryFr, SummaryNl, SummaryEn) = (
                summary.Fr is null ? SummaryFr : CheckSummary(summary.Fr, "fr"),
                summary.Nl is null ? SummaryNl : CheckSummary(summary.Nl, "nl"),
                summary.En is null ? SummaryEn : CheckSummary(summary.En, "en"));
        if (change.Text is { } text)
            (TextFr, TextNl, TextEn) = (
                text.Fr is null ? TextFr : FullText(text.Fr, "fr"),
                text.Nl is null ? TextNl : FullText(text.Nl, "nl"),
                text.En is null ? TextEn : FullText(text.En, "en"));
        if (change.NewlyAllowedPurposes is { } purposes)
        {
            Rule.Check(!purposes.Contains(ConsentPurpose.Necessary), "INVALID_NEWLY_ALLOWED_PURPOSE",
                "Strictly necessary cookies need no consent: NECESSARY is allowed by every version.", "newlyAllowedPurposes");
            NewlyAllowedPurposes = purposes.Distinct().Order().Select(p => p.Code()).ToList();
        }
        if (change.NewlyAllowedScopes is { } scopes)
        {
            var checkedScopes = new List<string>();
            foreach (var scope in scopes)
            {
                var provider = providers.Find(scope.Provider);
                Rule.Check(provider?.Scope(scope.Scope?.Trim() ?? "") is not null, "INVALID_NEWLY_ALLOWED_SCOPE",
                    $"{Excerpt.Quote(scope.Scope ?? "")} of {Excerpt.Quote(scope.Provider ?? "")} is not a scope of the provider catalogue; see connectedAccountProviders.", "newlyAllowedScopes");
                checkedScopes.Add(new ProviderScopeRef(provider!.Name, scope.Scope!.Trim()).ToString());
            }
            NewlyAllowedScopes = checkedScopes.Distinct().Order(StringComparer.Ordinal).ToList();
        }
        // What a version newly allows is what each earlier user must accept: only a lowering version can.
        Rule.Check(LowersPrivacy || NewlyAllowedPurposes.Count == 0 && NewlyAllowedScopes.Count == 0, "NEWLY_ALLOWED_WITHOUT_LOWERING",
            "Only a version that lowers privacy (lowersPrivacy: true) may newly allow purposes or scopes.", "lowersPrivacy");
        // P13: a change that lowers privacy is substantial (announced, and accepted by each user).
        Rule.Check(!LowersPrivacy || Substantial, "LOWERING_NOT_SUBSTANTIAL",
            "A version that lowers privacy is a substantial change: set substantial: true.", "substantial");
        if (Substantial)
            Rule.Check(EffectiveAt > now, new SubstantialChangeIsAnnouncedFirstRule("effectiveAt"));
        UpdatedAt = now;
    }

    private static string Code(Locale locale) => locale.ToString().ToLowerInvariant();

    private static string CheckSummary(string? value, string locale) =>
        Common.Text.CheckFreeText(value, SummaryMaxLength, required: false, "INVALID_SUMMARY", $"summary.{locale}", $"The {locale} summary");

    private static string FullText(string? value, string locale) =>
        Common.Text.CheckFreeText(value, TextMaxLength, required: false, "INVALID_TEXT", $"text.{locale}", $"The {locale} text");

    /// <summary>A version number as staff type it: <c>^[0-9A-Za-z][0-9A-Za-z._-]{0,31}$</c>.</summary>
    public static string CheckNumber(string? raw)
    {
        var number = raw?.Trim() ?? "";
        Rule.Check(NumberFormat().IsMatch(number), "INVALID_POLICY_NUMBER",
            $"A version number has 1 to {NumberMaxLength} letters, digits, '.', '_' or '-', and starts with a letter or a digit (e.g. 2.0 or 2027-03).", "number");
        return number;
    }

    [GeneratedRegex("^[0-9A-Za-z][0-9A-Za-z._-]{0,31}$")]
    private static partial Regex NumberFormat();
}

/// <summary>P13: every version is kept as published.</summary>
public sealed record PublishedVersionsAreImmutableRule(string Number) : BusinessRule("POLICY_VERSION_PUBLISHED",
    $"Version {Number} is published: published versions are kept as they are, for ever. Draft a new version instead.", "number", RuleKind.Conflict);

public sealed record AlreadyPublishedRule(string Number) : BusinessRule("ALREADY_PUBLISHED",
    $"Version {Number} is already published.", "number", RuleKind.Conflict);

/// <summary>P13: a substantial change is announced to every user before it takes effect.</summary>
public sealed record SubstantialChangeIsAnnouncedFirstRule(string Field) : BusinessRule("EFFECTIVE_DATE_IN_PAST",
    "A substantial version is announced before it takes effect: its effective date must be in the future.", Field);

/// <summary>The number names no published version (or no version at all, for those who may not see drafts).</summary>
public sealed record UnknownPolicyVersionRule(string Field = "number") : BusinessRule("UNKNOWN_POLICY_VERSION",
    "No published policy version has this number; see policyVersions.", Field, RuleKind.NotFound);
