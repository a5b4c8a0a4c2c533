using Imail.Testing;
using static Imail.Api.Tests.Consents.ConsentApi;

namespace Imail.Api.Tests.Consents;

/// <summary>Refusals are remembered; withdrawing is as easy as giving (P5).</summary>
public class RefusalTests(ImailApiFactory api) : IClassFixture<ImailApiFactory>
{
    [Fact]
    public async Task P5_ARefusalIsRemembered_TheBannerStaysAwayFor6Months_ThenReturns()
    {
        var first = await api.DecideAsync(Input(null, statistics: false, personalisation: false));
        var visitor = (string)first["visitorId"]!;
        var askAgainAt = Instant(first["status"]!["askAgainAt"]);
        var refusedAt = Instant(first["record"]!["decidedAt"]);
        // Six calendar months in Brussels: 181 to 184 days, an hour less across the change to summer time (as from this fixture's 27 November).
        Assert.InRange(askAgainAt - refusedAt, TimeSpan.FromDays(181) - TimeSpan.FromHours(1), TimeSpan.FromDays(185));
        Assert.True(askAgainAt < Instant(first["status"]!["expiresAt"]));

        api.Clock.SetUtcNow(askAgainAt.AddSeconds(-1));
        Assert.Equal("VALID", (string?)(await api.StatusAsync(visitor))["state"]);
        api.Clock.SetUtcNow(askAgainAt);
        Assert.Equal("RENEWAL_REQUIRED", (string?)(await api.StatusAsync(visitor))["state"]);
    }

    [Fact]
    public async Task P5_RefusalThenAcceptance_InsideThePeriod_ChangesTheAnswerButNotTheExpiry()
    {
        var first = await api.DecideAsync(Input(null, false, false));
        var visitor = (string)first["visitorId"]!;
        api.Clock.Advance(TimeSpan.FromDays(10));

        var accepted = await api.DecideAsync(Input(visitor, true, false));

        var status = accepted["status"]!;
        Assert.Equal((string?)first["status"]!["expiresAt"], (string?)status["expiresAt"]);
        Assert.True((bool)Purpose(status, "STATISTICS")["effective"]!);
        Assert.Equal(new[] { "STATISTICS" }, accepted["record"]!["granted"]!.AsArray().Select(p => (string)p!));
    }

    [Fact]
    public async Task P5_WithdrawingIsOneMutation_EffectiveImmediately()
    {
        var first = await api.DecideAsync(Input(null, true, true));
        var visitor = (string)first["visitorId"]!;

        var response = await api.GraphQLAsync(Withdraw, new { input = new { visitorId = visitor, frontEnd = "www.imail.example" } });

        var payload = response.DataOrFail()["withdrawConsent"]!;
        Assert.Empty(payload["errors"]!.AsArray());
        Assert.Equal("WITHDRAWAL", (string?)payload["record"]!["action"]);
        Assert.All(payload["status"]!["purposes"]!.AsArray(), p => Assert.False((bool)p!["effective"]!));
        var status = await api.StatusAsync(visitor);
        Assert.False((bool)Purpose(status, "STATISTICS")["effective"]!);
    }

    [Fact]
    public async Task P5_WithdrawingOnePurpose_KeepsTheOther()
    {
        var visitor = (string)(await api.DecideAsync(Input(null, true, true)))["visitorId"]!;

        var payload = (await api.GraphQLAsync(Withdraw, new { input = new { visitorId = visitor, purposes = new[] { "STATISTICS" }, frontEnd = "app" } }))
            .DataOrFail()["withdrawConsent"]!;

        Assert.False((bool)Purpose(payload["status"]!, "STATISTICS")["effective"]!);
        Assert.True((bool)Purpose(payload["status"]!, "PERSONALISATION")["effective"]!);
    }

    [Fact]
    public async Task P5_WithdrawingWithNothingInForce_SucceedsAndRecordsNothing()
    {
        var payload = (await api.GraphQLAsync(Withdraw, new { input = new { visitorId = Guid.NewGuid(), frontEnd = "app" } })).DataOrFail()["withdrawConsent"]!;

        Assert.Empty(payload["errors"]!.AsArray());
        Assert.Null(payload["record"]);
        Assert.Equal("NEVER_ASKED", (string?)payload["status"]!["state"]);
    }
}

/// <summary>The refusal memory comes from configuration.</summary>
public class RefusalMemoryConfigurationTests(RefusalMemoryConfigurationTests.ThreeMonths api) : IClassFixture<RefusalMemoryConfigurationTests.ThreeMonths>
{
    public sealed class ThreeMonths : ImailApiFactory
    {
        protected override IDictionary<string, string?> Settings => new Dictionary<string, string?> { ["Imail:Consents:RefusalMemoryMonths"] = "3" };
    }

    [Fact]
    public async Task P5_TheRefusalMemoryIsConfigurable()
    {
        var first = await api.DecideAsync(Input(null, false, true));

        var askAgainAt = Instant(first["status"]!["askAgainAt"]);
        Assert.InRange(askAgainAt - Instant(first["record"]!["decidedAt"]), TimeSpan.FromDays(89), TimeSpan.FromDays(93));
    }
}
