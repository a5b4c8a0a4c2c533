using Imail.Domain.Common;

namespace Imail.Domain.Consents;

/// <summary>
/// One consent period of a visitor (and, once attached, of an account): opened by the first
/// deposit of the consent cookie, it holds the current choice per purpose and ends 13 months
/// later at most (P5). Later visits and repeated identical decisions change nothing; a decision
/// after the period (or after a refusal's memory) opens a new one. Every decision also leaves
/// an immutable <see cref="ConsentRecord"/>.
/// </summary>
public sealed class Consent
{
    private readonly List<ConsentChoice> _choices = [];

    private Consent() { }

    public Guid Id { get; private set; }

    /// <summary>The anonymous visitor id of the device (the consent cookie); null for decisions made only as a signed-in user.</summary>
    public Guid? VisitorId { get; private set; }

    /// <summary>The account, once the visitor signed up or in.</summary>
    public Guid? UserId { get; private set; }

    /// <summary>The first deposit of the consent cookie: it fixes both expiries.</summary>
    public DateTimeOffset FirstDepositAt { get; private set; }

    /// <summary>First deposit + 13 months: the end of the consent and of the cookie (P5). Never moves.</summary>
    public DateTimeOffset ExpiresAt { get; private set; }

    /// <summary>When the period closed (expired, renewed, superseded); null while current.</summary>
    public DateTimeOffset? EndedAt { get; private set; }

    public ConsentEnd? EndReason { get; private set; }

    /// <summary>When the renewal reminder e-mail was queued; at most one per period.</summary>
    public DateTimeOffset? RenewalReminderQueuedAt { get; private set; }

    public IReadOnlyList<ConsentChoice> Choices => _choices;

    /// <summary>PostgreSQL's xmin: two decisions racing on one period cannot both win.</summary>
    public uint Version { get; private set; }

    public static Consent Open(Guid? visitorId, Guid? userId, IReadOnlyCollection<PurposeChoice> choices,
        DateTimeOffset now, ConsentRules rules)
    {
        Rule.Check(visitorId is not null || userId is not null, "VISITOR_REQUIRED",
            "A visitor id is needed to record a decision for someone who is not signed in.", "visitorId");
        CheckChoices(choices);
        var missing = ConsentPurposes.Asked.Where(p => choices.All(c => c.Purpose != p)).ToList();
        Rule.Check(missing.Count == 0, "MISSING_PURPOSE_DECISION",
            $"The first decision of a consent period must answer every purpose; missing: {string.Join(", ", missing.Select(p => p.Code()))}.",
            "choices");
        var consent = new Consent
        {
            Id = Ids.New(now),
            VisitorId = visitorId,
            UserId = userId,
            FirstDepositAt = now,
            ExpiresAt = rules.ExpiryOf(now),
        };
        foreach (var choice in choices) consent._choices.Add(new ConsentChoice(consent.Id, choice.Purpose, choice.Granted, now));
        return consent;
    }

    /// <summary>Applies a decision inside the period; a purpose whose answer does not change keeps its date. Returns whether anything changed.</summary>
    public bool Decide(IReadOnlyCollection<PurposeChoice> choices, DateTimeOffset now)
    {
        CheckChoices(choices);
        Rule.Check(EndedAt is null && now < ExpiresAt, "CONSENT_PERIOD_OVER", "This consent period is over: a new decision opens a new one.");
        var changed = false;
        foreach (var choice in choices)
        {
            var current = _choices.FirstOrDefault(c => c.Purpose == choice.Purpose);
            if (current is null) _choices.Add(new ConsentChoice(Id, choice.Purpose, choice.Granted, now));
            else if (!current.Change(choice.Granted, now)) continue;
            changed = true;
        }
        return changed;
    }

    /// <summary>Withdraws consent to the purposes (all asked purposes when none are named), at once. Returns whether anything changed.</summary>
    public bool Withdraw(IReadOnlyCollection<ConsentPurpose>? purposes, DateTimeOffset now)
    {
        var which = purposes is { Count: > 0 } ? purposes : ConsentPurposes.Asked;
        return Decide(which.Select(p => new PurposeChoice(p, false)).ToList(), now);
    }

    /// <summary>Links the period to the account the visitor signed up or in with.</summary>
    public void AttachTo(Guid userId) => UserId ??= userId;

