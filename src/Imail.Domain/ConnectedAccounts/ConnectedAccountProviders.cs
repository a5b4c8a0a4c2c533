namespace Imail.Domain.ConnectedAccounts;

/// <summary>
/// The provider catalogue (P4): which services a user may connect, the scopes each one can
/// grant, and the profile fields each scope covers. A field is stored only when a granted,
/// known scope covers it.
/// </summary>
/// <remarks>
/// Scopes are a list of <see cref="ProviderScope"/> rather than a dictionary keyed by scope
/// because real scope names (<c>write:statuses</c>) contain ':', the configuration path separator.
/// A configured provider replaces the default of the same name wholesale; collections bound
/// into non-empty defaults would be appended to, not replaced.
/// </remarks>
public sealed class ConnectedAccountProviders
{
    public const string Section = "Imail:ConnectedAccounts";
    public const int ProviderNameMaxLength = 40;
    public const int ScopeNameMaxLength = 100;
    public const int FieldNameMaxLength = 100;

    /// <summary>Providers configured in <c>Imail:ConnectedAccounts:Providers</c>: name → scopes.</summary>
    public Dictionary<string, List<ProviderScope>> Providers { get; set; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Whether the code defaults (<see cref="Defaults"/>) are offered besides the configured providers.</summary>
    public bool IncludeDefaultProviders { get; set; } = true;

    /// <summary>The code defaults: Mastodon and Bluesky.</summary>
    public static IReadOnlyDictionary<string, IReadOnlyList<ProviderScope>> Defaults { get; } =
        new Dictionary<string, IReadOnlyList<ProviderScope>>(StringComparer.OrdinalIgnoreCase)
        {
            ["mastodon"] =
            [
                new("profile", ["username", "displayName", "avatarUrl", "profileUrl"]),
                new("email", ["email"]),
                new("follows", ["followersCount", "followingCount"]),
                new("write:statuses", []), // the cross-posting permission: it brings no data
            ],
            ["bluesky"] =
            [
                new("profile", ["handle", "displayName", "avatarUrl", "profileUrl"]),
                new("email", ["email"]),
                new("follows", ["followersCount", "followsCount"]),
                new("atproto:post", []),
            ],
        };

    /// <summary>The effective catalogue, providers sorted by name: the defaults (unless turned off), then configured providers replacing same-named ones.</summary>
    public IReadOnlyList<ProviderDescription> Catalogue()
    {
        var all = new Dictionary<string, IReadOnlyList<ProviderScope>>(StringComparer.OrdinalIgnoreCase);
        if (IncludeDefaultProviders)
            foreach (var (name, scopes) in Defaults) all[name] = scopes;
        foreach (var (name, scopes) in Providers) all[name] = scopes;
        return all.OrderBy(p => p.Key, StringComparer.Ordinal)
            .Select(p => new ProviderDescription(p.Key.Trim().ToLowerInvariant(), p.Value
                .Where(s => !string.IsNullOrWhiteSpace(s.Name))
                .Select(s => new ProviderScope(s.Name.Trim(), s.Fields.Select(f => f.Trim()).Where(f => f.Length > 0).Distinct().ToList()))
                .ToList()))
            .ToList();
    }

    /// <summary>One provider of the effective catalogue, or null when unknown (case-insensitive name).</summary>
    public ProviderDescription? Find(string? provider) =>
        provider is null ? null : Catalogue().FirstOrDefault(p => string.Equals(p.Name, provider.Trim(), StringComparison.OrdinalIgnoreCase));

    /// <summary>Configuration mistakes, one sentence each; empty when the catalogue is usable.</summary>
    public IReadOnlyList<string> Problems()
    {
        var problems = new List<string>();
        foreach (var provider in Catalogue())
        {
            if (provider.Name.Length is 0 or > ProviderNameMaxLength)
                problems.Add($"Provider name '{provider.Name}' must have 1 to {ProviderNameMaxLength} characters.");
            foreach (var scope in provider.Scopes)
            {
                if (scope.Name.Length > ScopeNameMaxLength)
                    problems.Add($"Scope '{scope.Name}' of provider '{provider.Name}' is longer than {ScopeNameMaxLength} characters.");
                problems.AddRange(scope.Fields.Where(f => f.Length > FieldNameMaxLength)
                    .Select(f => $"Field '{f}' of scope '{scope.Name}' of provider '{provider.Name}' is longer than {FieldNameMaxLength} characters."));
            }
            problems.AddRange(provider.Scopes.GroupBy(s => s.Name).Where(g => g.Count() > 1)
                .Select(g => $"Provider '{provider.Name}' declares scope '{g.Key}' twice."));
        }
        return problems;
    }
}

/// <summary>A scope a provider can grant and the profile fields it covers (none for a pure permission such as posting).</summary>
public sealed class ProviderScope
{
    public ProviderScope() { }

    public ProviderScope(string name, List<string> fields) => (Name, Fields) = (name, fields);

    /// <summary>The scope as the provider names it, e.g. <c>profile</c> or <c>write:statuses</c>.</summary>
    public string Name { get; set; } = "";

    /// <summary>The profile field names this scope lets the provider send.</summary>
    public List<string> Fields { get; set; } = [];
}

/// <summary>A provider of the effective catalogue.</summary>
public sealed record ProviderDescription(string Name, IReadOnlyList<ProviderScope> Scopes)
{
    public ProviderScope? Scope(string name) => Scopes.FirstOrDefault(s => s.Name == name);
}
