using Imail.Domain.Common;

namespace Imail.Domain.Consents;

/// <summary>
/// A device, known by the visitor id Imail issued into its consent cookie (P5). Only ids issued
/// here exist: a made-up id acts on nothing. The device carries the cookie, and so its own
/// 13-month clock (<see cref="CookieExpiresAt"/>), which moves only when a decision made on this
/// device deposits the cookie anew. It is attached to at most one account, the first that signed
/// up or in with it; another account signed in on it keeps its own consent and takes nothing
/// from the device.
/// </summary>
public sealed class Visitor
{
    private Visitor() { }

    public Guid Id { get; private set; }
    public DateTimeOffset IssuedAt { get; private set; }

    /// <summary>The account the device is attached to; null while nobody signed up or in with it.</summary>
    public Guid? UserId { get; private set; }

    public DateTimeOffset? AttachedAt { get; private set; }

    /// <summary>The first deposit of the consent cookie now on the device.</summary>
    public DateTimeOffset CookieDepositedAt { get; private set; }

    /// <summary>The cookie's end: 13 months after <see cref="CookieDepositedAt"/>, fixed when deposited.</summary>
    public DateTimeOffset CookieExpiresAt { get; private set; }

    /// <summary>A new device: its id is random (not time-ordered), so it says nothing and cannot be guessed.</summary>
    public static Visitor Issue(DateTimeOffset now, ConsentRules rules) =>
        new() { Id = Guid.NewGuid(), IssuedAt = now, CookieDepositedAt = now, CookieExpiresAt = rules.ExpiryOf(now) };

    public bool IsAttachedToAnotherThan(Guid userId) => UserId is { } owner && owner != userId;

    /// <summary>Whether the cookie on the device still holds at <paramref name="now"/>.</summary>
    public bool CookieHoldsAt(DateTimeOffset now) => now < CookieExpiresAt;

    /// <summary>Attaches the device to the account signing up or in with it; a device of another account stays theirs.</summary>
    public void AttachTo(Guid userId, DateTimeOffset now)
    {
        Rule.Check(!IsAttachedToAnotherThan(userId), new DeviceOfAnotherAccountRule());
        UserId ??= userId;
        AttachedAt ??= now;
    }

    /// <summary>A decision on this device deposited the cookie anew (a new period, or a cookie past its end): a new 13 months start.</summary>
    public void DepositCookie(DateTimeOffset now, ConsentRules rules)
    {
        CookieDepositedAt = now;
        CookieExpiresAt = rules.ExpiryOf(now);
    }
}

/// <summary>A visitor id is the UUID <c>decideConsent</c> returned.</summary>
public sealed record InvalidVisitorIdRule() : BusinessRule("INVALID_VISITOR_ID", "A visitor id is the UUID `decideConsent` returned.", "visitorId");

/// <summary>The visitor id names no device Imail issued (made up, mistyped, or of an erased account).</summary>
public sealed record UnknownVisitorRule() : BusinessRule("UNKNOWN_VISITOR_ID",
    "This visitor id was not issued by Imail (or no longer exists): drop it and decide without a visitor id to get a new one.", "visitorId");

/// <summary>A device another account signed up or in with keeps its consent; the caller's own consent applies to them.</summary>
public sealed record DeviceOfAnotherAccountRule() : BusinessRule("VISITOR_OF_ANOTHER_ACCOUNT",
    "This device is attached to another account: its consent stays with that account. While you are signed in, your own consent applies; answer the banner if it is shown.",
    "visitorId", RuleKind.Conflict);
