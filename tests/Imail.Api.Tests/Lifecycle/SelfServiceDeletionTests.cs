using Imail.Api.Auth;
using Imail.Domain.Lifecycle;
using Imail.Domain.Outbox;
using Imail.Testing;
using Microsoft.EntityFrameworkCore;

namespace Imail.Api.Tests.Lifecycle;

/// <summary>P10, "a self-service mutation from the account settings … the user receives a confirmation e-mail; the erasure of P8 follows".</summary>
public sealed class SelfServiceDeletionTests(ImailApiFactory api) : IClassFixture<ImailApiFactory>
{
    private async Task<Guid> PersonAsync(string locale = "fr") => (await api.CreateUserAsync($"{Guid.NewGuid():N}@example.org", "Zoé Peeters", locale)).Id;

    [Fact]
    public async Task P10_SelfService_AskingEmailsACode_AndConfirmingWithItErasesTheAccount()
    {
        var person = await PersonAsync();
        var token = api.UserToken(person);
        var now = api.Clock.GetUtcNow();

        var asked = (await api.GraphQLAsync(DeletionApi.Request, token: token)).Payload("requestAccountDeletion").Ok()["deletionRequest"]!;
        Assert.Equal(("SELF_SERVICE", "AWAITING_CONFIRMATION"), ((string?)asked["channel"], (string?)asked["state"]));
        Assert.Equal(now.AddHours(24), asked["codeExpiresAt"].Instant());
        var (email, values) = await api.LastEmailAsync(person, EmailTemplates.DeletionConfirmationCode);
        Assert.Equal(now.AddHours(24), email.DiscardAfter); // a code e-mail delivered after the code expired is pointless
        Assert.Equal(now.AddHours(24), ((string)values["codeExpiresAt"]!).AsInstant());
        var mine = (await api.GraphQLAsync("{ me { deletionRequest { id state codeExpiresAt } } }", token: token)).DataOrFail()["me"]!["deletionRequest"]!;
        Assert.Equal(((string?)asked["id"], "AWAITING_CONFIRMATION"), ((string?)mine["id"], (string?)mine["state"]));

        var confirmed = (await api.GraphQLAsync(DeletionApi.Confirm, new { code = await api.CodeAsync(person) }, token)).Payload("confirmAccountDeletion").Ok();

        Assert.Equal(now, confirmed["erasedAt"].Instant());
        Assert.False(await api.ExecuteDbAsync(db => db.Users.AnyAsync(u => u.Id == person)));
        var request = await api.ExecuteDbAsync(db => db.DeletionRequests.AsNoTracking().SingleAsync(r => r.Id == Guid.Parse((string)asked["id"]!)));
        Assert.Equal((DeletionRequestState.Completed, (Guid?)null, (string?)null), (request.State, request.UserId, request.CodeHash));
        var erasure = await api.ExecuteDbAsync(db => db.Erasures.AsNoTracking().SingleAsync(e => e.RequestId == request.Id));
        Assert.Equal((ErasureReason.SelfService, "user", (string?)null), (erasure.Reason, erasure.ByRole, erasure.ByActor));
        // The person's token now names nobody.
        var after = (await api.GraphQLAsync("""mutation { updateProfile(input: { displayName: "Ghost" }) { errors { code } } }""", token: token)).Payload("updateProfile");
        Assert.Equal(["USER_NOT_FOUND"], after.Codes());
        Assert.Equal(["USER_NOT_FOUND"], (await api.GraphQLAsync(DeletionApi.Request, token: token)).Payload("requestAccountDeletion").Codes());
    }

    [Fact]
    public async Task P10_SelfService_AskingAgain_ReplacesTheCodeOnTheSameRequest()
    {
        var person = await PersonAsync();
        var token = api.UserToken(person);
        var first = (await api.GraphQLAsync(DeletionApi.Request, token: token)).Payload("requestAccountDeletion").Ok()["deletionRequest"]!;
        var firstCode = await api.CodeAsync(person);
        api.Clock.Advance(TimeSpan.FromMinutes(10));

        var second = (await api.GraphQLAsync(DeletionApi.Request, token: token)).Payload("requestAccountDeletion").Ok()["deletionRequest"]!;
        var secondCode = await api.CodeAsync(person);

        Assert.Equal((string?)first["id"], (string?)second["id"]);
        Assert.Equal(api.Clock.GetUtcNow().AddHours(24), second["codeExpiresAt"].Instant());
        Assert.NotEqual(firstCode, secondCode);
        Assert.Equal(1, await api.ExecuteDbAsync(db => db.DeletionRequests.CountAsync(r => r.UserId == person)));
        Assert.Equal(["INVALID_DELETION_CODE"], (await api.GraphQLAsync(DeletionApi.Confirm, new { code = firstCode }, token)).Payload("confirmAccountDeletion").Codes());
        (await api.GraphQLAsync(DeletionApi.Confirm, new { code = secondCode.ToLowerInvariant().Replace("-", " ") }, token)).Payload("confirmAccountDeletion").Ok();
    }

