namespace Imail.Domain.Users;

public enum UserStatus
{
    /// <summary>A normal account.</summary>
    Active,

    /// <summary>Staff restricted what the account may do (P11).</summary>
    Restricted,
}
