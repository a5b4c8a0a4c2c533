using Imail.Domain.Common;
using Imail.Domain.Policies;

namespace Imail.Domain.Incidents;

public enum IncidentSeverity
{
    Low,
    Medium,
    High,
    Critical,
}

/// <summary>A step of an incident's timeline (P12).</summary>
public enum IncidentStepKind
{
    /// <summary>Staff declared the incident.</summary>
    Declared,

    /// <summary>The affected users were sent the notice (with how many).</summary>
    Notified,

    /// <summary>The causes found, sent to the recipients as an update.</summary>
    Findings,

    /// <summary>The measures taken to reduce the harm, sent to the recipients as an update.</summary>
    Measures,

    /// <summary>The supervisory authority was notified (GDPR art. 33).</summary>
    AuthorityNotified,

    /// <summary>Staff closed the incident.</summary>
    Closed,
}

/// <summary>
/// A security incident (P12): unlawful or unauthorised access to personal data the publisher became aware of.
/// It records what was affected (data categories, which users — the recipients, <see cref="IncidentRecipient"/>),
/// its timeline (<see cref="IncidentStep"/>) and the supervisory authority's deadline: 72 hours from awareness
/// (GDPR art. 33). About the incident, not about a person: category <c>not_personal</c>; who was affected is in
/// <c>incident_recipients</c>, erased with each account.
/// </summary>
public sealed class Incident
{
    public const int SummaryMaxLength = 4_000;
    public const int ReasonMaxLength = 2_000;
    public const int MeansMaxLength = 500;
    public const int MaxCategories = 50;

    /// <summary>GDPR art. 33.1: the authority is notified within 72 hours of awareness, or the delay is explained.</summary>
    public static readonly TimeSpan AuthorityDelay = TimeSpan.FromHours(72);

    private Incident() { }

    public Guid Id { get; private set; }
    public IncidentSeverity Severity { get; private set; }

    /// <summary>When the publisher became aware of it: the 72 hours count from here.</summary>
    public DateTimeOffset AwareAt { get; private set; }

    public DateTimeOffset DeclaredAt { get; private set; }

    /// <summary>The staff member who declared it (token <c>sub</c>).</summary>
    public string DeclaredBy { get; private set; } = "";

    public string SummaryFr { get; private set; } = "";
    public string SummaryNl { get; private set; } = "";
    public string SummaryEn { get; private set; } = "";

    /// <summary>Codes of the data categories (P2 registry) affected.</summary>
    public List<string> Categories { get; private set; } = [];

    /// <summary>Who was selected, in words of criteria (JSON), without any account id: see <see cref="IncidentSelector.Describe"/>.</summary>
    public string Selector { get; private set; } = "{}";

    public bool NotifyPartners { get; private set; }

    /// <summary>How many users were sent the notice at declaration.</summary>
    public int RecipientCount { get; private set; }

    /// <summary>When the supervisory authority was notified (as staff say), null until then.</summary>
    public DateTimeOffset? AuthorityNotifiedAt { get; private set; }

    /// <summary>How it was notified (online form, reference number…).</summary>
    public string? AuthorityNotificationMeans { get; private set; }

    /// <summary>Why the authority was notified after <see cref="AuthorityDeadline"/> (required then).</summary>
    public string? AuthorityDelayReason { get; private set; }

    /// <summary>Why the authority needed no notification (art. 33.1: unlikely to result in a risk), given at closing.</summary>
    public string? AuthorityNotRequiredReason { get; private set; }

    public DateTimeOffset? ClosedAt { get; private set; }
    public DateTimeOffset UpdatedAt { get; private set; }

    public LocalizedText Summary => new(SummaryFr, SummaryNl, SummaryEn);

    public DateTimeOffset AuthorityDeadline => AwareAt + AuthorityDelay;

    /// <summary>The authority is not notified (nor declared unnecessary) and the 72 hours are over: strictly after the deadline.</summary>
    public bool IsOverdueAt(DateTimeOffset now) => AuthorityNotifiedAt is null && AuthorityNotRequiredReason is null && now > AuthorityDeadline;

