using System.Text.Json.Nodes;
using Imail.Testing;
using Microsoft.EntityFrameworkCore;
using static Imail.Api.Tests.Consents.ConsentApi;

namespace Imail.Api.Tests.Consents;

/// <summary>
/// Every cell of the caller × device table of docs/consent-banner.md (issue 8): each consent
/// operation, by an anonymous caller and by a signed-in person, on each state a device can be in.
/// Every cell starts from the same world: the caller's account refused statistics (signed in, on no
/// device); the device's anonymous visitor granted it; another account (the owner of "others'"
/// devices) granted it too. So whose consent an answer comes from shows in the answer.
/// </summary>
public class ConsentMatrixTests(ImailApiFactory api) : IClassFixture<ImailApiFactory>
{
    public static TheoryData<string, string, string> Cells()
    {
        var cells = new TheoryData<string, string, string>();
        foreach (var caller in new[] { "anonymous", "signed-in" })
            foreach (var device in new[] { "none", "unknown", "nobody's", "caller's", "another account's" })
                foreach (var operation in new[] { "consentStatus", "decideConsent", "withdrawConsent", "attachVisitor", "recordNavigation" })
                    cells.Add(caller, device, operation);
        return cells;
    }

    private sealed record World(Guid Me, Guid Owner, string? Visitor, string? Token)
    {
        public string MyToken { get; init; } = "";
    }

    [Theory]
    [MemberData(nameof(Cells))]
    public async Task EveryCell_DoesWhatTheTableSays(string caller, string device, string operation)
    {
        var world = await ArrangeAsync(caller, device);
        var signedIn = caller == "signed-in";
        var realDevice = device is "nobody's" or "caller's" or "another account's";

        switch (operation)
        {
            case "consentStatus":
                {
                    var status = await api.StatusAsync(world.Visitor, world.Token);
                    // Signed in: always the account's own answer (refused). Anonymous: the device's anonymous visitor's (granted), or nothing.
                    var expected = signedIn ? ("VALID", false) : realDevice ? ("VALID", true) : ("NEVER_ASKED", false);
                    Assert.Equal(expected, ((string)status["state"]!, Statistics(status)));
                    break;
                }
            case "decideConsent":
                {
                    var payload = await api.TryDecideAsync(Input(world.Visitor, statistics: signedIn, personalisation: false), world.Token);
                    if (device == "unknown")
                    {
                        Assert.Equal("UNKNOWN_VISITOR_ID", Code(payload));
                        break;
                    }
                    Assert.Empty(payload["errors"]!.AsArray());
                    Assert.NotNull(payload["record"]);
                    if (signedIn)
                    {
                        Assert.True(await AccountGrantsStatisticsAsync(world.Me)); // the caller's own account changed…
                        Assert.Equal(world.Visitor, (string?)payload["visitorId"]);
                    }
                    else
                    {
                        Assert.False(await AccountGrantsStatisticsAsync(world.Me)); // …an anonymous caller never touches an account
                        Assert.False(Statistics(await api.StatusAsync((string)payload["visitorId"]!)));
                        if (device == "none") Assert.NotNull(payload["visitorId"]); // a new device
                        else Assert.Equal(world.Visitor, (string?)payload["visitorId"]);
                    }
                    Assert.True(await AccountGrantsStatisticsAsync(world.Owner)); // another account never moves
                    if (device == "another account's") Assert.Equal(world.Owner, await OwnerAsync(world.Visitor!));
                    if (signedIn && device is "nobody's" or "caller's") Assert.Equal(world.Me, await OwnerAsync(world.Visitor!));
                    break;
                }
            case "withdrawConsent":
                {
                    var payload = await api.WithdrawAsync(world.Visitor, world.Token);
                    if (!signedIn && device == "none")
                    {
                        Assert.Equal("VISITOR_REQUIRED", Code(payload));
                        break;
                    }
                    Assert.Empty(payload["errors"]!.AsArray());
                    // Nothing withdrawn is effective for the caller, nor for the device's anonymous visitor.
                    Assert.False(Statistics(await api.StatusAsync(world.Visitor, world.Token)));
                    if (realDevice) Assert.False(Statistics(await api.StatusAsync(world.Visitor)));
                    if (!signedIn && device == "unknown") Assert.Null(payload["record"]);
                    Assert.True(await AccountGrantsStatisticsAsync(world.Owner));
                    break;
                }
            case "attachVisitor":
                {
                    if (!signedIn)
                    {
                        var refused = await api.GraphQLAsync(Attach, new { input = new { visitorId = world.Visitor ?? Guid.NewGuid().ToString() } });
                        Assert.Equal("AUTH_NOT_AUTHENTICATED", refused.ErrorCodes.Single());
                        break;
                    }
                    if (device == "none")
                    {
                        var missing = await api.GraphQLAsync(Attach, new { input = new { visitorId = (string?)null } }, world.Token);
                        Assert.NotEmpty(missing.ErrorCodes); // visitorId is required by the schema
                        Assert.DoesNotContain(missing.ErrorCodes, c => c is "INTERNAL_SERVER_ERROR" or "POSTGRES");
                        break;
                    }
                    var payload = await api.AttachAsync(world.Visitor, world.Token!);
                    switch (device)
                    {
                        case "unknown": Assert.Equal("UNKNOWN_VISITOR_ID", Code(payload)); break;
                        case "another account's":
                            Assert.Equal("VISITOR_OF_ANOTHER_ACCOUNT", Code(payload));
                            Assert.Equal(world.Owner, await OwnerAsync(world.Visitor!));
                            Assert.False(await AccountGrantsStatisticsAsync(world.Me));
                            break;
                        default:
                            // The device's anonymous consent, deposited after the account's, joins it and stays.
                            Assert.Empty(payload["errors"]!.AsArray());
                            Assert.Equal(world.Me, await OwnerAsync(world.Visitor!));
                            Assert.True(await AccountGrantsStatisticsAsync(world.Me));
                            Assert.Equal("NEVER_ASKED", (string?)(await api.StatusAsync(world.Visitor))["state"]);
                            break;
                    }
                    break;
                }
            case "recordNavigation":
                {
                    var payload = await api.TryRecordNavigationAsync(world.Visitor, world.Token);
                    if (!signedIn && device == "none")
                    {
                        Assert.Equal("VISITOR_REQUIRED", Code(payload));
                        break;
                    }
                    var stored = !signedIn && realDevice; // exactly when consentStatus said STATISTICS is effective
                    Assert.Equal((stored ? 1 : 0, stored), ((int)payload["recorded"]!, (bool)payload["consented"]!));
                    Assert.Equal(Statistics(await api.StatusAsync(world.Visitor, world.Token)), (bool)payload["consented"]!);
                    if (stored)
                        Assert.True(await api.ExecuteDbAsync(db => db.NavigationEvents.AnyAsync(e => e.VisitorId == Guid.Parse(world.Visitor!) && e.UserId == null)));
                    break;
                }
        }
    }