    public void End(DateTimeOffset at, ConsentEnd reason)
    {
        if (EndedAt is not null) return;
        EndedAt = at < ExpiresAt ? at : ExpiresAt;
        EndReason = reason;
    }

    /// <summary>Whether the period's months are over at <paramref name="now"/> and it has not been ended yet: the expiry schedule's work (P5).</summary>
    public bool IsDueToExpireAt(DateTimeOffset now) => EndedAt is null && now >= ExpiresAt;

    /// <summary>Ends a period that is due at <paramref name="now"/>, at its expiry, never at the time it is found (P5). Returns whether it ended.</summary>
    public bool ExpireAt(DateTimeOffset now)
    {
        if (!IsDueToExpireAt(now)) return false;
        End(ExpiresAt, ConsentEnd.Expired);
        return true;
    }

    /// <summary>
    /// Whether the end of this period earns its person the renewal reminder at <paramref name="now"/> (P5): one per
    /// period, only for an account, and none while another of the account's <paramref name="periods"/> runs (a newer
    /// decision has nothing to renew).
    /// </summary>
    public RenewalReminder RenewalReminderAt(DateTimeOffset now, IEnumerable<Consent> periods) =>
        UserId is null ? RenewalReminder.NoAccount
        : RenewalReminderQueuedAt is not null ? RenewalReminder.AlreadyQueued
        : periods.Any(p => p.Id != Id && p.UserId == UserId && p.IsRunningAt(now)) ? RenewalReminder.NewerPeriodRunning
        : RenewalReminder.Due;

    public void MarkRenewalReminderQueued(DateTimeOffset now) => RenewalReminderQueuedAt ??= now;

    /// <summary>What a front-end must do now: nothing, or show the banner again.</summary>
    public ConsentStatus StatusAt(DateTimeOffset now, ConsentRules rules)
    {
        var over = EndedAt is not null || now >= ExpiresAt;
        var askAgainAt = ExpiresAt;
        foreach (var refused in _choices.Where(c => !c.Granted))
        {
            var until = rules.RefusalRememberedUntil(refused.DecidedAt);
            if (until < askAgainAt) askAgainAt = until;
        }
        var state = over || now >= askAgainAt ? ConsentState.RenewalRequired : ConsentState.Valid;
        var purposes = ConsentPurposes.Asked.Select(p =>
        {
            var choice = _choices.FirstOrDefault(c => c.Purpose == p);
            // Past its end a consent is not used, whatever it said (P5).
            return new PurposeStatus(p, over ? null : choice?.Granted, Allows(p, now), over ? null : choice?.DecidedAt);
        }).ToList();
        return new ConsentStatus(state, this, FirstDepositAt, ExpiresAt, over ? EndedAt ?? ExpiresAt : askAgainAt, purposes, ExpiresAt);
    }

    /// <summary>Whether decisions still change this period (not ended, not past its 13 months, no refusal memory run out).</summary>
    public bool IsValidAt(DateTimeOffset now, ConsentRules rules) => StatusAt(now, rules).State == ConsentState.Valid;

    /// <summary>Whether a withdrawal can still act on this period: it has not ended and its 13 months run.</summary>
    public bool IsRunningAt(DateTimeOffset now) => EndedAt is null && now < ExpiresAt;

    /// <summary>Whether the period lets data for <paramref name="purpose"/> be used at <paramref name="now"/> (P6); <see cref="StatusAt"/> reports the same as <c>effective</c>.</summary>
    public bool Allows(ConsentPurpose purpose, DateTimeOffset now) =>
        IsRunningAt(now) && _choices.Any(c => c.Purpose == purpose && c.Granted);

    private static void CheckChoices(IReadOnlyCollection<PurposeChoice> choices)
    {
        Rule.Check(choices.Count > 0, "MISSING_PURPOSE_DECISION", "A decision answers at least one purpose.", "choices");
        Rule.Check(choices.All(c => c.Purpose != ConsentPurpose.Necessary), "PURPOSE_NOT_ASKED",
            "Strictly necessary cookies need no consent: NECESSARY cannot be granted or refused.", "choices");
        Rule.Check(choices.Select(c => c.Purpose).Distinct().Count() == choices.Count, "DUPLICATE_PURPOSE",
            "Each purpose may appear once in a decision.", "choices");
    }
}

/// <summary>The answer for one purpose, as the person gave it.</summary>
public sealed record PurposeChoice(ConsentPurpose Purpose, bool Granted);

