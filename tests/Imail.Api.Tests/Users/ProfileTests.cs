using Imail.Testing;
using Microsoft.EntityFrameworkCore;

namespace Imail.Api.Tests.Users;

public class ProfileTests(ImailApiFactory api) : IClassFixture<ImailApiFactory>
{
    private const string Me = "{ me { id email displayName locale lastAuthenticatedAt personalData { category { code retention { iso8601 } } fields } } }";

    [Fact]
    public async Task Me_AnswersTheCallersOwnAccount_WithWhatIsHeldByCategory()
    {
        var user = await api.CreateUserAsync("me@example.org", "Me Myself", "en");

        var me = (await api.GraphQLAsync(Me, token: api.UserToken(user.Id))).DataOrFail()["me"]!;

        Assert.Equal(user.Id.ToString(), (string?)me["id"]);
        Assert.Equal("EN", (string?)me["locale"]);
        var held = me["personalData"]!.AsArray().ToDictionary(i => (string)i!["category"]!["code"]!, i => i!["fields"]!.AsArray().Select(f => (string)f!).ToList());
        Assert.Equal(["email"], held["contact"]);
        Assert.Equal(["displayName"], held["identity"]);
        Assert.Contains("lastAuthenticatedAt", held["account"]);
        Assert.Equal("P3Y", (string?)me["personalData"]!.AsArray().First(i => (string)i!["category"]!["code"]! == "contact")!["category"]!["retention"]!["iso8601"]);
    }

    [Fact]
    public async Task Me_RecordsTheTokensAuthenticationTime_OnlyForward()
    {
        var user = await api.CreateUserAsync("clock@example.org");
        var signedIn = api.Clock.GetUtcNow().AddMinutes(-5);

        await api.GraphQLAsync(Me, token: api.UserToken(user.Id, signedIn));
        await api.GraphQLAsync(Me, token: api.UserToken(user.Id, signedIn.AddDays(-30))); // an older token later

        var stored = await api.ExecuteDbAsync(db => db.Users.Where(u => u.Id == user.Id).Select(u => u.LastAuthenticatedAt).SingleAsync());
        Assert.Equal(signedIn.ToUnixTimeSeconds(), stored!.Value.ToUnixTimeSeconds());
    }

    [Fact]
    public async Task UpdateProfile_ChangesTheCallersProfile()
    {
        var user = await api.CreateUserAsync("update@example.org", "Before");

        var response = await api.GraphQLAsync("""
            mutation { updateProfile(input: { displayName: "After", locale: "nl" }) { user { displayName locale email } errors { code } } }
            """, token: api.UserToken(user.Id));

        var payload = response.DataOrFail()["updateProfile"]!;
        Assert.Empty(payload["errors"]!.AsArray());
        Assert.Equal(("After", "NL", "update@example.org"),
            ((string?)payload["user"]!["displayName"], (string?)payload["user"]!["locale"], (string?)payload["user"]!["email"]));
        Assert.Equal("After", await api.ExecuteDbAsync(db => db.Users.Where(u => u.Id == user.Id).Select(u => u.DisplayName).SingleAsync()));
    }

    [Fact]
    public async Task UpdateProfile_ToAnAddressInUse_AnswersEmailTaken_AndChangesNothing()
    {
        await api.CreateUserAsync("first@example.org");
        var second = await api.CreateUserAsync("second@example.org", "Second");

        var response = await api.GraphQLAsync("""
            mutation { updateProfile(input: { email: "first@example.org", displayName: "Renamed" }) { user { id } errors { code } } }
            """, token: api.UserToken(second.Id));

        Assert.Equal("EMAIL_TAKEN", (string?)response.DataOrFail()["updateProfile"]!["errors"]![0]!["code"]);
        var stored = await api.ExecuteDbAsync(db => db.Users.AsNoTracking().SingleAsync(u => u.Id == second.Id));
        Assert.Equal(("second@example.org", "Second"), (stored.Email, stored.DisplayName));
    }

    [Fact]
    public async Task UpdateProfile_ForAnAccountThatNoLongerExists_AnswersUserNotFound()
    {
        var response = await api.GraphQLAsync("mutation { updateProfile(input: { displayName: \"Ghost\" }) { errors { __typename code } } }",
            token: api.UserToken(Guid.CreateVersion7()));

        Assert.Equal("USER_NOT_FOUND", (string?)response.DataOrFail()["updateProfile"]!["errors"]![0]!["code"]);
    }
}