    private async Task<World> ArrangeAsync(string caller, string device)
    {
        var me = await api.CreateUserAsync($"{Guid.NewGuid():N}@example.org");
        var myToken = api.UserToken(me.Id);
        await api.DecideAsync(Input(null, statistics: false, personalisation: true), myToken);
        var ownerDevice = (string)(await api.DecideAsync(Input(null, statistics: true, personalisation: true)))["visitorId"]!;
        var owner = await api.SignUpAsync(ownerDevice);
        api.Clock.Advance(TimeSpan.FromMinutes(1));

        string? visitor = device switch
        {
            "none" => null,
            "unknown" => Guid.NewGuid().ToString(),
            "nobody's" => await AnonymousGrantAsync(null),
            "caller's" => await CallersDeviceAsync(myToken),
            _ => await AnonymousGrantAsync(ownerDevice),
        };
        return new World(me.Id, owner, visitor, caller == "signed-in" ? myToken : null) { MyToken = myToken };
    }

    /// <summary>A device attached to the caller's account (signed in on it once), on which someone signed out later granted statistics.</summary>
    private async Task<string> CallersDeviceAsync(string myToken)
    {
        var visitor = (string)(await api.DecideAsync(Input(null, statistics: false, personalisation: true)))["visitorId"]!;
        Assert.Empty((await api.AttachAsync(visitor, myToken))["errors"]!.AsArray());
        return await AnonymousGrantAsync(visitor);
    }

    private async Task<string> AnonymousGrantAsync(string? visitor)
    {
        var payload = await api.DecideAsync(Input(visitor, statistics: true, personalisation: true));
        return (string)payload["visitorId"]!;
    }

    private async Task<bool> AccountGrantsStatisticsAsync(Guid user) =>
        Statistics((await api.GraphQLAsync("{ me { consents { purpose effective } } }", token: api.UserToken(user))).DataOrFail()["me"]!);

    private Task<Guid?> OwnerAsync(string visitor) =>
        api.ExecuteDbAsync(db => db.Visitors.Where(v => v.Id == Guid.Parse(visitor)).Select(v => v.UserId).SingleAsync());

    private static bool Statistics(JsonNode status) => (bool)Purpose(status, "STATISTICS")["effective"]!;

    private static string? Code(JsonNode payload) => (string?)payload["errors"]!.AsArray().Single()!["code"];
}