    public bool IsClosed => ClosedAt is not null;

    public static Incident Declare(IncidentSeverity severity, DateTimeOffset? awareAt, LocalizedTextChange? summary, IReadOnlyList<string> categories,
        string selector, bool notifyPartners, string actor, DateTimeOffset now)
    {
        Rule.Check(awareAt is not null, "INVALID_AWARE_AT", "Say when the publisher became aware of the incident.", "awareAt");
        var aware = awareAt!.Value.ToUniversalTime();
        Rule.Check(aware <= now, "INVALID_AWARE_AT", "The publisher cannot become aware of an incident in the future.", "awareAt");
        Rule.Check(aware > now.AddYears(-10), "INVALID_AWARE_AT", "awareAt is more than ten years ago: check the date.", "awareAt");
        Rule.Check(Enum.IsDefined(severity), "INVALID_SEVERITY", "Severity is LOW, MEDIUM, HIGH or CRITICAL.", "severity");
        var text = Texts(summary, "summary", "INVALID_SUMMARY", SummaryMaxLength);
        return new Incident
        {
            Id = Ids.New(now),
            Severity = severity,
            AwareAt = aware,
            DeclaredAt = now,
            DeclaredBy = actor,
            SummaryFr = text.Fr,
            SummaryNl = text.Nl,
            SummaryEn = text.En,
            Categories = [.. categories],
            Selector = selector,
            NotifyPartners = notifyPartners,
            UpdatedAt = now,
        };
    }

    public void Notified(int recipients, DateTimeOffset now) => (RecipientCount, UpdatedAt) = (recipients, now);

    /// <summary>An update (findings or measures) may be sent while the incident is open.</summary>
    public void CheckOpen() => Rule.Check(!IsClosed, new IncidentClosedRule());

    /// <summary>
    /// Records the notification of the supervisory authority: when (not in the future, not before awareness) and how;
    /// after the 72 hours (to the second: exactly 72 hours is in time), <paramref name="delayReason"/> is required.
    /// </summary>
    public void RecordAuthorityNotification(DateTimeOffset? notifiedAt, string? means, string? delayReason, DateTimeOffset now)
    {
        CheckOpen();
        Rule.Check(AuthorityNotifiedAt is null, new AuthorityAlreadyNotifiedRule());
        Rule.Check(notifiedAt is not null, "INVALID_NOTIFIED_AT", "Say when the authority was notified.", "notifiedAt");
        var at = notifiedAt!.Value.ToUniversalTime();
        Rule.Check(at <= now, "INVALID_NOTIFIED_AT", "notifiedAt is in the future: record the notification once it is made.", "notifiedAt");
        Rule.Check(at >= AwareAt, "INVALID_NOTIFIED_AT", "notifiedAt is before the publisher became aware of the incident (awareAt).", "notifiedAt");
        var how = Text.CheckFreeText(means, MeansMaxLength, required: true, "INVALID_MEANS", "means", "How the authority was notified");
        var reason = Text.CheckFreeText(delayReason, ReasonMaxLength, required: false, "INVALID_DELAY_REASON", "delayReason", "The delay reason");
        if (at > AuthorityDeadline)
            Rule.Check(reason.Length > 0, "DELAY_REASON_REQUIRED",
                $"The authority was notified after the 72 hours (deadline {AuthorityDeadline:yyyy-MM-dd HH:mm:ss} UTC): give the reasons for the delay (GDPR art. 33.1).", "delayReason");
        (AuthorityNotifiedAt, AuthorityNotificationMeans, AuthorityDelayReason, UpdatedAt) = (at, how, reason.Length > 0 ? reason : null, now);
    }

