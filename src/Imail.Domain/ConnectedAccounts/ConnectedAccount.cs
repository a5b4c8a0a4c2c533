using Imail.Domain.Common;

namespace Imail.Domain.ConnectedAccounts;

/// <summary>
/// An account of another service the user connected for cross-posting (P4), with the scopes
/// they granted and the profile data that service sent, kept only inside those scopes.
/// Disconnecting deletes the row and everything received.
/// </summary>
public sealed class ConnectedAccount
{
    public const int ExternalIdMaxLength = 200;
    public const int ValueMaxLength = 2000;

    private readonly List<SharedField> _fields = [];

    private ConnectedAccount() { }

    public Guid Id { get; private set; }
    public Guid UserId { get; private set; }

    /// <summary>The other service (a key of the provider catalogue, e.g. <c>mastodon</c>).</summary>
    public string Provider { get; private set; } = "";

    /// <summary>The account's id at the other service. Category <c>connected_account_profile</c>.</summary>
    public string ExternalAccountId { get; private set; } = "";

    /// <summary>The scopes the user granted, as the provider names them.</summary>
    public List<string> GrantedScopes { get; private set; } = [];

    public DateTimeOffset ConnectedAt { get; private set; }
    public DateTimeOffset UpdatedAt { get; private set; }

    /// <summary>What the service shared, inside the granted scopes only.</summary>
    public IReadOnlyList<SharedField> Fields => _fields;

    /// <summary>
    /// A first connection: keeps only the received fields that a granted scope of the provider
    /// covers; the rest is dropped here, before anything is stored, and named in the result.
    /// </summary>
    public static Reception Connect(Guid userId, string provider, string externalAccountId,
        IEnumerable<string> grantedScopes, IEnumerable<ReceivedField> receivedFields,
        ConnectedAccountProviders catalogue, DateTimeOffset now)
    {
        var known = catalogue.Find(provider);
        Rule.Check(known is not null, "UNKNOWN_PROVIDER",
            $"{Excerpt.Quote(provider)} is not a provider one can connect; see connectedAccountProviders.", "provider");
        var id = Text.CheckName(externalAccountId, ExternalIdMaxLength, "INVALID_EXTERNAL_ACCOUNT_ID", "externalAccountId", "The external account id");
        var account = new ConnectedAccount
        {
            Id = Ids.New(now),
            UserId = userId,
            Provider = known!.Name,
            ExternalAccountId = id,
            ConnectedAt = now,
        };
        var dropped = account.Receive(known, grantedScopes, receivedFields, now);
        return new Reception(account, dropped);
    }

    /// <summary>
    /// The same external account connected again: the new grant replaces the old one, and what
    /// was received before but lies outside the new scopes is deleted. Returns the dropped names.
    /// </summary>
    public IReadOnlyList<string> Reconnect(IEnumerable<string> grantedScopes, IEnumerable<ReceivedField> receivedFields,
        ConnectedAccountProviders catalogue, DateTimeOffset now)
    {
        var known = catalogue.Find(Provider);
        // A provider removed from the catalogue grants nothing any more: reconnecting is refused like a new connection would be.
        Rule.Check(known is not null, "UNKNOWN_PROVIDER", $"'{Provider}' is no longer a provider one can connect.", "provider");
        return Receive(known!, grantedScopes, receivedFields, now);
    }

    private IReadOnlyList<string> Receive(ProviderDescription provider, IEnumerable<string> grantedScopes,
        IEnumerable<ReceivedField> receivedFields, DateTimeOffset now)
    {
        var scopes = (grantedScopes ?? []).Select(s => s?.Trim() ?? "").Distinct().ToList();
        var unknown = scopes.Where(s => provider.Scope(s) is null).ToList();
        // Refused rather than ignored: the consent screen is rendered from the catalogue, so a scope it
        // does not know means the front-end and the catalogue disagree about what the user agreed to.
        Rule.Check(unknown.Count == 0, "INVALID_SCOPE",
            $"Scope(s) {Excerpt.List(unknown)} are not known for '{provider.Name}'; see connectedAccountProviders.",
            "grantedScopes");

        var received = (receivedFields ?? []).ToList();
        var twice = received.GroupBy(f => f.Name).Where(g => g.Count() > 1).Select(g => g.Key).ToList();
        Rule.Check(twice.Count == 0, "DUPLICATE_FIELD",
            $"Field(s) {Excerpt.List(twice)} were sent more than once.", "profile");

        // Scopes in catalogue order, so a field that two granted scopes cover is filed under the first.
        var granted = provider.Scopes.Where(s => scopes.Contains(s.Name)).ToList();
        var kept = new List<SharedField>();
        var dropped = new List<string>();
        foreach (var field in received)
        {
            var scope = granted.FirstOrDefault(s => s.Fields.Contains(field.Name));
            if (scope is null)
            {
                dropped.Add(field.Name);
                continue;
            }
            Rule.Check((field.Value?.Length ?? 0) <= ValueMaxLength, "VALUE_TOO_LONG",
                $"The value of {Excerpt.Quote(field.Name)} is longer than {ValueMaxLength} characters.", "profile");
            kept.Add(new SharedField(scope.Name, field.Name, field.Value ?? ""));
        }

        GrantedScopes = granted.Select(s => s.Name).ToList();
        _fields.Clear();
        _fields.AddRange(kept);
        UpdatedAt = now;
        return dropped;
    }
}

/// <summary>A piece of profile data as the other service sent it, before scope filtering.</summary>
public sealed record ReceivedField(string Name, string Value);

/// <summary>A connection and the names of the received fields that were not stored (outside the granted scopes).</summary>
public sealed record Reception(ConnectedAccount Account, IReadOnlyList<string> DroppedFields);

/// <summary>One piece of profile data a connected service sent, and the scope that allowed it.</summary>
public sealed class SharedField
{
    private SharedField() { }

    public SharedField(string scope, string name, string value) => (Scope, Name, Value) = (scope, name, value);

    public string Scope { get; private set; } = "";
    public string Name { get; private set; } = "";
    public string Value { get; private set; } = "";
}
