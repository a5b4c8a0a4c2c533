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
}

/// <summary>One piece of profile data a connected service sent, and the scope that allowed it.</summary>
public sealed class SharedField
{
    private SharedField() { }

    public SharedField(string scope, string name, string value) => (Scope, Name, Value) = (scope, name, value);

    public string Scope { get; private set; } = "";
    public string Name { get; private set; } = "";
    public string Value { get; private set; } = "";
}
