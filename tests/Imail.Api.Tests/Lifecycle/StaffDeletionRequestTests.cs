using System.Text.Json.Nodes;
using Imail.Api.Auth;
using Imail.Domain.Lifecycle;
using Imail.Domain.Outbox;
using Imail.Testing;
using Microsoft.EntityFrameworkCore;

namespace Imail.Api.Tests.Lifecycle;

/// <summary>P10, "a request made to the publisher, carried out by staff"; P8, "staff record the request and the system carries it out well inside the legal one-month limit".</summary>
public sealed class StaffDeletionRequestTests(ImailApiFactory api) : IClassFixture<ImailApiFactory>
{
    private string Alice => api.Token(Roles.Staff, "alice");

    private async Task<Guid> PersonAsync(string locale = "fr") => (await api.CreateUserAsync($"{Guid.NewGuid():N}@example.org", "Zoé Peeters", locale)).Id;

    private async Task<JsonNode> RecordAsync(Guid person, DateTimeOffset? receivedAt = null, string channel = "POST") =>
        (await api.GraphQLAsync(DeletionApi.Record, new { userId = person, channel, requester = "the account holder", receivedAt }, Alice))
            .Payload("recordDeletionRequest").Ok()["deletionRequest"]!;

    [Fact]
    public async Task P10_Staff_RecordARequest_DueOneCalendarMonthAfterReceipt_AuditedAndThePersonIsTold()
    {
        var person = await PersonAsync("nl");
        var receivedAt = api.Clock.GetUtcNow().AddDays(-3);

        var request = await RecordAsync(person, receivedAt);

        Assert.Equal(("POST", "PENDING", "the account holder", "alice"),
            ((string?)request["channel"], (string?)request["state"], (string?)request["requester"], (string?)request["recordedBy"]));
        Assert.Equal(receivedAt, request["receivedAt"].Instant());
        Assert.Equal(receivedAt.AddMonths(1), request["dueAt"].Instant());
        Assert.Equal(person.ToString(), (string?)request["user"]!["id"]);
        var auditRef = await api.ExecuteDbAsync(db => db.Users.Where(u => u.Id == person).Select(u => u.AuditRef).SingleAsync());
        var action = await api.ExecuteDbAsync(db => db.StaffActions.AsNoTracking().SingleAsync(a => a.Subject == auditRef));
        Assert.Equal((StaffActionKind.DeletionRequestRecorded, "alice", "Deletion request received by post."), (action.Action, action.Actor, action.Reason));
        Assert.Contains((string)request["id"]!, action.Details);
        var (_, values) = await api.LastEmailAsync(person, EmailTemplates.DeletionRequestReceived);
        Assert.Equal(receivedAt.AddMonths(1), ((string)values["dueAt"]!).AsInstant());
        Assert.EndsWith("+01:00", (string)values["dueAt"]!); // the publisher's wall clock (Brussels, winter)
        // A second record for the same account is refused while the first is pending.
        var again = (await api.GraphQLAsync(DeletionApi.Record, new { userId = person, channel = "EMAIL", requester = "x" }, Alice)).Payload("recordDeletionRequest");
        Assert.Equal(["DELETION_ALREADY_RECORDED"], again.Codes());
    }

    [Fact]
    public async Task P10_Staff_RecordingSupersedesASelfServiceRequestAwaitingItsCode()
    {
        var person = await PersonAsync();
        await api.GraphQLAsync(DeletionApi.Request, token: api.UserToken(person));
        var code = await api.CodeAsync(person);

        var request = await RecordAsync(person);

        Assert.Equal("PENDING", (string?)request["state"]);
        Assert.Equal(["NO_PENDING_DELETION"], (await api.GraphQLAsync(DeletionApi.Confirm, new { code }, api.UserToken(person))).Payload("confirmAccountDeletion").Codes());
        Assert.Equal(1, await api.ExecuteDbAsync(db => db.DeletionRequests.CountAsync(r => r.UserId == person)));
    }

