using GraphQL;
using GraphQL.DataLoader;
using GraphQL.Types;
using Imail.Api.Auth;
using Imail.Api.Users;
using Imail.Domain.Lifecycle;
using Imail.Domain.Persistence;
using Imail.Domain.Users;
using Microsoft.EntityFrameworkCore;

namespace Imail.Api.Lifecycle;

public sealed class DeletionRequestType : ObjectGraphType<DeletionRequest>
{
    public DeletionRequestType()
    {
        Name = "DeletionRequest";
        Description = "A request to erase an account (P10): made from the account settings and confirmed with an e-mailed code, or made to the publisher and recorded by staff. Due one calendar month after receipt, extendable by two further months. Once closed it no longer names the account or the requester.";
        Field(r => r.Id, type: typeof(NonNullGraphType<IdGraphType>)).Description("Stable identifier; staff pass it to `extendDeletionRequest`, `cancelDeletionRequest`, `carryOutDeletionRequest`.");
        Field(r => r.Channel, type: typeof(NonNullGraphType<DeletionRequestChannelType>)).Description("How the request reached the publisher.");
        Field(r => r.State, type: typeof(NonNullGraphType<DeletionRequestStateType>)).Description("Where it stands.");
        Field(r => r.ReceivedAt).Description("When the publisher received it (self-service: when the person asked).");
        Field(r => r.DueAt).Description("The legal deadline: one calendar month after receipt (31 January → 28 or 29 February), plus the extension.");
        Field(r => r.ExtendedByMonths).Description("Months the deadline was extended by: 0, 1 or 2.");
        Field(r => r.ExtensionReason, nullable: true).Description("Why the deadline was extended, as the person was told.");
        Field(r => r.Requester, nullable: true).Description("Who made the request, in staff's words; null for self-service and once closed.");
        Field(r => r.CodeExpiresAt, nullable: true).Description("Self-service, awaiting confirmation: until when the e-mailed code works (24 hours). The code itself is never readable.");
        Field(r => r.ClosedAt, nullable: true).Description("When it was carried out or cancelled.");
        Field(r => r.CancelReason, nullable: true).Description("Why it was cancelled, if a reason was given.");
        Field(r => r.RecordedBy, nullable: true).Description("The staff member who recorded it (token `sub`); null for self-service.").Allow(Roles.Staff);
        Field<UserType>("user")
            .Description("The account, while the request is open; null once closed (the account is erased, or the request cancelled).")
            .Resolve(ctx => ctx.Source.UserId is { } id ? UserById(ctx, id) : null);
        this.Allow(Roles.User, Roles.Staff);
    }

    private static IDataLoaderResult<User?> UserById(IResolveFieldContext ctx, Guid id) =>
        ctx.Loader<Guid, User>("deletionRequestUser", async (services, ids, ct) =>
        {
            await using var db = await services.GetRequiredService<IDbContextFactory<ImailDbContext>>().CreateDbContextAsync(ct);
            return (IReadOnlyDictionary<Guid, User>)await db.Users.AsNoTracking().Where(u => ids.Contains(u.Id)).ToDictionaryAsync(u => u.Id, ct);
        }).Load(id);
}

public sealed class DeletionRequestChannelType() : EnumType<RequestChannel>("DeletionRequestChannel", "How a deletion request reached the publisher (P10).",
    ("SELF_SERVICE", "From the account settings, confirmed with the e-mailed code (`requestAccountDeletion`)."),
    ("OTHER", "Any other way; say which in the staff action's words."));

public sealed class DeletionRequestStateType() : EnumType<DeletionRequestState>("DeletionRequestState", "Where a deletion request stands (P10).",
    ("AWAITING_CONFIRMATION", "Self-service: the code was e-mailed; nothing happens until it is entered."),
    ("PENDING", "Received; to be carried out by `dueAt`."),
    ("COMPLETED", "Carried out: the account is erased."),
    ("CANCELLED", "Withdrawn by the person, or cancelled by staff."));

public sealed class DeletionRequestStatusType() : EnumType<DeletionRequestStatus>("DeletionRequestStatus", "A filter on deletion requests by their deadline.",
    ("OPEN", "Awaiting the person's code, or pending."),
    ("DUE_SOON", "Pending, not past due, and due within `Imail:Lifecycle:DueSoonDays` days (default 7)."),
    ("OVERDUE", "Pending and past due."),
    ("CLOSED", "Carried out or cancelled."));

public sealed class DeletionRequestConnectionType() : ConnectionType<DeletionRequestType, DeletionRequest>("DeletionRequest");
