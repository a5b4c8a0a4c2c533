using Imail.Domain.Common;

namespace Imail.Domain.Lifecycle;

/// <summary>How a deletion request reached the publisher (P10).</summary>
public enum RequestChannel
{
    /// <summary>From the account settings (the person confirmed with the e-mailed code).</summary>
    SelfService,
    Email,
    Post,
    Phone,
    InPerson,
    Other,
}

public enum DeletionRequestState
{
    /// <summary>Self-service: the code was e-mailed; nothing happens until it is entered.</summary>
    AwaitingConfirmation,

    /// <summary>Received; to be carried out before <see cref="DeletionRequest.DueAt"/>.</summary>
    Pending,

    /// <summary>Carried out: the account is erased.</summary>
    Completed,

    /// <summary>Withdrawn by the person, or cancelled by staff (with a reason).</summary>
    Cancelled,
}

/// <summary>
/// A request to erase an account (P10): self-service or made to the publisher and recorded by
/// staff. The law gives one calendar month from receipt (31 January → 28/29 February), extendable by
/// two further months with a reason the person is told. While open it names the account; once
/// closed the account link, the requester and the code are cleared, and what remains (channel,
/// dates, state) is accountability: category <c>security_logs</c>.
/// </summary>
public sealed class DeletionRequest
{
    public const int RequesterMaxLength = 200;
    public const int MaxExtensionMonths = 2;

    /// <summary>How long the e-mailed confirmation code of a self-service request holds.</summary>
    public static readonly TimeSpan CodeLifetime = TimeSpan.FromHours(24);

    private DeletionRequest() { }

    public Guid Id { get; private set; }

    /// <summary>The account; cleared when the request closes (and at erasure).</summary>
    public Guid? UserId { get; private set; }

    /// <summary>The account's audit reference: ties the request to the audit trail once the account is gone.</summary>
    public Guid Subject { get; private set; }

    public RequestChannel Channel { get; private set; }

    /// <summary>Who made the request, in staff's words ("the account holder", "their lawyer, Me X"); cleared at closing.</summary>
    public string? Requester { get; private set; }

    public DateTimeOffset ReceivedAt { get; private set; }

    /// <summary>One calendar month after receipt, or the extended deadline.</summary>
    public DateTimeOffset DueAt { get; private set; }

    public int ExtendedByMonths { get; private set; }
    public string? ExtensionReason { get; private set; }

    public DeletionRequestState State { get; private set; }

    /// <summary>SHA-256 of the self-service confirmation code; never the code itself.</summary>
    public string? CodeHash { get; private set; }

    public DateTimeOffset? CodeExpiresAt { get; private set; }

    /// <summary>The staff member who recorded it (token <c>sub</c>); null for self-service.</summary>
    public string? RecordedBy { get; private set; }

    public DateTimeOffset? ClosedAt { get; private set; }
    public string? CancelReason { get; private set; }

    /// <summary>Concurrency token (<c>xmin</c>): two staff members acting at once cannot both win.</summary>
    public uint Version { get; private set; }

    /// <summary>The legal deadline of a request received at <paramref name="receivedAt"/>: one calendar month (the last day of a shorter month when the day does not exist).</summary>
    public static DateTimeOffset DeadlineOf(DateTimeOffset receivedAt, int extendedByMonths = 0) => receivedAt.AddMonths(1 + extendedByMonths);

    public bool IsOpen => State is DeletionRequestState.AwaitingConfirmation or DeletionRequestState.Pending;

    public static DeletionRequest SelfService(Guid userId, Guid subject, string code, DateTimeOffset now) => new()
    {
        Id = Ids.New(now),
        UserId = userId,
        Subject = subject,
        Channel = RequestChannel.SelfService,
        Requester = null,
        ReceivedAt = now,
        DueAt = DeadlineOf(now),
        State = DeletionRequestState.AwaitingConfirmation,
        CodeHash = Users.EmailChangeCodes.Hash(code),
        CodeExpiresAt = now + CodeLifetime,
    };

    public static DeletionRequest Recorded(Guid userId, Guid subject, RequestChannel channel, string? requester, DateTimeOffset receivedAt, string staff, DateTimeOffset now)
    {
        Rule.Check(channel != RequestChannel.SelfService, "INVALID_CHANNEL",
            "Self-service requests come from the account settings (requestAccountDeletion); record how the request reached the publisher.", "channel");
        Rule.Check(receivedAt <= now, "INVALID_RECEIVED_AT", "A request cannot be received in the future.", "receivedAt");
        Rule.Check(receivedAt > now.AddYears(-1), "INVALID_RECEIVED_AT", "A request received more than a year ago: check the date.", "receivedAt");
        return new DeletionRequest
        {
            Id = Ids.New(now),
            UserId = userId,
            Subject = subject,
            Channel = channel,
            Requester = Text.CheckName(requester, RequesterMaxLength, "INVALID_REQUESTER", "requester", "The requester"),
            ReceivedAt = receivedAt,
            DueAt = DeadlineOf(receivedAt),
            State = DeletionRequestState.Pending,
            RecordedBy = staff,
        };
    }