    [Fact]
    public async Task P10_Staff_ExtendByTwoFurtherMonthsAtMost_TheThirdMonthIsRefused_ThePersonIsToldWhyAndUntilWhen()
    {
        var person = await PersonAsync();
        var request = await RecordAsync(person);
        var id = (string)request["id"]!;
        var receivedAt = request["receivedAt"].Instant();

        var tooMuch = (await api.GraphQLAsync(DeletionApi.Extend, new { id, months = 3, reason = "many requests" }, Alice)).Payload("extendDeletionRequest");
        Assert.Equal(["INVALID_EXTENSION"], tooMuch.Codes());
        var once = (await api.GraphQLAsync(DeletionApi.Extend, new { id, months = 1, reason = "We received many requests this month." }, Alice))
            .Payload("extendDeletionRequest").Ok()["deletionRequest"]!;
        Assert.Equal((1, receivedAt.AddMonths(2)), ((int)once["extendedByMonths"]!, once["dueAt"].Instant()));
        var (_, values) = await api.LastEmailAsync(person, EmailTemplates.DeletionRequestExtended);
        Assert.Equal("We received many requests this month.", (string?)values["extensionReason"]);
        Assert.Equal(receivedAt.AddMonths(2), ((string)values["dueAt"]!).AsInstant());

        Assert.Equal(["INVALID_EXTENSION"], (await api.GraphQLAsync(DeletionApi.Extend, new { id, months = 2, reason = "more" }, Alice)).Payload("extendDeletionRequest").Codes());
        var twice = (await api.GraphQLAsync(DeletionApi.Extend, new { id, months = 1, reason = "Still many." }, Alice)).Payload("extendDeletionRequest").Ok()["deletionRequest"]!;
        Assert.Equal((2, receivedAt.AddMonths(3)), ((int)twice["extendedByMonths"]!, twice["dueAt"].Instant()));
        Assert.Equal(["INVALID_EXTENSION"], (await api.GraphQLAsync(DeletionApi.Extend, new { id, months = 1, reason = "a third" }, Alice)).Payload("extendDeletionRequest").Codes());
        Assert.Equal(receivedAt.AddMonths(3), await api.ExecuteDbAsync(db => db.DeletionRequests.Where(r => r.Id == Guid.Parse(id)).Select(r => r.DueAt).SingleAsync()));
        var extensions = await api.ExecuteDbAsync(db => db.StaffActions.AsNoTracking().Where(a => a.Action == StaffActionKind.DeletionRequestExtended).ToListAsync());
        Assert.Equal(2, extensions.Count(a => a.Details.Contains(id)));
    }

    [Fact]
    public async Task P10_Staff_CarryOut_ErasesTheAccount_TheActionSavedFirstOutlivesItWithoutTheName()
    {
        var person = (await api.CreateUserAsync($"{Guid.NewGuid():N}@example.org", "Zoé Peeters", "en"));
        var request = await RecordAsync(person.Id);
        var id = (string)request["id"]!;
        api.Clock.Advance(TimeSpan.FromMinutes(1));
        (await api.GraphQLAsync(DeletionApi.Extend, new { id, months = 1, reason = "Zoé Peeters asked us to wait for her lawyer." }, Alice)).Payload("extendDeletionRequest").Ok();

        api.Clock.Advance(TimeSpan.FromMinutes(1));
        var done = (await api.GraphQLAsync(DeletionApi.CarryOut, new { id }, api.Token(Roles.Staff, "bob"))).Payload("carryOutDeletionRequest").Ok();

        Assert.Equal(api.Clock.GetUtcNow(), done["erasedAt"].Instant());
        var closed = done["deletionRequest"]!;
        Assert.Equal(("COMPLETED", (string?)null), ((string?)closed["state"], (string?)closed["requester"]));
        Assert.Null(closed["user"]);
        Assert.False(await api.ExecuteDbAsync(db => db.Users.AnyAsync(u => u.Id == person.Id)));
        var erasure = await api.ExecuteDbAsync(db => db.Erasures.AsNoTracking().SingleAsync(e => e.RequestId == Guid.Parse(id)));
        Assert.Equal((ErasureReason.Request, "staff", "bob", person.AuditRef), (erasure.Reason, erasure.ByRole, erasure.ByActor, erasure.Subject));
        var actions = await api.ExecuteDbAsync(db => db.StaffActions.AsNoTracking().Where(a => a.Subject == person.AuditRef).OrderBy(a => a.At).ThenBy(a => a.Id).ToListAsync());
        Assert.Equal([StaffActionKind.DeletionRequestRecorded, StaffActionKind.DeletionRequestExtended, StaffActionKind.DeletionRequestCarriedOut], actions.Select(a => a.Action));
        Assert.Equal("bob", actions[^1].Actor);
        Assert.Equal("[erased] asked us to wait for her lawyer.", actions[1].Reason);
        var confirmations = await api.ExecuteDbAsync(db => db.OutboxMessages.AsNoTracking()
            .Where(m => m.Kind == EmailTemplates.KindPrefix + EmailTemplates.ErasureConfirmation && m.ErasePayloadOnDelivery).ToListAsync());
        Assert.Single(confirmations, m => m.Payload.Contains(person.Email));
        Assert.Equal(["REQUEST_NOT_PENDING"], (await api.GraphQLAsync(DeletionApi.CarryOut, new { id }, Alice)).Payload("carryOutDeletionRequest").Codes());
    }

