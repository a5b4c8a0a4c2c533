using Imail.Api.Auth;
using Imail.Domain.Outbox;
using Imail.Testing;

namespace Imail.Api.Tests.Lifecycle;

/// <summary>
/// P8, "carries it out well inside the legal one-month limit": one calendar month from receipt, the last
/// day of a shorter month when the day does not exist, on a clock the test sets. A class of its own: its
/// clock jumps to fixed dates, which the other classes' relative clocks must not see.
/// </summary>
public sealed class DeletionDeadlineTests(ImailApiFactory api) : IClassFixture<ImailApiFactory>
{
    [Fact]
    public async Task P10_ARequestReceivedOn31January_IsDueOn28February_Or29InALeapYear_AndExtendsToThreeMonthsAtMost()
    {
        // Tokens are minted after each jump: one minted before would be expired, or not yet valid.
        string Staff() => api.Token(Roles.Staff, "alice");

        async Task<(string Id, DateTimeOffset DueAt)> RecordAsync(DateTimeOffset receivedAt)
        {
            var person = await api.CreateUserAsync($"{Guid.NewGuid():N}@example.org", "Zoé", "fr");
            var request = (await api.GraphQLAsync(DeletionApi.Record, new { userId = person.Id, channel = "POST", requester = "the account holder", receivedAt }, Staff()))
                .Payload("recordDeletionRequest").Ok()["deletionRequest"]!;
            Assert.Equal(receivedAt, request["receivedAt"].Instant());
            var (_, values) = await api.LastEmailAsync(person.Id, EmailTemplates.DeletionRequestReceived);
            Assert.Equal(request["dueAt"].Instant(), ((string)values["dueAt"]!).AsInstant());
            return ((string)request["id"]!, request["dueAt"].Instant());
        }

        api.Clock.SetUtcNow(new DateTimeOffset(2027, 2, 1, 8, 0, 0, TimeSpan.Zero));
        var (common, commonDue) = await RecordAsync(new DateTimeOffset(2027, 1, 31, 10, 30, 0, TimeSpan.Zero));
        Assert.Equal(new DateTimeOffset(2027, 2, 28, 10, 30, 0, TimeSpan.Zero), commonDue);
        var (_, thirtieth) = await RecordAsync(new DateTimeOffset(2027, 1, 30, 10, 30, 0, TimeSpan.Zero));
        Assert.Equal(new DateTimeOffset(2027, 2, 28, 10, 30, 0, TimeSpan.Zero), thirtieth);

        // Extended: counted from receipt, month by month — 31 January → 31 March → 30 April, and no further.
        var first = (await api.GraphQLAsync(DeletionApi.Extend, new { id = common, months = 1, reason = "Many requests." }, Staff())).Payload("extendDeletionRequest").Ok();
        Assert.Equal(new DateTimeOffset(2027, 3, 31, 10, 30, 0, TimeSpan.Zero), first["deletionRequest"]!["dueAt"].Instant());
        var second = (await api.GraphQLAsync(DeletionApi.Extend, new { id = common, months = 1, reason = "Still many." }, Staff())).Payload("extendDeletionRequest").Ok();
        Assert.Equal(new DateTimeOffset(2027, 4, 30, 10, 30, 0, TimeSpan.Zero), second["deletionRequest"]!["dueAt"].Instant());
        Assert.Equal(["INVALID_EXTENSION"],
            (await api.GraphQLAsync(DeletionApi.Extend, new { id = common, months = 1, reason = "A third month." }, Staff())).Payload("extendDeletionRequest").Codes());

        api.Clock.SetUtcNow(new DateTimeOffset(2028, 2, 1, 8, 0, 0, TimeSpan.Zero));
        var (_, leapDue) = await RecordAsync(new DateTimeOffset(2028, 1, 31, 10, 30, 0, TimeSpan.Zero));
        Assert.Equal(new DateTimeOffset(2028, 2, 29, 10, 30, 0, TimeSpan.Zero), leapDue);
        var (_, lastDay) = await RecordAsync(new DateTimeOffset(2028, 1, 31, 23, 59, 59, TimeSpan.Zero));
        Assert.Equal(new DateTimeOffset(2028, 2, 29, 23, 59, 59, TimeSpan.Zero), lastDay);
    }
}