    /// <summary>
    /// The person asked again before entering the code (lost e-mail, code expired): a new code and a new
    /// 24 hours, on the same request, since an account has one open request at most. The former code stops working.
    /// </summary>
    public void ReplaceCode(string code, DateTimeOffset now)
    {
        Rule.Check(State == DeletionRequestState.AwaitingConfirmation, "REQUEST_NOT_PENDING",
            $"Only a request awaiting confirmation gets a new code; this one is {Describe(State)}.", null);
        CodeHash = Users.EmailChangeCodes.Hash(code);
        CodeExpiresAt = now + CodeLifetime;
    }

    /// <summary>The person entered the e-mailed code: the request is confirmed, and carried out at once.</summary>
    public void Confirm(string code, DateTimeOffset now)
    {
        Rule.Check(State == DeletionRequestState.AwaitingConfirmation, new NoDeletionToConfirmRule());
        Rule.Check(now < CodeExpiresAt && Users.EmailChangeCodes.Matches(code, CodeHash), new DeletionCodeRule());
        State = DeletionRequestState.Pending;
        CodeHash = null;
        CodeExpiresAt = null;
    }

    /// <summary>Moves the deadline by one or two further months (two at most in all), with the reason the person is told.</summary>
    public void Extend(int months, string? reason, DateTimeOffset now)
    {
        Rule.Check(State == DeletionRequestState.Pending, "REQUEST_NOT_PENDING", $"Only a pending request can be extended; this one is {Describe(State)}.", "id");
        Rule.Check(months >= 1 && ExtendedByMonths + months <= MaxExtensionMonths, "INVALID_EXTENSION",
            $"The deadline can be extended by two further months in all; {MaxExtensionMonths - ExtendedByMonths} left for this request.", "months");
        ExtensionReason = Text.CheckFreeText(reason, StaffAction.ReasonMaxLength, required: true, "INVALID_REASON", "reason", "The reason");
        ExtendedByMonths += months;
        DueAt = DeadlineOf(ReceivedAt, ExtendedByMonths);
    }

    public void Cancel(string? reason, DateTimeOffset now)
    {
        Rule.Check(IsOpen, "REQUEST_NOT_PENDING", $"Only an open request can be cancelled; this one is {Describe(State)}.", "id");
        CancelReason = reason is null ? null : Text.CheckFreeText(reason, StaffAction.ReasonMaxLength, required: false, "INVALID_REASON", "reason", "The reason");
        Close(DeletionRequestState.Cancelled, now);
    }

    internal void Complete(DateTimeOffset now)
    {
        Rule.Check(State == DeletionRequestState.Pending, "REQUEST_NOT_PENDING", $"Only a pending request can be carried out; this one is {Describe(State)}.", "id");
        Close(DeletionRequestState.Completed, now);
    }

    /// <summary>
    /// The account was erased another way (inactivity, termination, another request) while this request was open:
    /// what it asked for is done, so it closes as completed — never left open naming nobody.
    /// </summary>
    internal void CloseByErasure(DateTimeOffset now)
    {
        if (IsOpen) Close(DeletionRequestState.Completed, now);
    }

    /// <summary>Closed, the request keeps channel, dates and state; the account link, the requester and the code go.</summary>
    private void Close(DeletionRequestState state, DateTimeOffset now)
    {
        State = state;
        ClosedAt = now;
        UserId = null;
        Requester = null;
        CodeHash = null;
        CodeExpiresAt = null;
    }

    public void Redact(IReadOnlyCollection<string> identifying)
    {
        if (ExtensionReason is not null) ExtensionReason = Redaction.Apply(ExtensionReason, identifying);
        if (CancelReason is not null) CancelReason = Redaction.Apply(CancelReason, identifying);
    }

    internal static string Describe(DeletionRequestState state) => state switch
    {
        DeletionRequestState.AwaitingConfirmation => "awaiting the person's confirmation",
        DeletionRequestState.Pending => "pending",
        DeletionRequestState.Completed => "already carried out",
        _ => "cancelled",
    };
}

public sealed record NoDeletionToConfirmRule() : BusinessRule("NO_PENDING_DELETION",
    "No deletion of this account is waiting for confirmation: ask for it with requestAccountDeletion first.", "code", RuleKind.NotFound);

public sealed record DeletionCodeRule() : BusinessRule("INVALID_DELETION_CODE",
    "This code does not confirm the deletion (wrong, or more than 24 hours old): ask again with requestAccountDeletion.", "code");