    [Fact]
    public async Task P10_Staff_TwoCarryingOutTheSameRequestAtOnce_OneErases_TheOtherGetsATypedError()
    {
        var person = await PersonAsync();
        var id = (string)(await RecordAsync(person))["id"]!;
        var auditRef = await api.ExecuteDbAsync(db => db.Users.Where(u => u.Id == person).Select(u => u.AuditRef).SingleAsync());

        var both = await Task.WhenAll(Enumerable.Range(0, 2).Select(i =>
            api.GraphQLAsync(DeletionApi.CarryOut, new { id }, api.Token(Roles.Staff, $"staff-{i}"))));

        var payloads = both.Select(r => r.Payload("carryOutDeletionRequest")).ToList();
        Assert.Single(payloads, p => p.Codes().Length == 0);
        Assert.Equal(["REQUEST_NOT_PENDING"], Assert.Single(payloads, p => p.Codes().Length > 0).Codes());
        Assert.Equal(1, await api.ExecuteDbAsync(db => db.Erasures.CountAsync(e => e.Subject == auditRef)));
        Assert.Equal(1, await api.ExecuteDbAsync(db => db.StaffActions.CountAsync(a => a.Subject == auditRef && a.Action == StaffActionKind.DeletionRequestCarriedOut)));
    }

    [Fact]
    public async Task P10_Staff_Cancel_WithAReason_ClosesTheRequestAndKeepsTheAccount()
    {
        var person = await PersonAsync();
        var id = (string)(await RecordAsync(person))["id"]!;

        Assert.Equal(["INVALID_REASON"], (await api.GraphQLAsync(DeletionApi.CancelByStaff, new { id, reason = "  " }, Alice)).Payload("cancelDeletionRequest").Codes());
        var cancelled = (await api.GraphQLAsync(DeletionApi.CancelByStaff, new { id, reason = "Withdrawn by letter of 2 December." }, Alice))
            .Payload("cancelDeletionRequest").Ok()["deletionRequest"]!;

        Assert.Equal(("CANCELLED", (string?)null), ((string?)cancelled["state"], (string?)cancelled["requester"]));
        Assert.True(await api.ExecuteDbAsync(db => db.Users.AnyAsync(u => u.Id == person)));
        Assert.Equal(["REQUEST_NOT_PENDING"], (await api.GraphQLAsync(DeletionApi.CarryOut, new { id }, Alice)).Payload("carryOutDeletionRequest").Codes());
    }

