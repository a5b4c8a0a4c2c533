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
    public async Task Item17_UpdateProfileToAnAddressInUse_AnswersAsForAFreeAddress_AndTellsItsOwnerInstead()
    {
        var first = await api.CreateUserAsync("first@example.org");
        var second = await api.CreateUserAsync("second@example.org", "Second");
        var third = await api.CreateUserAsync("third@example.org", "Third");
        const string Change = "mutation($e: String!) { updateProfile(input: { email: $e, displayName: \"Renamed\" }) { user { email displayName pendingEmail } errors { code } } }";

        var taken = await api.GraphQLAsync(Change, new { e = "first@example.org" }, api.UserToken(second.Id));
        var free = await api.GraphQLAsync(Change, new { e = "free-address@example.org" }, api.UserToken(third.Id));

        Assert.Empty(taken.DataOrFail()["updateProfile"]!["errors"]!.AsArray());
        Assert.Equal(("second@example.org", "Renamed", "first@example.org"), Fields(taken));
        Assert.Equal(("third@example.org", "Renamed", "free-address@example.org"), Fields(free));
        // The owner of the address in use is told; no code is sent for it; nothing moved.
        Assert.Equal(["email.email-change-address-taken"], await KindsAsync(first.Id));
        Assert.Equal(["email.email-change-confirmation"], await KindsAsync(third.Id));
        Assert.Empty(await KindsAsync(second.Id));
        Assert.Equal("first@example.org", await api.ExecuteDbAsync(db => db.Users.Where(u => u.Id == first.Id).Select(u => u.Email).SingleAsync()));

        static (string?, string?, string?) Fields(GraphQLResponse r) => r.DataOrFail()["updateProfile"]!["user"] is { } u
            ? ((string?)u["email"], (string?)u["displayName"], (string?)u["pendingEmail"]) : default;
    }

    [Fact]
    public async Task Item17_TheNewAddressIsUsedOnceTheCodeSentToItIsConfirmed()
    {
        var user = await api.CreateUserAsync("before@example.org", "Mover");
        await api.GraphQLAsync("mutation { updateProfile(input: { email: \"after@example.org\" }) { errors { code } } }", token: api.UserToken(user.Id));
        var code = await api.ExecuteDbAsync(async db => (await db.OutboxMessages.SingleAsync(m => m.UserId == user.Id)).Payload);
        var sent = System.Text.Json.JsonDocument.Parse(code).RootElement;
        Assert.Equal("after@example.org", sent.GetProperty("to").GetString());
        const string Confirm = "mutation($c: String!) { confirmEmailChange(input: { code: $c }) { user { email pendingEmail } errors { __typename code } } }";

        var wrong = await api.GraphQLAsync(Confirm, new { c = "AAAA-AAAA-AAAA-AAAA" }, api.UserToken(user.Id));
        var right = await api.GraphQLAsync(Confirm, new { c = sent.GetProperty("values").GetProperty("code").GetString() }, api.UserToken(user.Id));
        var again = await api.GraphQLAsync(Confirm, new { c = "AAAA-AAAA-AAAA-AAAA" }, api.UserToken(user.Id));

        Assert.Equal("INVALID_EMAIL_CHANGE_CODE", (string?)wrong.DataOrFail()["confirmEmailChange"]!["errors"]![0]!["code"]);
        Assert.Empty(right.DataOrFail()["confirmEmailChange"]!["errors"]!.AsArray());
        Assert.Equal("after@example.org", (string?)right.Data!["confirmEmailChange"]!["user"]!["email"]);
        Assert.Null(right.Data!["confirmEmailChange"]!["user"]!["pendingEmail"]);
        Assert.Equal("NO_PENDING_EMAIL_CHANGE", (string?)again.DataOrFail()["confirmEmailChange"]!["errors"]![0]!["code"]);
        Assert.Equal(["email.email-change-confirmation", "email.email-changed-new-address", "email.email-changed-old-address"], (await KindsAsync(user.Id)).Order().ToList());
    }

    [Fact]
    public async Task Item17_AnAddressTakenBetweenRequestAndConfirmation_IsEmailTaken()
    {
        var user = await api.CreateUserAsync("slow@example.org", "Slow");
        await api.GraphQLAsync("mutation { updateProfile(input: { email: \"contested@example.org\" }) { errors { code } } }", token: api.UserToken(user.Id));
        var payload = await api.ExecuteDbAsync(async db => (await db.OutboxMessages.SingleAsync(m => m.UserId == user.Id)).Payload);
        var code = System.Text.Json.JsonDocument.Parse(payload).RootElement.GetProperty("values").GetProperty("code").GetString();
        await api.CreateUserAsync("contested@example.org", "Quick");

        var response = await api.GraphQLAsync("mutation($c: String!) { confirmEmailChange(input: { code: $c }) { errors { __typename code } } }",
            new { c = code }, api.UserToken(user.Id));

        Assert.Equal("EMAIL_TAKEN", (string?)response.DataOrFail()["confirmEmailChange"]!["errors"]![0]!["code"]);
        Assert.Equal("slow@example.org", await api.ExecuteDbAsync(db => db.Users.Where(u => u.Id == user.Id).Select(u => u.Email).SingleAsync()));
    }

    private Task<List<string>> KindsAsync(Guid userId) =>
        api.ExecuteDbAsync(db => db.OutboxMessages.Where(m => m.UserId == userId).Select(m => m.Kind).ToListAsync());

    [Fact]
    public async Task UpdateProfile_ForAnAccountThatNoLongerExists_AnswersUserNotFound()
    {
        var response = await api.GraphQLAsync("mutation { updateProfile(input: { displayName: \"Ghost\" }) { errors { __typename code } } }",
            token: api.UserToken(Guid.CreateVersion7()));

        Assert.Equal("USER_NOT_FOUND", (string?)response.DataOrFail()["updateProfile"]!["errors"]![0]!["code"]);
    }
}
