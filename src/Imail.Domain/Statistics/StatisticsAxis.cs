using Imail.Domain.Common;
using Imail.Domain.ConnectedAccounts;
using Imail.Domain.Consents;

namespace Imail.Domain.Statistics;

/// <summary>What people can be counted by (P3): fixed and coarse; every one gives each person exactly one value.</summary>
public enum StatisticsDimension
{
    /// <summary>The country the person gave (ISO 3166-1 alpha-2), <c>none</c> when they gave none.</summary>
    Country,

    /// <summary>The language Imail writes to them in: <c>fr</c>, <c>nl</c>, <c>en</c>.</summary>
    Locale,

    /// <summary>The calendar month (UTC) of sign-up: <c>2026-03</c>.</summary>
    SignUpMonth,

    /// <summary>Time since the last sign-in (or sign-up): <c>within-30-days</c>, <c>within-90-days</c>, <c>within-a-year</c>, <c>over-a-year</c>.</summary>
    Activity,

    /// <summary>The account's current answer for one purpose: <c>granted</c>, <c>refused</c>, <c>none</c> (no answer running).</summary>
    Consent,

    /// <summary>Whether the account has connected one provider: <c>connected</c>, <c>not-connected</c>.</summary>
    ConnectedAccount,

    /// <summary>Whether a connected account of one provider granted one scope: <c>granted</c>, <c>not-granted</c>.</summary>
    GrantedScope,

    /// <summary>The account's latest answer to one policy version: <c>accepted</c>, <c>refused</c>, <c>none</c>.</summary>
    PolicyDecision,
}

/// <summary>One axis of a statistics question: a dimension and, for those that need one, what it is about.</summary>
public sealed record StatisticsAxis(StatisticsDimension Dimension, ConsentPurpose? Purpose = null, string? Provider = null, string? Scope = null, string? PolicyVersion = null)
{
    /// <summary>The bands of <see cref="StatisticsDimension.Activity"/>: value, and the time since the last sign-in it ends before.</summary>
    public static readonly IReadOnlyList<(string Value, TimeSpan Before)> ActivityBands =
    [
        ("within-30-days", TimeSpan.FromDays(30)),
        ("within-90-days", TimeSpan.FromDays(90)),
        ("within-a-year", TimeSpan.FromDays(365)),
    ];

    public const string OverAYear = "over-a-year";

    /// <summary>The dimension's name as the schema spells it (<c>SIGN_UP_MONTH</c>).</summary>
    public static string Name(StatisticsDimension dimension) => string.Concat(dimension.ToString().Select((c, i) => i > 0 && char.IsUpper(c) ? "_" + c : c.ToString())).ToUpperInvariant();

    /// <summary>The axis in one stable string: <c>COUNTRY</c>, <c>CONSENT(statistics)</c>, <c>GRANTED_SCOPE(mastodon:email)</c>. The request log and the cycle rule use it.</summary>
    public string Key => Dimension switch
    {
        StatisticsDimension.Consent => $"{Name(Dimension)}({Purpose!.Value.Code()})",
        StatisticsDimension.ConnectedAccount => $"{Name(Dimension)}({Provider})",
        StatisticsDimension.GrantedScope => $"{Name(Dimension)}({Provider}:{Scope})",
        StatisticsDimension.PolicyDecision => $"{Name(Dimension)}({PolicyVersion})",
        _ => Name(Dimension),
    };

    public override string ToString() => Key;

    /// <summary>
    /// An axis as a client sent it, checked: the arguments its dimension needs and no other, a purpose that is asked,
    /// a provider and scope of the catalogue, a published policy version. <c>INVALID_STATISTICS_AXIS</c> names the field.
    /// </summary>
    public static StatisticsAxis Check(StatisticsDimension dimension, ConsentPurpose? purpose, string? provider, string? scope, string? policyVersion,
        IReadOnlyList<ProviderDescription> providers, IReadOnlyCollection<string> publishedVersions, string field)
    {
        var needs = dimension switch
        {
            StatisticsDimension.Consent => new[] { "purpose" },
            StatisticsDimension.ConnectedAccount => ["provider"],
            StatisticsDimension.GrantedScope => ["provider", "scope"],
            StatisticsDimension.PolicyDecision => ["policyVersion"],
            _ => [],
        };
        var given = new (string Name, bool Given)[] { ("purpose", purpose is not null), ("provider", provider is not null), ("scope", scope is not null), ("policyVersion", policyVersion is not null) };
        foreach (var (name, isGiven) in given)
        {
            if (isGiven && !needs.Contains(name))
                throw Invalid($"{Name(dimension)} takes no {name}{(needs.Length == 0 ? "" : $"; it takes {string.Join(" and ", needs)}")}.", $"{field}.{name}");
            if (!isGiven && needs.Contains(name))
                throw Invalid($"{Name(dimension)} needs {string.Join(" and ", needs)}: which one to count by.", $"{field}.{name}");
        }
        if (purpose is { } p && !ConsentPurposes.Asked.Contains(p))
            throw Invalid($"{p.Code()} is not a purpose consent is asked for; use one of {string.Join(", ", ConsentPurposes.Asked.Select(a => a.Code()))}.", $"{field}.purpose");
        ProviderDescription? known = null;
        if (provider is not null)
        {
            var name = provider.Trim().ToLowerInvariant();
            known = providers.FirstOrDefault(d => d.Name == name)
                ?? throw Invalid($"{Excerpt.Quote(provider)} is not a provider Imail knows; use one of {string.Join(", ", providers.Select(d => d.Name))}.", $"{field}.provider");
            provider = known.Name;
        }
        if (scope is not null)
        {
            var name = scope.Trim();
            scope = known!.Scope(name)?.Name
                ?? throw Invalid($"{Excerpt.Quote(scope)} is not a scope of {known.Name}; use one of {string.Join(", ", known.Scopes.Select(s => s.Name))}.", $"{field}.scope");
        }
        if (policyVersion is not null)
        {
            var number = policyVersion.Trim();
            policyVersion = publishedVersions.Contains(number) ? number
                : throw Invalid($"{Excerpt.Quote(policyVersion)} is not a published version of the privacy policy.", $"{field}.policyVersion");
        }
        return new StatisticsAxis(dimension, purpose, provider, scope, policyVersion);
    }

    private static RuleViolation Invalid(string message, string field) => new("INVALID_STATISTICS_AXIS", message, field);

    /// <summary>
    /// Pairs whose values imply each other for some people (a structural zero: nobody who signed up this month has been
    /// away a year). A known empty cell helps subtraction, so such pairs are not crossed; each can still be asked alone.
    /// </summary>
    public static string? Linked(StatisticsAxis a, StatisticsAxis b)
    {
        bool Is(StatisticsDimension x, StatisticsDimension y) => (a.Dimension == x && b.Dimension == y) || (a.Dimension == y && b.Dimension == x);
        if (Is(StatisticsDimension.SignUpMonth, StatisticsDimension.Activity))
            return "the sign-up month bounds the activity band (who signed up this month signed in within 30 days)";
        if (Is(StatisticsDimension.SignUpMonth, StatisticsDimension.PolicyDecision))
            return "the sign-up month decides whether a person was asked about a version at all (who signed up after it took effect accepted it by signing up)";
        if (Is(StatisticsDimension.ConnectedAccount, StatisticsDimension.GrantedScope) && a.Provider == b.Provider)
            return "a scope of a provider is granted only through a connected account of that provider";
        return null;
    }
}
