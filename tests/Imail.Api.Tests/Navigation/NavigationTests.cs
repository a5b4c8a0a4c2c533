using Imail.Api.Tests.Consents;
using Imail.Domain.Navigation;
using Imail.Testing;
using Microsoft.EntityFrameworkCore;

namespace Imail.Api.Tests.Navigation;

public class NavigationTests(ImailApiFactory api) : IClassFixture<ImailApiFactory>
{
    [Fact]
    public async Task P6_NavigationDataIsATechnicalCategoryWithItsOwnRetention()
    {
        var (category, columns) = await api.ExecuteDbAsync(async db =>
        {
            var navigation = await db.DataCategories.AsNoTracking().SingleAsync(c => c.Code == "navigation");
            var categories = db.Model.FindEntityType(typeof(NavigationEvent))!.GetProperties()
                .Select(Domain.Persistence.PersonalData.DataCategory).Distinct().ToList();
            return (navigation, categories);
        });

        Assert.Equal(Domain.DataCategories.DataKind.Technical, category.Kind);
        Assert.True(category.RetentionMonths > 0 || category.RetentionDays > 0);
        Assert.Equal(["navigation"], columns);
    }

    private const string Record = """
        mutation($input: RecordNavigationInput!) {
          recordNavigation(input: $input) {
            recorded consented
            errors { __typename code message ... on InputError { field } }
          }
        }
        """;

    private static object Input(Guid? visitorId, params (string Kind, string Name)[] events) => Input(visitorId?.ToString(), events);

    private static object Input(string? visitorId, params (string Kind, string Name)[] events) => new
    {
        input = new { visitorId, frontEnd = "webmail", events = events.Select(e => new { kind = e.Kind, name = e.Name }).ToArray() },
    };

    private static readonly (string, string)[] ThreeEvents = [("PAGE_VIEW", "/inbox"), ("OPERATION", "compose"), ("PAGE_VIEW", "/settings")];

    /// <summary>The banner answered now: anonymously on a new device (its visitor id returned), or by a signed-in person.</summary>
    private async Task<Guid> ConsentAsync(bool statistics, string? token = null)
    {
        var payload = await api.DecideAsync(ConsentApi.Input(null, statistics, false), token);
        return payload["visitorId"] is { } visitor ? Guid.Parse((string)visitor!) : Guid.Empty;
    }

    private Task<List<NavigationEvent>> EventsOf(Guid visitorId) =>
        api.ExecuteDbAsync(db => db.NavigationEvents.AsNoTracking().Where(e => e.VisitorId == visitorId).ToListAsync());

    private async Task<(int Recorded, bool Consented)> RecordAsync(object variables, string? token = null)
    {
        var payload = (await api.GraphQLAsync(Record, variables, token)).DataOrFail()["recordNavigation"]!;
        Assert.Empty(payload["errors"]!.AsArray());
        return ((int)payload["recorded"]!, (bool)payload["consented"]!);
    }

    [Fact]
    public async Task P6_NavigationIsRecordedOnlyWhileStatisticsIsConsented()
    {
        var visitor = await ConsentAsync(statistics: true);

        Assert.Equal((3, true), await RecordAsync(Input(visitor, ThreeEvents)));

        var events = await EventsOf(visitor);
        // One call's events share their instant; their order among themselves is not kept.
        Assert.Equal(new[] { (NavigationKind.PageView, "/inbox"), (NavigationKind.PageView, "/settings"), (NavigationKind.Operation, "compose") },
            events.Select(e => (e.Kind, e.Name)).OrderBy(e => e.Name, StringComparer.Ordinal).ToArray());
        Assert.All(events, e => Assert.Equal(("webmail", (Guid?)null, api.Clock.GetUtcNow()), (e.FrontEnd, e.UserId, e.OccurredAt)));

        // Withdrawn: from then on, nothing more.
        await api.GraphQLAsync(ConsentApi.Withdraw, new { input = new { visitorId = visitor, purposes = new[] { "STATISTICS" }, frontEnd = "webmail" } });
        Assert.Equal((0, false), await RecordAsync(Input(visitor, ("PAGE_VIEW", "/after-withdrawal"))));
        Assert.Equal(3, (await EventsOf(visitor)).Count);
    }

    [Fact]
    public async Task P6_WithoutConsentTheCallSucceedsAndStoresNothing()
    {
        var visitor = Guid.NewGuid(); // never issued: no device, no consent

        Assert.Equal((0, false), await RecordAsync(Input(visitor, ThreeEvents)));

        Assert.Empty(await EventsOf(visitor));
    }

    [Fact]
    public async Task P6_RefusedStatisticsStoresNothing()
    {
        var visitor = await ConsentAsync(statistics: false);

        Assert.Equal((0, false), await RecordAsync(Input(visitor, ThreeEvents)));

        Assert.Empty(await EventsOf(visitor));
    }