/// <summary>The current answer for one purpose in a period.</summary>
public sealed class ConsentChoice
{
    private ConsentChoice() { }

    internal ConsentChoice(Guid consentId, ConsentPurpose purpose, bool granted, DateTimeOffset decidedAt) =>
        (ConsentId, Purpose, Granted, DecidedAt) = (consentId, purpose, granted, decidedAt);

    public Guid ConsentId { get; private set; }
    public ConsentPurpose Purpose { get; private set; }
    public bool Granted { get; private set; }

    /// <summary>When this answer was first given; repeating it does not move the date.</summary>
    public DateTimeOffset DecidedAt { get; private set; }

    internal bool Change(bool granted, DateTimeOffset now)
    {
        if (granted == Granted) return false;
        (Granted, DecidedAt) = (granted, now);
        return true;
    }
}

public enum ConsentEnd
{
    /// <summary>13 months after the first deposit.</summary>
    Expired,

    /// <summary>A new decision opened a new period (after a refusal's memory ran out, or after expiry).</summary>
    Renewed,

    /// <summary>The visitor's period replaced the account's older one when the visitor signed in.</summary>
    Superseded,
}

/// <summary>What the end of a period at its expiry tells its person (P5).</summary>
public enum RenewalReminder
{
    /// <summary>Tell them their consent ended and that they will be asked again.</summary>
    Due,

    /// <summary>An anonymous visitor's period: there is no address.</summary>
    NoAccount,

    /// <summary>This period's reminder is already queued: one per period.</summary>
    AlreadyQueued,

    /// <summary>Another period of the account runs: a newer decision, nothing to renew.</summary>
    NewerPeriodRunning,
}

public enum ConsentState
{
    /// <summary>No decision yet: show the banner.</summary>
    NeverAsked,

    /// <summary>Every purpose is answered and the period runs: do not show the banner.</summary>
    Valid,

    /// <summary>The period is over, or a refusal's memory ran out: show the banner again.</summary>
    RenewalRequired,
}

/// <summary>A purpose as it stands: the answer in force (null when none), and whether it may be used now.</summary>
public sealed record PurposeStatus(ConsentPurpose Purpose, bool? Granted, bool Effective, DateTimeOffset? DecidedAt);

/// <summary>The answer to "must the banner be shown?", with the exact instants behind it.</summary>
public sealed record ConsentStatus(
    ConsentState State,
    Consent? Consent,
    DateTimeOffset? FirstDepositAt,
    DateTimeOffset? ExpiresAt,
    DateTimeOffset? AskAgainAt,
    IReadOnlyList<PurposeStatus> Purposes,
    DateTimeOffset? CookieExpiresAt = null)
{
    private static readonly IReadOnlyList<PurposeStatus> NothingInForce =
        ConsentPurposes.Asked.Select(p => new PurposeStatus(p, null, false, null)).ToList();

    public static ConsentStatus NeverAsked { get; } = new(ConsentState.NeverAsked, null, null, null, null, NothingInForce);

    /// <summary>
    /// The status of a party's period as seen on a device. The device's cookie has its own 13
    /// months: the cookie to write never outlives it, and once it is over the banner is shown on
    /// that device and nothing is used there, whatever the period says, until a decision deposits
    /// the cookie anew (P5).
    /// </summary>
    public static ConsentStatus For(Consent? period, Visitor? device, DateTimeOffset now, ConsentRules rules)
    {
        if (period is null) return NeverAsked;
        var status = period.StatusAt(now, rules);
        if (device is null) return status;
        var cookieEnds = status.CookieExpiresAt < device.CookieExpiresAt ? status.CookieExpiresAt : device.CookieExpiresAt;
        if (!device.CookieHoldsAt(now))
            return status with
            {
                State = ConsentState.RenewalRequired,
                Purposes = NothingInForce,
                CookieExpiresAt = cookieEnds,
                AskAgainAt = status.AskAgainAt < device.CookieExpiresAt ? status.AskAgainAt : device.CookieExpiresAt,
            };
        return status with { CookieExpiresAt = cookieEnds, AskAgainAt = status.AskAgainAt < cookieEnds ? status.AskAgainAt : cookieEnds };
    }

    /// <summary>Whether data for <paramref name="purpose"/> may be used under this status (P6): the one answer <c>recordNavigation</c> and the banner share.</summary>
    public bool Allows(ConsentPurpose purpose) => Purposes.Any(p => p.Purpose == purpose && p.Effective);
}
