using Imail.Domain.Common;
using Imail.Domain.DataCategories;
using Imail.Domain.Lifecycle;

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

    /// <summary>The country the person says they live in (ISO 3166-1 alpha-2), if they said; category <c>account</c>.</summary>
    public string? Country { get; private set; }
    public UserStatus Status { get; private set; }
    public DateTimeOffset CreatedAt { get; private set; }
    public DateTimeOffset UpdatedAt { get; private set; }

    /// <summary>When the person last authenticated (token <c>auth_time</c>, else <c>iat</c>): the clock of P9.</summary>
    public DateTimeOffset? LastAuthenticatedAt { get; private set; }

    /// <summary>
    /// A random reference the audit trail, erasure records and deletion requests name the account by
    /// (P8, P11): once this row is erased, nothing links that reference to the person.
    /// </summary>
    public Guid AuditRef { get; private set; }

    /// <summary>What staff took away from the account (P11); empty for a normal account.</summary>
    public List<Capability> Restrictions { get; private set; } = [];

    /// <summary>When the invitation to sign in after the inactivity period was queued (P9); cleared by a sign-in before <see cref="InactivityDeadline"/>.</summary>
    public DateTimeOffset? InactivityWarnedAt { get; private set; }

    /// <summary>Past this, without a sign-in since the invitation, the account is erased (P9).</summary>
    public DateTimeOffset? InactivityDeadline { get; private set; }

    /// <summary>Since when the account has been unused: its last authentication, else its creation (P9).</summary>
    public DateTimeOffset InactiveSince => LastAuthenticatedAt ?? CreatedAt;

    /// <summary>
    /// P9: not authenticated for the whole <paramref name="period"/> (exactly that long counts) and not invited
    /// yet in this inactivity period. The inactivity job claims the same test in SQL.
    /// </summary>
    public bool IsDueForInactivityInvitationAt(DateTimeOffset now, RetentionPeriod period) =>
        InactivityWarnedAt is null && InactiveSince <= period.Before(now);

    /// <summary>
    /// P9: the invitation to sign in is queued now; without a sign-in before the returned deadline, the
    /// account is erased. Once per inactivity period: a sign-in before the deadline starts a new one.
    /// </summary>
    public DateTimeOffset InviteToSignInAfterInactivity(DateTimeOffset now, TimeSpan gracePeriod)
    {
        Rule.Check(InactivityWarnedAt is null, "ALREADY_INVITED", "This account was already invited to sign in for this inactivity period.");
        (InactivityWarnedAt, InactivityDeadline) = (now, now + gracePeriod);
        return InactivityDeadline.Value;
    }

    /// <summary>P9: the grace period is over without a sign-in before the deadline; the account is erased.</summary>
    public bool IsPastInactivityDeadlineAt(DateTimeOffset now) => InactivityDeadline <= now;

    public bool May(Capability capability) => !Restrictions.Contains(capability);

    /// <summary>Refuses an operation the account was restricted from (P11).</summary>
    public void Require(Capability capability) => Rule.Check(May(capability), new AccountRestrictedRule(capability));

    /// <summary>Staff restrict capabilities (P11); returns those newly restricted.</summary>
    public IReadOnlyList<Capability> Restrict(IReadOnlyCollection<Capability> capabilities, DateTimeOffset now)
    {
        Rule.Check(capabilities.Count > 0, "INVALID_CAPABILITIES", "Name at least one capability to restrict.", "capabilities");
        var added = capabilities.Distinct().Where(c => !Restrictions.Contains(c)).ToList();
        Restrictions = Restrictions.Concat(added).Order().ToList();
        Status = Restrictions.Count > 0 ? UserStatus.Restricted : UserStatus.Active;
        UpdatedAt = now;
        return added;
    }

    /// <summary>Staff lift restrictions (all of them when <paramref name="capabilities"/> is null); returns those lifted.</summary>
    public IReadOnlyList<Capability> Lift(IReadOnlyCollection<Capability>? capabilities, DateTimeOffset now)
    {
        var lifted = Restrictions.Where(c => capabilities is null || capabilities.Contains(c)).ToList();
        Rule.Check(lifted.Count > 0, "NOT_RESTRICTED", "The account is not restricted from any of these capabilities.", "capabilities");
        Restrictions = Restrictions.Except(lifted).ToList();
        Status = Restrictions.Count > 0 ? UserStatus.Restricted : UserStatus.Active;
        UpdatedAt = now;
        return lifted;
    }

    /// <summary>The values that identify the person in free text (address, name, ids): blanked from what outlives the account.</summary>
    public IReadOnlyCollection<string> IdentifyingValues() =>
        new[] { Email, PendingEmail, DisplayName, Id.ToString() }.Where(v => !string.IsNullOrWhiteSpace(v)).Select(v => v!).ToList();

    public static User SignUp(string email, string displayName, string? locale, DateTimeOffset now, string? country = null)
    {
        return new User
        {
            Id = Ids.New(now),
            Email = EmailAddress.Normalize(email),
            DisplayName = CheckDisplayName(displayName),
            Locale = Locales.Parse(locale),
            Country = Countries.Parse(country),
            Status = UserStatus.Active,
            AuditRef = Guid.NewGuid(),
            CreatedAt = now,
            UpdatedAt = now,
        };
    }

    /// <summary>An address the person asked to use, not yet confirmed with the code sent to it; category <c>contact</c>.</summary>
    public string? PendingEmail { get; private set; }

    /// <summary>SHA-256 (hex) of the code sent to <see cref="PendingEmail"/>; the code itself is never stored.</summary>
    public string? PendingEmailCodeHash { get; private set; }

    public DateTimeOffset? PendingEmailExpiresAt { get; private set; }

    /// <summary>How long the code sent to a new address confirms it.</summary>
    public static readonly TimeSpan EmailChangeCodeLifetime = TimeSpan.FromHours(24);

    /// <summary>Changes what was given; <c>null</c> leaves a value as it is. Returns whether anything changed. The address changes through <see cref="RequestEmailChange"/>.</summary>
    public bool UpdateProfile(string? displayName, string? locale, DateTimeOffset now, string? country = null)
    {
        var newName = displayName is null ? DisplayName : CheckDisplayName(displayName);
        var newLocale = locale is null ? Locale : Locales.Parse(locale);
        // null leaves the country as it is; an empty string removes it.
        var newCountry = country is null ? Country : Countries.Parse(country);
        if (newName == DisplayName && newLocale == Locale && newCountry == Country) return false;
        Require(Capability.ChangeProfile);
        (DisplayName, Locale, Country, UpdatedAt) = (newName, newLocale, newCountry, now);
        return true;
    }

    /// <summary>
    /// The person asks to use another address. Nothing changes until the code sent to that address
    /// is entered (<see cref="ConfirmEmailChange"/>), so nobody can take an address they cannot
    /// read, and the answer is the same whether or not another account uses it. Returns the
    /// address to write to, or null when it already is the account's (any pending request is dropped).
    /// </summary>
    public string? RequestEmailChange(string email, string code, DateTimeOffset now)
    {
        Require(Capability.ChangeProfile);
        var address = EmailAddress.Normalize(email);
        if (address == Email)
        {
            (PendingEmail, PendingEmailCodeHash, PendingEmailExpiresAt) = (null, null, null);
            return null;
        }
        (PendingEmail, PendingEmailCodeHash, PendingEmailExpiresAt, UpdatedAt) = (address, EmailChangeCodes.Hash(code), now + EmailChangeCodeLifetime, now);
        return address;
    }

    /// <summary>The code sent to the new address was entered: the account now uses it. Returns the former address.</summary>
    public string ConfirmEmailChange(string code, DateTimeOffset now)
    {
        // A change asked for before staff restricted the account is not carried out after.
        Require(Capability.ChangeProfile);
        Rule.Check(PendingEmail is not null, new NoPendingEmailChangeRule());
        Rule.Check(now < PendingEmailExpiresAt && EmailChangeCodes.Matches(code, PendingEmailCodeHash), new EmailChangeCodeRule());
        var former = Email;
        (Email, PendingEmail, PendingEmailCodeHash, PendingEmailExpiresAt, UpdatedAt) = (PendingEmail!, null, null, null, now);
        return former;
    }

    private static string CheckDisplayName(string? raw) =>
        Text.CheckName(raw, DisplayNameMaxLength, "INVALID_DISPLAY_NAME", "displayName", "The display name");
}