    /// <summary>Closes the incident; refused while the authority's notification is missing, unless staff say why none is required.</summary>
    public void Close(string? authorityNotRequiredReason, DateTimeOffset now)
    {
        CheckOpen();
        var reason = Text.CheckFreeText(authorityNotRequiredReason, ReasonMaxLength, required: false, "INVALID_REASON", "authorityNotRequiredReason", "The reason");
        if (AuthorityNotifiedAt is null)
        {
            Rule.Check(reason.Length > 0, "AUTHORITY_NOTIFICATION_MISSING",
                "The supervisory authority's notification is not recorded (recordAuthorityNotification): record it, or give authorityNotRequiredReason.", "authorityNotRequiredReason");
            AuthorityNotRequiredReason = reason;
        }
        (ClosedAt, UpdatedAt) = (now, now);
    }

    /// <summary>A text in fr, nl and en, each required (it is sent at once to people in each language).</summary>
    public static LocalizedText Texts(LocalizedTextChange? texts, string field, string code, int maxLength)
    {
        Rule.Check(texts is not null, code, $"Give {field} in fr, nl and en.", field);
        string One(string? value, string locale) =>
            Text.CheckFreeText(value, maxLength, required: true, code, $"{field}.{locale}", $"The {locale} {field}");
        return new LocalizedText(One(texts!.Fr, "fr"), One(texts.Nl, "nl"), One(texts.En, "en"));
    }
}

/// <summary>One step of an incident's timeline: what, when, who (staff <c>sub</c>); an update's text per language; the notice's recipient count.</summary>
public sealed class IncidentStep
{
    private IncidentStep() { }

    public Guid Id { get; private set; }

    /// <summary>The order steps were written in (several may share an instant): given by the database.</summary>
    public long Sequence { get; private set; }

    public Guid IncidentId { get; private set; }
    public IncidentStepKind Kind { get; private set; }
    public DateTimeOffset At { get; private set; }
    public string Actor { get; private set; } = "";

    /// <summary>E-mails queued by this step (the notice, an update); null for the others.</summary>
    public int? Recipients { get; private set; }

    public string? TextFr { get; private set; }
    public string? TextNl { get; private set; }
    public string? TextEn { get; private set; }

    /// <summary>What else the step says: the authority's notification means, a reason.</summary>
    public string? Note { get; private set; }

    public LocalizedText? Text => TextFr is null ? null : new LocalizedText(TextFr, TextNl ?? "", TextEn ?? "");

    public static IncidentStep Of(Guid incident, IncidentStepKind kind, string actor, DateTimeOffset now, int? recipients = null, LocalizedText? text = null, string? note = null) => new()
    {
        Id = Ids.New(now),
        IncidentId = incident,
        Kind = kind,
        At = now,
        Actor = actor,
        Recipients = recipients,
        TextFr = text?.Fr,
        TextNl = text?.Nl,
        TextEn = text?.En,
        Note = note,
    };
}

/// <summary>
/// A user the incident's notice was sent to, and which of their data categories it affected. Category
/// <c>account</c> (kept as long as the account); deleted with the account (foreign key, cascade, and the catalogue): an erased person
/// leaves no trace here.
/// </summary>
public sealed class IncidentRecipient
{
    private IncidentRecipient() { }

    public Guid IncidentId { get; private set; }
    public Guid UserId { get; private set; }
    public DateTimeOffset NotifiedAt { get; private set; }

    /// <summary>The incident's categories this person holds data of (all of the incident's when they hold none of them).</summary>
    public List<string> Categories { get; private set; } = [];
}

public sealed record IncidentClosedRule() : BusinessRule("INCIDENT_CLOSED", "The incident is closed.", "incidentId", RuleKind.Conflict);

public sealed record UnknownIncidentRule() : BusinessRule("UNKNOWN_INCIDENT", "No incident has this id; see incidents.", "incidentId", RuleKind.NotFound);

public sealed record AuthorityAlreadyNotifiedRule() : BusinessRule("AUTHORITY_ALREADY_NOTIFIED",
    "The authority's notification is already recorded for this incident.", "incidentId", RuleKind.Conflict);
