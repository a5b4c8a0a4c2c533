using Imail.Domain.Common;

namespace Imail.Domain.Users;

/// <summary>A person with an account on the Imail sites: the data subject of the policy.</summary>
public sealed class User
{
    public const int DisplayNameMaxLength = 100;

    private User() { }

    public Guid Id { get; private set; }
    public string Email { get; private set; } = "";
    public string DisplayName { get; private set; } = "";
    public Locale Locale { get; private set; }
    public UserStatus Status { get; private set; }
    public DateTimeOffset CreatedAt { get; private set; }
    public DateTimeOffset UpdatedAt { get; private set; }

    /// <summary>When the person last authenticated (token <c>auth_time</c>, else <c>iat</c>): the clock of P9.</summary>
    public DateTimeOffset? LastAuthenticatedAt { get; private set; }

    public static User SignUp(string email, string displayName, string? locale, TimeProvider clock)
    {
        var now = clock.GetUtcNow();
        return new User
        {
            Id = Ids.New(clock),
            Email = EmailAddress.Normalize(email),
            DisplayName = CheckDisplayName(displayName),
            Locale = Locales.Parse(locale),
            Status = UserStatus.Active,
            CreatedAt = now,
            UpdatedAt = now,
        };
    }

    /// <summary>Changes what was given; <c>null</c> leaves a value as it is. Returns whether anything changed.</summary>
    public bool UpdateProfile(string? email, string? displayName, string? locale, TimeProvider clock)
    {
        var newEmail = email is null ? Email : EmailAddress.Normalize(email);
        var newName = displayName is null ? DisplayName : CheckDisplayName(displayName);
        var newLocale = locale is null ? Locale : Locales.Parse(locale);
        if (newEmail == Email && newName == DisplayName && newLocale == Locale) return false;
        (Email, DisplayName, Locale, UpdatedAt) = (newEmail, newName, newLocale, clock.GetUtcNow());
        return true;
    }

    private static string CheckDisplayName(string? raw) =>
        Text.CheckName(raw, DisplayNameMaxLength, "INVALID_DISPLAY_NAME", "displayName", "The display name");
}
