using System.Security.Claims;
using GraphQL.Types;
using Imail.Api.Auth;
using Imail.Api.GraphQL;
using Imail.Domain.Consents;
using Imail.Domain.Lifecycle;
using Imail.Domain.Persistence;

namespace Imail.Api.Lifecycle;

public sealed record RequestAccountDeletionInput(string? ClientMutationId);

public sealed record ConfirmAccountDeletionInput(string Code);

public sealed record CancelAccountDeletionInput(string? Reason);

public sealed record RecordDeletionRequestInput(Guid UserId, RequestChannel Channel, string Requester, DateTimeOffset? ReceivedAt);

public sealed record ExtendDeletionRequestInput(Guid Id, int Months, string Reason);

public sealed record CancelDeletionRequestInput(Guid Id, string Reason);

public sealed record CarryOutDeletionRequestInput(Guid Id);

/// <summary>What carrying out a request answers: the request, closed, and when the account was erased.</summary>
public sealed record CarriedOutDeletion(DeletionRequest Request, DateTimeOffset ErasedAt);

/// <summary>Account deletion on request (P10): the person's self-service mutations, and staff's for requests made to the publisher.</summary>
public sealed class DeletionMutations(PersonalDataCatalogue catalogue, ConsentRules rules, TimeProvider clock) : IMutationFields
{
    private readonly PayloadGraph<DeletionRequest> _request = new("DeletionRequestPayload",
        "The answer of a deletion-request mutation: the request as it now is, or the typed errors that prevented the change.",
        p => p.Result<DeletionRequestType>("deletionRequest", "The request as it now is. Null when `errors` is not empty.", r => r));

