using Imail.Domain.Outbox;
using Imail.Testing;
using Microsoft.EntityFrameworkCore;

namespace Imail.Api.Tests.Outbox;

public class OutboxAdminTests(ImailApiFactory api) : IClassFixture<ImailApiFactory>
{
    private async Task<Guid> DeadMessageAsync()
    {
        var user = await api.CreateUserAsync($"{Guid.NewGuid():N}@example.org");
        var message = await api.ExecuteDbAsync(async db =>
        {
            var m = db.EnqueueEmail(EmailTemplates.SignUpConfirmation, user, api.Clock.GetUtcNow());
            await db.SaveChangesAsync();
            return m;
        });
        await api.ExecuteDbAsync(db => db.OutboxMessages.Where(m => m.Id == message.Id).ExecuteUpdateAsync(s => s
            .SetProperty(m => m.State, OutboxState.Dead).SetProperty(m => m.Attempts, 10)
            .SetProperty(m => m.LastError, "550 mailbox unavailable").SetProperty(m => m.DeadAt, api.Clock.GetUtcNow())));
        return message.Id;
    }

    [Fact]
    public async Task Staff_ListDeadLetters_AndRequeueOne()
    {
        var id = await DeadMessageAsync();

        var dead = (await api.GraphQLAsync("{ outboxMessages(state: DEAD, first: 100) { totalCount nodes { id kind attempts lastError } } }",
            token: api.StaffToken())).DataOrFail()["outboxMessages"]!;
        var node = dead["nodes"]!.AsArray().Single(n => (string?)n!["id"] == id.ToString())!;
        Assert.Equal("550 mailbox unavailable", (string?)node["lastError"]);

        var payload = (await api.GraphQLAsync("mutation($id: ID!) { requeueOutboxMessage(input: { id: $id }) { outboxMessage { state attempts } errors { code } } }",
            new { id }, api.StaffToken())).DataOrFail()["requeueOutboxMessage"]!;
        Assert.Empty(payload["errors"]!.AsArray());
        Assert.Equal(("PENDING", 0), ((string?)payload["outboxMessage"]!["state"], (int)payload["outboxMessage"]!["attempts"]!));
        var stored = await api.ExecuteDbAsync(db => db.OutboxMessages.AsNoTracking().SingleAsync(m => m.Id == id));
        Assert.Equal((OutboxState.Pending, (DateTimeOffset?)null), (stored.State, stored.DeadAt));
    }

    [Fact]
    public async Task RequeueingAMessageThatIsNotDead_IsRefused()
    {
        var id = await DeadMessageAsync();
        await api.GraphQLAsync("mutation($id: ID!) { requeueOutboxMessage(input: { id: $id }) { errors { code } } }", new { id }, api.StaffToken());

        var again = (await api.GraphQLAsync("mutation($id: ID!) { requeueOutboxMessage(input: { id: $id }) { errors { code } } }",
            new { id }, api.StaffToken())).DataOrFail()["requeueOutboxMessage"]!;
        Assert.Equal("NOT_DEAD", (string?)again["errors"]![0]!["code"]);

        var missing = (await api.GraphQLAsync("mutation($id: ID!) { requeueOutboxMessage(input: { id: $id }) { errors { code } } }",
            new { id = Guid.CreateVersion7() }, api.StaffToken())).DataOrFail()["requeueOutboxMessage"]!;
        Assert.Equal("MESSAGE_NOT_FOUND", (string?)missing["errors"]![0]!["code"]);
    }

    [Theory]
    [InlineData(null, "AUTH_NOT_AUTHENTICATED")]
    [InlineData("partner", "ACCESS_DENIED")]
    [InlineData("user", "ACCESS_DENIED")]
    public async Task OnlyStaff_SeeTheOutbox(string? role, string code)
    {
        var token = role switch
        {
            "partner" => api.Token(Imail.Api.Auth.Roles.Partner, "p"),
            "user" => api.UserToken((await api.CreateUserAsync($"{Guid.NewGuid():N}@example.org")).Id),
            _ => null,
        };
        Assert.Contains(code, (await api.GraphQLAsync("{ outboxMessages { totalCount } }", token: token)).ErrorCodes);
    }
}