    [Fact]
    public async Task P6_PastTheConsentEndNothingIsStored()
    {
        var visitor = await ConsentAsync(statistics: true);
        Assert.Equal((1, true), await RecordAsync(Input(visitor, ("PAGE_VIEW", "/inbox"))));

        api.Clock.Advance(TimeSpan.FromDays(13 * 31 + 1)); // past first deposit + 13 months, however long the months

        Assert.Equal((0, false), await RecordAsync(Input(visitor, ("PAGE_VIEW", "/inbox"), ("OPERATION", "send"))));
        Assert.Single(await EventsOf(visitor));
    }

    [Fact]
    public async Task P6_PageQueryStringsAreNeverStored()
    {
        var visitor = await ConsentAsync(statistics: true);

        Assert.Equal((3, true), await RecordAsync(Input(visitor,
            ("PAGE_VIEW", "/search?q=alice%40example.org"), ("PAGE_VIEW", "/reset#token=secret"), ("PAGE_VIEW", "/inbox/?page=2#top"))));

        var names = (await EventsOf(visitor)).Select(e => e.Name).ToList();
        Assert.Equal(new[] { "/inbox/", "/reset", "/search" }, names.Order(StringComparer.Ordinal).ToArray());
        Assert.DoesNotContain(names, n => n.Contains("alice") || n.Contains("secret"));
    }

    [Fact]
    public async Task P6_ASignedInUsersOwnConsentDecides_AndTheirEventsCarryTheAccount()
    {
        var user = await api.CreateUserAsync("navigator@example.org");
        var visitor = await ConsentAsync(statistics: false); // a device whose anonymous visitor refused: the person's own consent decides
        await ConsentAsync(statistics: true, api.UserToken(user.Id));

        Assert.Equal((1, true), await RecordAsync(Input((string?)null, ("OPERATION", "compose")), api.UserToken(user.Id)));
        Assert.Equal((1, true), await RecordAsync(Input(visitor, ("PAGE_VIEW", "/inbox")), api.UserToken(user.Id)));

        var events = await api.ExecuteDbAsync(db => db.NavigationEvents.AsNoTracking().Where(e => e.UserId == user.Id).ToListAsync());
        Assert.Equal(new[] { ((Guid?)visitor, "/inbox"), (null, "compose") },
            events.Select(e => (e.VisitorId, e.Name)).OrderBy(e => e.Name, StringComparer.Ordinal).ToArray());
    }

    [Fact]
    public async Task P6_AnAccountThatRefusedStatistics_IsNotRecordedThroughAVisitorWhoConsented()
    {
        var user = await api.CreateUserAsync("refuser@example.org");
        await ConsentAsync(statistics: false, api.UserToken(user.Id));
        var visitor = await ConsentAsync(statistics: true);

        Assert.Equal((0, false), await RecordAsync(Input(visitor, ThreeEvents), api.UserToken(user.Id)));

        Assert.Empty(await EventsOf(visitor));
        Assert.False(await api.ExecuteDbAsync(db => db.NavigationEvents.AnyAsync(e => e.UserId == user.Id)));
    }

    [Theory]
    [InlineData("not-a-uuid", 1, "webmail", "/inbox", "INVALID_VISITOR_ID", "visitorId")]
    [InlineData(null, 1, "webmail", "/inbox", "VISITOR_REQUIRED", "visitorId")]
    [InlineData("VISITOR", 51, "webmail", "/inbox", "TOO_MANY_EVENTS", "events")]
    [InlineData("VISITOR", 1, "", "/inbox", "INVALID_FRONT_END", "frontEnd")]
    [InlineData("VISITOR", 1, "webmail", "   ", "INVALID_NAVIGATION_NAME", "name")]
    public async Task RecordNavigation_WithBadInput_AnswersATypedError_AndWritesNothing(string? visitorId, int count, string frontEnd, string name,
        string code, string field)
    {
        var visitor = await ConsentAsync(statistics: true);
        var before = await api.ExecuteDbAsync(db => db.NavigationEvents.CountAsync());

        var variables = new
        {
            input = new
            {
                visitorId = visitorId == "VISITOR" ? visitor.ToString() : visitorId,
                frontEnd,
                events = Enumerable.Range(0, count).Select(_ => new { kind = "PAGE_VIEW", name }).ToArray(),
            },
        };
        var payload = (await api.GraphQLAsync(Record, variables)).DataOrFail()["recordNavigation"]!;

        Assert.Equal((0, false), ((int)payload["recorded"]!, (bool)payload["consented"]!));
        var error = Assert.Single(payload["errors"]!.AsArray())!;
        Assert.Equal(("InputError", code, field), ((string?)error["__typename"], (string?)error["code"], (string?)error["field"]));
        Assert.Equal(before, await api.ExecuteDbAsync(db => db.NavigationEvents.CountAsync()));
    }

    [Fact]
    public async Task RecordNavigation_AcceptsFiftyEventsInOneCall()
    {
        var visitor = await ConsentAsync(statistics: true);

        Assert.Equal((50, true), await RecordAsync(Input(visitor, Enumerable.Range(0, 50).Select(i => ("PAGE_VIEW", $"/page/{i}")).ToArray())));
        Assert.Equal(50, (await EventsOf(visitor)).Count);
    }
}
