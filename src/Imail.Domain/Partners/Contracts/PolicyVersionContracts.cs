using Imail.Domain.Policies;
using Mapster;

namespace Imail.Domain.Partners.Contracts;

/// <summary>A text in each language of the policy, as partners receive it.</summary>
public sealed record LocalizedTextData(string Fr, string Nl, string En);

/// <summary>A connected-account scope only a version allows.</summary>
public sealed record ProviderScopeData(string Provider, string Scope);

/// <summary>
/// <c>policyVersionPublished</c> (contract version 1): a version of the privacy policy was published (P13).
/// Substantial ones are published before they take effect, so partners hear of them in advance.
/// </summary>
public sealed record PolicyVersionPublishedData
{
    public string Number { get; init; } = "";
    public DateTimeOffset EffectiveAt { get; init; }
    public DateTimeOffset PublishedAt { get; init; }
    public bool Substantial { get; init; }

    /// <summary>Each earlier user must accept it before it governs their data.</summary>
    public bool LowersPrivacy { get; init; }

    public LocalizedTextData Summary { get; init; } = new("", "", "");

    /// <summary>Consent purposes (codes such as <c>personalisation</c>) only this version allows.</summary>
    public IReadOnlyList<string> NewlyAllowedPurposes { get; init; } = [];

    public IReadOnlyList<ProviderScopeData> NewlyAllowedScopes { get; init; } = [];
}

/// <summary>
/// <c>policyVersionTakesEffect</c> (contract version 1): a published version's effective date has passed; it is
/// the current version from now on (for a lowering version, for the users who accepted it or signed up since).
/// </summary>
public sealed record PolicyVersionTakesEffectData
{
    public string Number { get; init; } = "";
    public DateTimeOffset EffectiveAt { get; init; }
    public bool Substantial { get; init; }
    public bool LowersPrivacy { get; init; }
}

/// <summary>The domain's versions mapped to the partners' contract, declared once (Mapster).</summary>
public static class PolicyContracts
{
    public static readonly TypeAdapterConfig Config = Create();

    private static TypeAdapterConfig Create()
    {
        var config = new TypeAdapterConfig();
        config.NewConfig<PolicyVersion, PolicyVersionPublishedData>()
            .Map(d => d.EffectiveAt, v => v.EffectiveAt.ToUniversalTime())
            .Map(d => d.PublishedAt, v => (v.PublishedAt ?? v.UpdatedAt).ToUniversalTime())
            .Map(d => d.Summary, v => new LocalizedTextData(v.SummaryFr, v.SummaryNl, v.SummaryEn))
            .Map(d => d.NewlyAllowedPurposes, v => v.NewlyAllowedPurposes.ToList())
            .Map(d => d.NewlyAllowedScopes, v => v.AllowedScopes.Select(s => new ProviderScopeData(s.Provider, s.Scope)).ToList());
        config.NewConfig<PolicyVersion, PolicyVersionTakesEffectData>()
            .Map(d => d.EffectiveAt, v => v.EffectiveAt.ToUniversalTime());
        config.Compile();
        return config;
    }

    public static PolicyVersionPublishedData Published(PolicyVersion version) => version.Adapt<PolicyVersionPublishedData>(Config);

    public static PolicyVersionTakesEffectData TakesEffect(PolicyVersion version) => version.Adapt<PolicyVersionTakesEffectData>(Config);
}