    public void AddTo(MutationType mutation)
    {
        mutation.Mutation<RequestAccountDeletionInputType, RequestAccountDeletionInput, DeletionRequest>("requestAccountDeletion", _request,
            "Asks for the signed-in person's account to be erased (P10). Nothing is deleted yet: a code is e-mailed to the account's address, valid 24 hours, and `confirmAccountDeletion` with it erases the account. Asking again before confirming sends a new code (the former one stops working).",
            ["DELETION_REQUEST_PENDING (a request made to the publisher is pending; it will be carried out by its due date)", "USER_NOT_FOUND"],
            async m => await Desk(await m.DbAsync()).RequestAsync(await m.CallerAsync(), m.Cancellation),
            retryRaces: true)
            .Allow(Roles.User)
            .RateLimited(RateLimitPolicy.Email);

        mutation.Mutation<ConfirmAccountDeletionInputType, ConfirmAccountDeletionInput, DateTimeOffset?>("confirmAccountDeletion",
            new PayloadGraph<DateTimeOffset?>("ConfirmAccountDeletionPayload",
                "The answer of `confirmAccountDeletion`: when the account was erased, or the typed errors that prevented it.",
                p => p.Result<DateTimeOffsetGraphType>("erasedAt", "When the account was erased. Null when `errors` is not empty.", at => at)),
            "Confirms the deletion with the e-mailed code and erases the account at once, in one transaction (P8, P10): the profile, consents, devices, navigation data, connected accounts and messages are gone; a confirmation is e-mailed to the former address. The person's tokens then get `USER_NOT_FOUND`.",
            ["NO_PENDING_DELETION (nothing awaits confirmation: ask with `requestAccountDeletion`)", "INVALID_DELETION_CODE (wrong, or more than 24 hours old)", "USER_NOT_FOUND"],
            async m =>
            {
                var user = await m.CallerIdAsync();
                return (await Desk(await m.DbAsync()).ConfirmAsync(user, m.Input.Code, m.Cancellation)).ErasedAt;
            })
            .Allow(Roles.User)
            .RateLimited(RateLimitPolicy.Email);

        mutation.Mutation<CancelAccountDeletionInputType, CancelAccountDeletionInput, DeletionRequest>("cancelAccountDeletion", _request,
            "Withdraws the signed-in person's deletion request while it awaits the code: the account stays, the code stops working. A request made to the publisher is withdrawn through the publisher.",
            ["NO_PENDING_DELETION", "DELETION_REQUEST_PENDING (made to the publisher)", "INVALID_REASON", "USER_NOT_FOUND"],
            async m =>
            {
                var user = await m.CallerIdAsync();
                return await Desk(await m.DbAsync()).CancelAsync(user, m.Input.Reason, m.Cancellation);
            })
            .Allow(Roles.User);

        mutation.Mutation<RecordDeletionRequestInputType, RecordDeletionRequestInput, DeletionRequest>("recordDeletionRequest", _request,
            "Records a deletion request made to the publisher (staff): pending, due one calendar month after receipt (31 January → 28 or 29 February). The person is e-mailed the due date; the staff action is audited (P11). A self-service request awaiting its code is superseded.",
            ["USER_NOT_FOUND", "INVALID_CHANNEL (SELF_SERVICE)", "INVALID_REQUESTER", "INVALID_RECEIVED_AT (in the future, or over a year ago)", "DELETION_ALREADY_RECORDED"],
            async m => await Desk(await m.DbAsync()).RecordAsync(m.Input.UserId, m.Input.Channel, m.Input.Requester, m.Input.ReceivedAt, Staff(m.Field.User), m.Cancellation),
            onUniqueViolation: new Conflict("DELETION_ALREADY_RECORDED", "Another deletion request for this account was recorded at the same moment.", "userId"))
            .Allow(Roles.Staff);

        mutation.Mutation<ExtendDeletionRequestInputType, ExtendDeletionRequestInput, DeletionRequest>("extendDeletionRequest", _request,
            "Extends a pending request's deadline by one or two further months, two in all, counted from receipt (staff). The person is e-mailed the new date and the reason.",
            ["DELETION_REQUEST_NOT_FOUND", "REQUEST_NOT_PENDING", "INVALID_EXTENSION (more than two months in all)", "INVALID_REASON", "USER_NOT_FOUND"],
            async m => await Desk(await m.DbAsync()).ExtendAsync(m.Input.Id, m.Input.Months, m.Input.Reason, Staff(m.Field.User), m.Cancellation))
            .Allow(Roles.Staff);

        mutation.Mutation<CancelDeletionRequestInputType, CancelDeletionRequestInput, DeletionRequest>("cancelDeletionRequest", _request,
            "Cancels an open request without erasing anything (staff), with the reason; audited.",
            ["DELETION_REQUEST_NOT_FOUND", "REQUEST_NOT_PENDING", "INVALID_REASON"],
            async m => await Desk(await m.DbAsync()).CancelByStaffAsync(m.Input.Id, m.Input.Reason, Staff(m.Field.User), m.Cancellation))
            .Allow(Roles.Staff);

        mutation.Mutation<CarryOutDeletionRequestInputType, CarryOutDeletionRequestInput, CarriedOutDeletion>("carryOutDeletionRequest",
            new PayloadGraph<CarriedOutDeletion>("CarryOutDeletionRequestPayload",
                "The answer of `carryOutDeletionRequest`: the request, completed, and when the account was erased; or the typed errors that prevented it.",
                p => p.Result<DeletionRequestType>("deletionRequest", "The request, completed. Null when `errors` is not empty.", r => r.Request)
                    .Result<DateTimeOffsetGraphType>("erasedAt", "When the account was erased. Null when `errors` is not empty.", r => r.ErasedAt)),
            "Carries out a pending request (staff): the erasure of P8, in one transaction with the audited staff action; the person is e-mailed a confirmation. Of two staff members carrying out the same request at once, one erases, the other gets `REQUEST_NOT_PENDING`.",
            ["DELETION_REQUEST_NOT_FOUND", "REQUEST_NOT_PENDING (awaiting the person's code, or already closed)", "USER_NOT_FOUND"],
            async m =>
            {
                var (request, erasure) = await Desk(await m.DbAsync()).CarryOutAsync(m.Input.Id, Staff(m.Field.User), m.Cancellation);
                return new CarriedOutDeletion(request, erasure.ErasedAt);
            })
            .Allow(Roles.Staff);
    }

