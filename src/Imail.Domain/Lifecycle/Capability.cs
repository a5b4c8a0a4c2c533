using Imail.Domain.Common;

namespace Imail.Domain.Lifecycle;

/// <summary>
/// What staff can take away from an account for a terms-of-service violation (P11), without
/// prior warning. Each is refused by the API with <c>ACCOUNT_RESTRICTED</c> while restricted.
/// </summary>
public enum Capability
{
    /// <summary>Using the API with the account's token at all (a sign-in restriction refuses every request).</summary>
    SignIn,

    /// <summary>Connecting, reconnecting other services' accounts (cross-posting, P4).</summary>
    ConnectedAccounts,

    /// <summary>Recording navigation data (P6) as the account.</summary>
    RecordNavigation,

    /// <summary>Changing the profile: display name, language, e-mail address.</summary>
    ChangeProfile,
}

/// <summary>The operation needs a capability staff took away from the account.</summary>
public sealed record AccountRestrictedRule(Capability Capability) : BusinessRule("ACCOUNT_RESTRICTED",
    $"This account may not {Capabilities.Describe(Capability)}: the publisher restricted it under the terms of service. Contact the publisher to know more.",
    null, RuleKind.Forbidden);

public static class Capabilities
{
    public static string Describe(Capability capability) => capability switch
    {
        Capability.SignIn => "sign in",
        Capability.ConnectedAccounts => "connect other services' accounts",
        Capability.RecordNavigation => "record navigation data",
        Capability.ChangeProfile => "change its profile",
        _ => capability.ToString(),
    };
}
