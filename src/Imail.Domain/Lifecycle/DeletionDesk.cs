using System.Globalization;
using Imail.Domain.Common;
using Imail.Domain.Outbox;
using Imail.Domain.Persistence;
using Imail.Domain.Users;
using Microsoft.EntityFrameworkCore;

namespace Imail.Domain.Lifecycle;

/// <summary>
/// Account deletion on request (P10), both ways: the person from their settings (a code e-mailed, then
/// entered), and staff for a request made to the publisher (recorded, extended, cancelled, carried out).
/// Each operation is one transaction with the e-mails it owes; carrying out goes through the one
/// <see cref="Erasure"/> of P8. One instance per unit of work. Dates in e-mails are ISO 8601 on the
/// publisher's wall clock (<paramref name="zone"/>); the templates write them in the person's language.
/// </summary>
public sealed class DeletionDesk(ImailDbContext db, PersonalDataCatalogue catalogue, TimeProvider clock, TimeZoneInfo zone)
{
    /// <summary>
    /// The person asks: a request awaiting confirmation and a code by e-mail, valid 24 hours. Asking again
    /// replaces the code on the same request; a request made to the publisher and pending is not replaced.
    /// </summary>
    public async Task<DeletionRequest> RequestAsync(User user, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        var open = await OpenRequestOfAsync(user.Id, ct);
        if (open is { State: DeletionRequestState.Pending }) throw new DeletionRequestPendingRule(Date(open.DueAt)).Violation();

        var code = EmailChangeCodes.New();
        var request = open;
        if (request is null)
        {
            request = DeletionRequest.SelfService(user.Id, user.AuditRef, code, now);
            db.DeletionRequests.Add(request);
        }
        else request.ReplaceCode(code, now);

        var expiresAt = request.CodeExpiresAt!.Value;
        db.EnqueueEmail(EmailTemplates.DeletionConfirmationCode, user, now, new Dictionary<string, string>
        {
            ["code"] = code,
            ["codeExpiresAt"] = Instant(expiresAt),
        }).PointlessAfter(expiresAt);
        await db.SaveChangesAsync(ct);
        return request;
    }

    /// <summary>The person entered the code: the request is confirmed and the account erased, in one transaction.</summary>
    public async Task<ErasureRecord> ConfirmAsync(Guid userId, string code, CancellationToken ct)
    {
        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        var request = await db.DeletionRequests
            .FirstOrDefaultAsync(r => r.UserId == userId && r.State == DeletionRequestState.AwaitingConfirmation, ct);
        Rule.Check(request is not null, new NoDeletionToConfirmRule());
        request!.Confirm(code, clock.GetUtcNow());
        var outcome = await new Erasure(db, catalogue, clock).EraseAsync(userId, ErasureReason.SelfService, Eraser.Person, request, ct);
        await transaction.CommitAsync(ct);
        return outcome.Record;
    }

    /// <summary>The person changed their mind before entering the code.</summary>
    public async Task<DeletionRequest> CancelAsync(Guid userId, string? reason, CancellationToken ct)
    {
        var request = await OpenRequestOfAsync(userId, ct);
        Rule.Check(request is not null, new NoDeletionToConfirmRule());
        if (request!.State == DeletionRequestState.Pending) throw new DeletionRequestPendingRule(Date(request.DueAt)).Violation();
        request.Cancel(reason, clock.GetUtcNow());
        await db.SaveChangesAsync(ct);
        return request;
    }

    /// <summary>
    /// Staff record a request made to the publisher (post, e-mail, phone…): pending, due one calendar month
    /// after receipt; the person is told by when. A code the person had asked for meanwhile is superseded.
    /// </summary>
    public async Task<DeletionRequest> RecordAsync(Guid userId, RequestChannel channel, string? requester, DateTimeOffset? receivedAt, string staff, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        var user = Rule.Found(await db.Users.FirstOrDefaultAsync(u => u.Id == userId, ct), "USER_NOT_FOUND", "There is no account with this id (erased, or never created).");
        var request = DeletionRequest.Recorded(user.Id, user.AuditRef, channel, requester, receivedAt ?? now, staff, now);
        var open = await OpenRequestOfAsync(user.Id, ct);
        if (open is { State: DeletionRequestState.Pending })
            Rule.Unique(false, "DELETION_ALREADY_RECORDED",
                $"This account already has a pending deletion request ({open.Id}), due {Date(open.DueAt)}: extend or carry out that one.", "userId");
        if (open is not null)
        {
            open.Cancel("Superseded: a request made to the publisher was recorded.", now);
            await db.SaveChangesAsync(ct); // the open-request index frees the account before the new row
        }

        db.DeletionRequests.Add(request);
        db.StaffActions.Add(StaffAction.Record(staff, StaffActionKind.DeletionRequestRecorded, user.AuditRef,
            $"Deletion request received by {Describe(channel)}.", new { requestId = request.Id, channel, request.ReceivedAt, request.DueAt }, now));
        db.EnqueueEmail(EmailTemplates.DeletionRequestReceived, user, now, new Dictionary<string, string>
        {
            ["receivedAt"] = Instant(request.ReceivedAt),
            ["dueAt"] = Instant(request.DueAt),
        });
        await db.SaveChangesAsync(ct);
        await transaction.CommitAsync(ct);
        return request;
    }