    [Fact]
    public async Task P10_SelfService_AWrongCode_IsATypedError_AndErasesNothing()
    {
        var person = await PersonAsync();
        var token = api.UserToken(person);
        await api.GraphQLAsync(DeletionApi.Request, token: token);

        var wrong = (await api.GraphQLAsync(DeletionApi.Confirm, new { code = "AAAA-BBBB-CCCC-DDDD" }, token)).Payload("confirmAccountDeletion");

        Assert.Equal(["INVALID_DELETION_CODE"], wrong.Codes());
        Assert.Equal("InputError", (string?)wrong["errors"]![0]!["__typename"]);
        Assert.Null(wrong["erasedAt"]);
        Assert.True(await api.ExecuteDbAsync(db => db.Users.AnyAsync(u => u.Id == person)));
        Assert.Equal(DeletionRequestState.AwaitingConfirmation,
            await api.ExecuteDbAsync(db => db.DeletionRequests.Where(r => r.UserId == person).Select(r => r.State).SingleAsync()));
    }

    [Fact]
    public async Task P10_SelfService_TheCodeHolds24Hours_NotASecondMore()
    {
        var early = await PersonAsync();
        var late = await PersonAsync();
        await api.GraphQLAsync(DeletionApi.Request, token: api.UserToken(early));
        await api.GraphQLAsync(DeletionApi.Request, token: api.UserToken(late));

        api.Clock.Advance(TimeSpan.FromHours(24) - TimeSpan.FromSeconds(1));
        (await api.GraphQLAsync(DeletionApi.Confirm, new { code = await api.CodeAsync(early) }, api.UserToken(early))).Payload("confirmAccountDeletion").Ok();

        api.Clock.Advance(TimeSpan.FromSeconds(1));
        var expired = (await api.GraphQLAsync(DeletionApi.Confirm, new { code = await api.CodeAsync(late) }, api.UserToken(late))).Payload("confirmAccountDeletion");
        Assert.Equal(["INVALID_DELETION_CODE"], expired.Codes());
        Assert.True(await api.ExecuteDbAsync(db => db.Users.AnyAsync(u => u.Id == late)));
    }

    [Fact]
    public async Task P10_SelfService_ConfirmingWithoutAsking_IsNoPendingDeletion()
    {
        var person = await PersonAsync();

        var response = (await api.GraphQLAsync(DeletionApi.Confirm, new { code = "AAAA-BBBB-CCCC-DDDD" }, api.UserToken(person))).Payload("confirmAccountDeletion");

        Assert.Equal(["NO_PENDING_DELETION"], response.Codes());
        Assert.Equal("NotFoundError", (string?)response["errors"]![0]!["__typename"]);
    }

    [Fact]
    public async Task P10_SelfService_Cancelling_KeepsTheAccount_AndTheCodeStopsWorking()
    {
        var person = await PersonAsync();
        var token = api.UserToken(person);
        await api.GraphQLAsync(DeletionApi.Request, token: token);
        var code = await api.CodeAsync(person);

        var cancelled = (await api.GraphQLAsync(DeletionApi.Cancel, token: token)).Payload("cancelAccountDeletion").Ok()["deletionRequest"]!;

        Assert.Equal("CANCELLED", (string?)cancelled["state"]);
        Assert.Null(cancelled["user"]);
        Assert.Equal(["NO_PENDING_DELETION"], (await api.GraphQLAsync(DeletionApi.Confirm, new { code }, token)).Payload("confirmAccountDeletion").Codes());
        Assert.Equal(["NO_PENDING_DELETION"], (await api.GraphQLAsync(DeletionApi.Cancel, token: token)).Payload("cancelAccountDeletion").Codes());
        Assert.Null((await api.GraphQLAsync("{ me { deletionRequest { id } } }", token: token)).DataOrFail()["me"]!["deletionRequest"]);
        Assert.True(await api.ExecuteDbAsync(db => db.Users.AnyAsync(u => u.Id == person)));
    }

    [Fact]
    public async Task P10_SelfService_ConfirmRepeatedByAliasesInOneDocument_ErasesOnce_TheOtherIsATypedError()
    {
        var person = await PersonAsync();
        var token = api.UserToken(person);
        await api.GraphQLAsync(DeletionApi.Request, token: token);
        var auditRef = await api.ExecuteDbAsync(db => db.Users.Where(u => u.Id == person).Select(u => u.AuditRef).SingleAsync());

        var data = (await api.GraphQLAsync("""
            mutation($code: String!) {
              a: confirmAccountDeletion(input: { code: $code }) { erasedAt errors { code } }
              b: confirmAccountDeletion(input: { code: $code }) { erasedAt errors { code } }
            }
            """, new { code = await api.CodeAsync(person) }, token)).DataOrFail();

        Assert.NotNull((string?)data["a"]!["erasedAt"]);
        Assert.Null(data["b"]!["erasedAt"]);
        Assert.Equal(["USER_NOT_FOUND"], data["b"]!.Codes());
        Assert.Equal(1, await api.ExecuteDbAsync(db => db.Erasures.CountAsync(e => e.Subject == auditRef)));
    }