    [Fact]
    public async Task P10_Staff_UnknownIds_AndAPersonsIdForARequestsOne_AreTypedNotFoundErrors()
    {
        var person = await PersonAsync();
        await RecordAsync(person);
        foreach (var id in new[] { Guid.NewGuid(), person })
        {
            foreach (var (mutation, field, variables) in new (string, string, object)[]
            {
                (DeletionApi.Extend, "extendDeletionRequest", new { id, months = 1, reason = "x" }),
                (DeletionApi.CancelByStaff, "cancelDeletionRequest", new { id, reason = "x" }),
                (DeletionApi.CarryOut, "carryOutDeletionRequest", new { id }),
            })
            {
                var payload = (await api.GraphQLAsync(mutation, variables, Alice)).Payload(field);
                Assert.Equal(["DELETION_REQUEST_NOT_FOUND"], payload.Codes());
                Assert.Equal("NotFoundError", (string?)payload["errors"]![0]!["__typename"]);
            }
        }
        var unknownUser = (await api.GraphQLAsync(DeletionApi.Record, new { userId = Guid.NewGuid(), channel = "POST", requester = "x" }, Alice)).Payload("recordDeletionRequest");
        Assert.Equal(["USER_NOT_FOUND"], unknownUser.Codes());
        Assert.True(await api.ExecuteDbAsync(db => db.Users.AnyAsync(u => u.Id == person)));
    }

    [Fact]
    public async Task P10_Staff_WhatStaffTypeIsChecked_ControlCharactersAndHugeTextAreTypedErrors()
    {
        var person = await PersonAsync();
        var id = (string)(await RecordAsync(person))["id"]!;
        var huge = new string('a', 200 * 1024);

        // Refused before anything runs, whatever the field: NUL and other controls, and strings over the transport's limit.
        foreach (var (mutation, variables, code) in new (string, object, string)[]
        {
            (DeletionApi.Record, new { userId = person, channel = "POST", requester = "Zoé\0" }, "INVALID_CHARACTERS"),
            (DeletionApi.Record, new { userId = person, channel = "POST", requester = huge }, "STRING_TOO_LONG"),
            (DeletionApi.Extend, new { id, months = 1, reason = "bell\u0007" }, "INVALID_CHARACTERS"),
            (DeletionApi.Extend, new { id, months = 1, reason = huge }, "STRING_TOO_LONG"),
            (DeletionApi.CancelByStaff, new { id, reason = huge }, "STRING_TOO_LONG"),
        })
        {
            var response = await api.GraphQLAsync(mutation, variables, Alice);
            Assert.Equal(400, response.Status);
            Assert.Equal([code], response.ErrorCodes);
        }

        // Within the transport's limit, the fields' own rules answer in the payload.
        var other = await PersonAsync();
        foreach (var (mutation, field, variables, code) in new (string, string, object, string)[]
        {
            (DeletionApi.Record, "recordDeletionRequest", new { userId = other, channel = "POST", requester = "Zoé\u202Eevil" }, "INVALID_REQUESTER"),
            (DeletionApi.Record, "recordDeletionRequest", new { userId = other, channel = "POST", requester = new string('a', 201) }, "INVALID_REQUESTER"),
            (DeletionApi.Record, "recordDeletionRequest", new { userId = other, channel = "SELF_SERVICE", requester = "x" }, "INVALID_CHANNEL"),
            (DeletionApi.Record, "recordDeletionRequest", new { userId = other, channel = "POST", requester = "x", receivedAt = api.Clock.GetUtcNow().AddDays(1) }, "INVALID_RECEIVED_AT"),
            (DeletionApi.Extend, "extendDeletionRequest", new { id, months = 1, reason = new string('a', 2001) }, "INVALID_REASON"),
            (DeletionApi.Extend, "extendDeletionRequest", new { id, months = 1, reason = "x\u202Ey" }, "INVALID_REASON"),
        })
            Assert.Equal([code], (await api.GraphQLAsync(mutation, variables, Alice)).Payload(field).Codes());
        Assert.False(await api.ExecuteDbAsync(db => db.DeletionRequests.AnyAsync(r => r.UserId == other)));
        Assert.Equal(0, await api.ExecuteDbAsync(db => db.DeletionRequests.Where(r => r.Id == Guid.Parse(id)).Select(r => r.ExtendedByMonths).SingleAsync()));
    }

