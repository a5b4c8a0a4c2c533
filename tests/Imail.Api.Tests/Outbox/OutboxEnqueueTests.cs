using System.Text.Json;
using Imail.Domain.Outbox;
using Imail.Testing;
using Microsoft.EntityFrameworkCore;

namespace Imail.Api.Tests.Outbox;

/// <summary>Mutations that owe an e-mail write it in their own transaction, and only when they commit.</summary>
public class OutboxEnqueueTests(ImailApiFactory api) : IClassFixture<ImailApiFactory>
{
    private Task<List<OutboxMessage>> MessagesFor(Guid userId) =>
        api.ExecuteDbAsync(db => db.OutboxMessages.AsNoTracking().Where(m => m.UserId == userId).OrderBy(m => m.Id).ToListAsync());

    [Fact]
    public async Task SignUp_EnqueuesTheConfirmation_InTheAccountsLocale()
    {
        var response = await api.GraphQLAsync("""
            mutation { signUp(input: { email: "outbox@example.org", displayName: "Olivia", locale: "nl" }) { user { id } } }
            """);
        var userId = Guid.Parse((string)response.DataOrFail()["signUp"]!["user"]!["id"]!);

        var message = Assert.Single(await MessagesFor(userId));
        Assert.Equal("email.sign-up-confirmation", message.Kind);
        Assert.Equal(OutboxState.Pending, message.State);
        var payload = JsonSerializer.Deserialize<EmailPayload>(message.Payload, OutboxJson.Options)!;
        Assert.Equal(("outbox@example.org", "Olivia", Domain.Users.Locale.Nl), (payload.To, payload.Name, payload.Locale));
    }

    [Fact]
    public async Task ARefusedSignUp_EnqueuesNothing_ASignUpWithATakenAddress_OnlyTheNoticeToItsOwner()
    {
        var owner = await api.CreateUserAsync("exists@example.org");
        var before = await api.ExecuteDbAsync(db => db.OutboxMessages.CountAsync());

        await api.GraphQLAsync("mutation { signUp(input: { email: \"exists@example.org\", displayName: \"Dup\" }) { errors { code } } }");
        await api.GraphQLAsync("mutation { signUp(input: { email: \"bad\", displayName: \"Bad\" }) { errors { code } } }");

        Assert.Equal(before + 1, await api.ExecuteDbAsync(db => db.OutboxMessages.CountAsync()));
        Assert.Equal("email.sign-up-attempt-existing-account", Assert.Single(await MessagesFor(owner.Id)).Kind);
    }

    [Fact]
    public async Task ARolledBackTransaction_LeavesNoMessage()
    {
        var user = await api.CreateUserAsync("rollback@example.org");
        await api.ExecuteDbAsync(async db =>
        {
            await using var tx = await db.Database.BeginTransactionAsync();
            db.EnqueueEmail(EmailTemplates.SignUpConfirmation, user, api.Clock.GetUtcNow());
            await db.SaveChangesAsync();
            await tx.RollbackAsync();
        });

        Assert.Empty(await MessagesFor(user.Id));
    }

    [Fact]
    public async Task ChangingTheEmailAddress_WritesTheCodeToTheNewAddress_ThenTheChangeToBoth()
    {
        var user = await api.CreateUserAsync("old-address@example.org", "Oscar", "en");

        await api.GraphQLAsync("mutation { updateProfile(input: { email: \"new-address@example.org\" }) { errors { code } } }",
            token: api.UserToken(user.Id));
        var request = Assert.Single(await MessagesFor(user.Id));
        var codeMail = JsonSerializer.Deserialize<EmailPayload>(request.Payload, OutboxJson.Options)!;
        Assert.Equal(("email.email-change-confirmation", "new-address@example.org"), (request.Kind, codeMail.To));
        await api.GraphQLAsync("mutation($c: String!) { confirmEmailChange(input: { code: $c }) { errors { code } } }",
            new { c = codeMail.Values["code"] }, api.UserToken(user.Id));

        var messages = (await MessagesFor(user.Id)).Where(m => m.Id != request.Id).ToList();
        var sent = messages.ToDictionary(m => m.Kind, m => JsonSerializer.Deserialize<EmailPayload>(m.Payload, OutboxJson.Options)!);
        Assert.Equal("old-address@example.org", sent["email.email-changed-old-address"].To);
        Assert.Equal("new-address@example.org", sent["email.email-changed-new-address"].To);
        Assert.Equal("new-address@example.org", sent["email.email-changed-old-address"].Values["newEmail"]);
    }

    [Fact]
    public async Task TheCodeForANewAddress_IsPointlessOnceItExpires_SoTheRelayNeverSendsItLate()
    {
        var user = await api.CreateUserAsync("late-code@example.org");

        await api.GraphQLAsync("mutation { updateProfile(input: { email: \"late-code-new@example.org\" }) { errors { code } } }",
            token: api.UserToken(user.Id));

        var request = Assert.Single(await MessagesFor(user.Id));
        var expiresAt = await api.ExecuteDbAsync(db => db.Users.Where(u => u.Id == user.Id).Select(u => u.PendingEmailExpiresAt).SingleAsync());
        Assert.Equal(api.Clock.GetUtcNow().AddHours(24), expiresAt);
        Assert.Equal(expiresAt, request.DiscardAfter);
    }

    [Fact]
    public async Task ChangingOnlyTheName_SendsNothing()
    {
        var user = await api.CreateUserAsync("name-only@example.org");
        await api.GraphQLAsync("mutation { updateProfile(input: { displayName: \"Renamed\" }) { errors { code } } }", token: api.UserToken(user.Id));
        Assert.Empty(await MessagesFor(user.Id));
    }
}