    /// <summary>Staff move the deadline by one or two further months (two in all), with the reason the person is sent.</summary>
    public async Task<DeletionRequest> ExtendAsync(Guid id, int months, string? reason, string staff, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        var request = await LockAsync(id, ct);
        request.Extend(months, reason, now);
        var user = Rule.Found(await db.Users.FirstOrDefaultAsync(u => u.Id == request.UserId, ct), "USER_NOT_FOUND", "The account of this request no longer exists.");
        db.StaffActions.Add(StaffAction.Record(staff, StaffActionKind.DeletionRequestExtended, request.Subject, request.ExtensionReason,
            new { requestId = request.Id, months, request.ExtendedByMonths, request.DueAt }, now));
        db.EnqueueEmail(EmailTemplates.DeletionRequestExtended, user, now, new Dictionary<string, string>
        {
            ["receivedAt"] = Instant(request.ReceivedAt),
            ["dueAt"] = Instant(request.DueAt),
            ["extensionReason"] = request.ExtensionReason!,
        });
        await db.SaveChangesAsync(ct);
        await transaction.CommitAsync(ct);
        return request;
    }

    /// <summary>Staff close an open request without erasing (withdrawn by the person, not theirs to make…), with a reason.</summary>
    public async Task<DeletionRequest> CancelByStaffAsync(Guid id, string? reason, string staff, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        var request = await LockAsync(id, ct);
        var checkedReason = StaffAction.CheckReason(reason);
        request.Cancel(checkedReason, now);
        db.StaffActions.Add(StaffAction.Record(staff, StaffActionKind.DeletionRequestCancelled, request.Subject, checkedReason,
            new { requestId = request.Id }, now));
        await db.SaveChangesAsync(ct);
        await transaction.CommitAsync(ct);
        return request;
    }

    /// <summary>
    /// Staff carry out a pending request: the staff action is saved first (so the erasure blanks the person's
    /// name in it like in every other), then the erasure of P8, in one transaction. The request row is locked:
    /// of two staff members carrying out the same request at once, the second finds it carried out.
    /// </summary>
    public async Task<(DeletionRequest Request, ErasureRecord Erasure)> CarryOutAsync(Guid id, string staff, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        var request = await LockAsync(id, ct);
        Rule.Check(request.State == DeletionRequestState.Pending, "REQUEST_NOT_PENDING",
            $"Only a pending request can be carried out; this one is {DeletionRequest.Describe(request.State)}.", "id");
        Rule.Check(request.UserId is not null, new UserMustExistRule() with { Message = "The account of this request no longer exists." });
        db.StaffActions.Add(StaffAction.Record(staff, StaffActionKind.DeletionRequestCarriedOut, request.Subject,
            $"Deletion request carried out ({Describe(request.Channel)}, received {Date(request.ReceivedAt)}).", new { requestId = request.Id }, now));
        await db.SaveChangesAsync(ct);
        var outcome = await new Erasure(db, catalogue, clock).EraseAsync(request.UserId!.Value, ErasureReason.Request, Eraser.Staff(staff), request, ct);
        await transaction.CommitAsync(ct);
        return (request, outcome.Record);
    }

    private Task<DeletionRequest?> OpenRequestOfAsync(Guid userId, CancellationToken ct) =>
        db.DeletionRequests.FirstOrDefaultAsync(r => r.UserId == userId
            && (r.State == DeletionRequestState.AwaitingConfirmation || r.State == DeletionRequestState.Pending), ct);

    /// <summary>The request, its row locked until the transaction ends; <c>DELETION_REQUEST_NOT_FOUND</c> otherwise.</summary>
    private async Task<DeletionRequest> LockAsync(Guid id, CancellationToken ct) =>
        Rule.Found(await db.DeletionRequests.FromSql($"SELECT *, xmin FROM deletion_requests WHERE id = {id} FOR UPDATE").FirstOrDefaultAsync(ct),
            "DELETION_REQUEST_NOT_FOUND", "There is no deletion request with this id.");

    private string Instant(DateTimeOffset at) =>
        TimeZoneInfo.ConvertTime(at, zone).ToString("yyyy-MM-dd'T'HH:mm:sszzz", CultureInfo.InvariantCulture);

    private string Date(DateTimeOffset at) => TimeZoneInfo.ConvertTime(at, zone).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    private static string Describe(RequestChannel channel) => channel switch
    {
        RequestChannel.Email => "e-mail",
        RequestChannel.Post => "post",
        RequestChannel.Phone => "phone",
        RequestChannel.InPerson => "in person",
        RequestChannel.SelfService => "the account settings",
        _ => "another channel",
    };
}

/// <summary>A request made to the publisher is pending: the self-service path neither replaces nor withdraws it.</summary>
public sealed record DeletionRequestPendingRule(string DueOn) : BusinessRule("DELETION_REQUEST_PENDING",
    $"A deletion of this account, requested from the publisher, is pending: it will be carried out by {DueOn}. To withdraw it, contact the publisher.",
    null, RuleKind.Conflict);
