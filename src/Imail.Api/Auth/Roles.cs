namespace Imail.Api.Auth;

/// <summary>The three roles of the design card, as they appear in a token's <c>role</c> claim.</summary>
public static class Roles
{
    /// <summary>The data subject: sees and changes only their own data.</summary>
    public const string User = "user";

    /// <summary>A partner: policy events, public data, k-anonymous statistics.</summary>
    public const string Partner = "partner";

    /// <summary>Support and DPO.</summary>
    public const string Staff = "staff";

    /// <summary>Not a token role: marks what anyone may use, signed in or not.</summary>
    public const string Anyone = "*";

    public static readonly string[] All = [User, Partner, Staff];
}