    [Fact]
    public async Task P10_SelfService_WhileARequestMadeToThePublisherIsPending_IsATypedError_NotASecondRequest()
    {
        var person = await PersonAsync();
        var token = api.UserToken(person);
        (await api.GraphQLAsync(DeletionApi.Record, new { userId = person, channel = "POST", requester = "the account holder" }, api.Token(Roles.Staff, "alice")))
            .Payload("recordDeletionRequest").Ok();

        var asked = (await api.GraphQLAsync(DeletionApi.Request, token: token)).Payload("requestAccountDeletion");
        var cancel = (await api.GraphQLAsync(DeletionApi.Cancel, token: token)).Payload("cancelAccountDeletion");

        Assert.Equal(["DELETION_REQUEST_PENDING"], asked.Codes());
        Assert.Equal(["DELETION_REQUEST_PENDING"], cancel.Codes());
        Assert.Equal(DeletionRequestState.Pending, await api.ExecuteDbAsync(db => db.DeletionRequests.Where(r => r.UserId == person).Select(r => r.State).SingleAsync()));
        Assert.Equal("PENDING", (string?)(await api.GraphQLAsync("{ me { deletionRequest { state } } }", token: token)).DataOrFail()["me"]!["deletionRequest"]!["state"]);
    }

    [Fact]
    public async Task P10_SelfService_AnotherPersonSeesAndCancelsNothingOfTheFirstOnes()
    {
        var person = await PersonAsync();
        var other = await PersonAsync();
        var asked = (await api.GraphQLAsync(DeletionApi.Request, token: api.UserToken(person))).Payload("requestAccountDeletion").Ok()["deletionRequest"]!;
        var id = (string)asked["id"]!;
        var code = await api.CodeAsync(person);

        Assert.Null((await api.GraphQLAsync("{ me { deletionRequest { id } } }", token: api.UserToken(other))).DataOrFail()["me"]!["deletionRequest"]);
        Assert.Equal(["NO_PENDING_DELETION"], (await api.GraphQLAsync(DeletionApi.Cancel, token: api.UserToken(other))).Payload("cancelAccountDeletion").Codes());
        Assert.Equal(["NO_PENDING_DELETION"], (await api.GraphQLAsync(DeletionApi.Confirm, new { code }, api.UserToken(other))).Payload("confirmAccountDeletion").Codes());
        // The staff mutations that take a request's id are not theirs to call.
        foreach (var (mutation, variables) in new (string, object)[]
        {
            (DeletionApi.CancelByStaff, new { id, reason = "changed my mind" }),
            (DeletionApi.CarryOut, new { id }),
            (DeletionApi.Extend, new { id, months = 1, reason = "x" }),
        })
            Assert.Contains("ACCESS_DENIED", (await api.GraphQLAsync(mutation, variables, api.UserToken(other))).ErrorCodes);
        Assert.True(await api.ExecuteDbAsync(db => db.Users.AnyAsync(u => u.Id == other)));
        Assert.Equal(DeletionRequestState.AwaitingConfirmation,
            await api.ExecuteDbAsync(db => db.DeletionRequests.Where(r => r.Id == Guid.Parse(id)).Select(r => r.State).SingleAsync()));
    }

    [Theory]
    [InlineData(null, 401, "AUTH_NOT_AUTHENTICATED")]
    [InlineData(Roles.Partner, 403, "ACCESS_DENIED")]
    [InlineData(Roles.Staff, 403, "ACCESS_DENIED")]
    public async Task P10_SelfService_IsThePersonsOnly_AnonymousPartnersAndStaffAreRefused(string? role, int status, string code)
    {
        var token = role is null ? null : api.Token(role, $"{role}-test");
        foreach (var (query, variables) in new (string, object?)[] { (DeletionApi.Request, null), (DeletionApi.Confirm, new { code = "AAAA" }), (DeletionApi.Cancel, null) })
        {
            var response = await api.GraphQLAsync(query, variables, token);
            Assert.Equal(status, response.Status);
            Assert.Contains(code, response.ErrorCodes);
            Assert.Null(response.Data);
        }
    }
}

internal static class InstantText
{
    public static DateTimeOffset AsInstant(this string value) => DateTimeOffset.Parse(value, System.Globalization.CultureInfo.InvariantCulture);
}