/// <summary>Confirming an address needs a request first.</summary>
public sealed record NoPendingEmailChangeRule() : BusinessRule("NO_PENDING_EMAIL_CHANGE",
    "No change of address is waiting for confirmation: ask for it with updateProfile first.", "code", RuleKind.NotFound);

/// <summary>The code is the one sent to the new address, within its lifetime.</summary>
public sealed record EmailChangeCodeRule() : BusinessRule("INVALID_EMAIL_CHANGE_CODE",
    "This code does not confirm the pending change of address (wrong, or more than 24 hours old): ask again with updateProfile.", "code");

/// <summary>The codes that confirm a new address: 80 random bits, written in groups people can type.</summary>
public static class EmailChangeCodes
{
    private const string Alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"; // no 0/O, 1/I: read from an e-mail, typed by hand

    public static string New()
    {
        var bytes = System.Security.Cryptography.RandomNumberGenerator.GetBytes(16);
        var chars = new char[16];
        for (var i = 0; i < chars.Length; i++) chars[i] = Alphabet[bytes[i] % Alphabet.Length];
        var code = new string(chars);
        return $"{code[..4]}-{code[4..8]}-{code[8..12]}-{code[12..]}";
    }

    public static string Hash(string code) =>
        Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(Canonical(code))));

    public static bool Matches(string? code, string? hash) =>
        code is not null && hash is not null && System.Security.Cryptography.CryptographicOperations.FixedTimeEquals(
            System.Text.Encoding.ASCII.GetBytes(Hash(code)), System.Text.Encoding.ASCII.GetBytes(hash));

    /// <summary>Case, spaces and dashes do not matter when the code is typed.</summary>
    private static string Canonical(string code) => new(code.Where(char.IsLetterOrDigit).Select(char.ToUpperInvariant).ToArray());
}