    private DeletionDesk Desk(ImailDbContext db) => new(db, catalogue, clock, rules.Zone);

    /// <summary>The staff member, as the audit names them: their token's <c>sub</c>.</summary>
    private static string Staff(ClaimsPrincipal? user) => user?.FindFirstValue("sub") is { Length: > 0 } sub
        ? sub
        : throw new InvalidOperationException("A staff token without a subject.");
}

public sealed class RequestAccountDeletionInputType : InputObjectGraphType<RequestAccountDeletionInput>
{
    public RequestAccountDeletionInputType()
    {
        Name = "RequestAccountDeletionInput";
        Description = "Nothing to say: send `input: {}`.";
        Field(i => i.ClientMutationId, nullable: true).Description("Optional and ignored (neither stored nor echoed): GraphQL wants every input object to have a field.");
    }
}

public sealed class ConfirmAccountDeletionInputType : InputObjectGraphType<ConfirmAccountDeletionInput>
{
    public ConfirmAccountDeletionInputType()
    {
        Name = "ConfirmAccountDeletionInput";
        Field(i => i.Code).Description("The code of the e-mail, as written (case, spaces and dashes do not matter).");
    }
}

public sealed class CancelAccountDeletionInputType : InputObjectGraphType<CancelAccountDeletionInput>
{
    public CancelAccountDeletionInputType()
    {
        Name = "CancelAccountDeletionInput";
        Description = "Send `input: {}`, or say why.";
        Field(i => i.Reason, nullable: true).Description("Why, if the person wants to say (at most 2000 characters); kept with the closed request, their name blanked if the account is erased later.");
    }
}

public sealed class RecordDeletionRequestInputType : InputObjectGraphType<RecordDeletionRequestInput>
{
    public RecordDeletionRequestInputType()
    {
        Name = "RecordDeletionRequestInput";
        Field(i => i.UserId, type: typeof(NonNullGraphType<IdGraphType>)).Description("The account to erase.");
        Field(i => i.Channel, type: typeof(NonNullGraphType<DeletionRequestChannelType>)).Description("How the request reached the publisher (not SELF_SERVICE).");
        Field(i => i.Requester).Description("Who made it, in your words (\"the account holder\", \"their lawyer\"), 1 to 200 characters; cleared when the request closes.");
        Field(i => i.ReceivedAt, nullable: true).Description("When the publisher received it (the postmark, the e-mail's date), within the last year; default now. The month runs from here.");
    }
}

public sealed class ExtendDeletionRequestInputType : InputObjectGraphType<ExtendDeletionRequestInput>
{
    public ExtendDeletionRequestInputType()
    {
        Name = "ExtendDeletionRequestInput";
        Field(i => i.Id, type: typeof(NonNullGraphType<IdGraphType>)).Description("The pending request.");
        Field(i => i.Months).Description("1 or 2; two further months in all per request.");
        Field(i => i.Reason).Description("Why (the complexity or number of requests), 1 to 2000 characters: e-mailed to the person as written.");
    }
}

public sealed class CancelDeletionRequestInputType : InputObjectGraphType<CancelDeletionRequestInput>
{
    public CancelDeletionRequestInputType()
    {
        Name = "CancelDeletionRequestInput";
        Field(i => i.Id, type: typeof(NonNullGraphType<IdGraphType>)).Description("The open request.");
        Field(i => i.Reason).Description("Why (withdrawn by the person, identity not established…), 1 to 2000 characters; audited.");
    }
}

public sealed class CarryOutDeletionRequestInputType : InputObjectGraphType<CarryOutDeletionRequestInput>
{
    public CarryOutDeletionRequestInputType()
    {
        Name = "CarryOutDeletionRequestInput";
        Field(i => i.Id, type: typeof(NonNullGraphType<IdGraphType>)).Description("The pending request to carry out.");
    }
}