    [Fact]
    public async Task P10_Staff_TheListShowsWhatIsOverdueAndDueSoon_SoonestDueFirst_InPages()
    {
        var now = api.Clock.GetUtcNow();
        var overdue = (string)(await RecordAsync(await PersonAsync(), now.AddDays(-40)))["id"]!;
        var dueSoon = (string)(await RecordAsync(await PersonAsync(), now.AddMonths(-1).AddDays(3)))["id"]!;
        var later = (string)(await RecordAsync(await PersonAsync(), now.AddDays(-1)))["id"]!;
        var closed = (string)(await RecordAsync(await PersonAsync(), now.AddDays(-2)))["id"]!;
        (await api.GraphQLAsync(DeletionApi.CancelByStaff, new { id = closed, reason = "withdrawn" }, Alice)).Payload("cancelDeletionRequest").Ok();

        async Task<List<string>> ListAsync(string? status)
        {
            var ids = new List<string>();
            string? after = null;
            do
            {
                var page = (await api.GraphQLAsync("""
                    query($status: DeletionRequestStatus, $after: String) {
                      deletionRequests(status: $status, first: 2, after: $after) { nodes { id dueAt } pageInfo { hasNextPage endCursor } totalCount }
                    }
                    """, new { status, after }, Alice)).DataOrFail()["deletionRequests"]!;
                var nodes = page["nodes"]!.AsArray();
                Assert.True(nodes.Count <= 2);
                ids.AddRange(nodes.Select(n => (string)n!["id"]!));
                after = (bool)page["pageInfo"]!["hasNextPage"]! ? (string?)page["pageInfo"]!["endCursor"] : null;
            } while (after is not null);
            return ids;
        }

        var open = await ListAsync("OPEN");
        Assert.Equal(open.Distinct(), open);
        Assert.Equal([overdue, dueSoon, later], open.Where(id => id == overdue || id == dueSoon || id == later));
        Assert.DoesNotContain(closed, open);
        var dueAts = await api.ExecuteDbAsync(db => db.DeletionRequests.Where(r => r.State == DeletionRequestState.Pending || r.State == DeletionRequestState.AwaitingConfirmation)
            .OrderBy(r => r.DueAt).ThenBy(r => r.Id).Select(r => r.Id.ToString()).ToListAsync());
        Assert.Equal(dueAts, open);

        var soon = await ListAsync("DUE_SOON");
        Assert.Contains(dueSoon, soon);
        Assert.DoesNotContain(overdue, soon);
        Assert.DoesNotContain(later, soon);
        var late = await ListAsync("OVERDUE");
        Assert.Contains(overdue, late);
        Assert.DoesNotContain(dueSoon, late);
        Assert.Contains(closed, await ListAsync("CLOSED"));
        Assert.Contains("ACCESS_DENIED", (await api.GraphQLAsync("{ deletionRequests { totalCount } }", token: api.Token(Roles.Partner, "partner-test"))).ErrorCodes);
        Assert.Contains("ACCESS_DENIED", (await api.GraphQLAsync("{ deletionRequests { totalCount } }", token: api.UserToken(await PersonAsync()))).ErrorCodes);
        Assert.Contains("AUTH_NOT_AUTHENTICATED", (await api.GraphQLAsync("{ deletionRequests { totalCount } }")).ErrorCodes);
    }

    [Fact]
    public async Task P8_AnAccountErasedAnotherWay_ClosesItsOpenRequest_WhichThenNamesNobody()
    {
        var person = await PersonAsync();
        var id = Guid.Parse((string)(await RecordAsync(person))["id"]!);

        await api.ExecuteDbAsync(async db =>
        {
            var catalogue = new Imail.Domain.Persistence.PersonalDataCatalogue(db.Model);
            await new Erasure(db, catalogue, api.Clock).EraseAsync(person, ErasureReason.Inactivity, Eraser.System, null, CancellationToken.None);
        });

        var request = await api.ExecuteDbAsync(db => db.DeletionRequests.AsNoTracking().SingleAsync(r => r.Id == id));
        Assert.Equal((DeletionRequestState.Completed, null, null), (request.State, request.UserId, request.Requester));
        var carryOut = (await api.GraphQLAsync(DeletionApi.CarryOut, new { id }, Alice)).Payload("carryOutDeletionRequest");
        Assert.Equal("REQUEST_NOT_PENDING", (string?)carryOut["errors"]![0]!["code"]);
    }
}
