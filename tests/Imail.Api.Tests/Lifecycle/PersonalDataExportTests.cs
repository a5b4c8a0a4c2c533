using System.Net;
using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using Imail.Domain.Lifecycle;
using Imail.Testing;
using Microsoft.EntityFrameworkCore;

namespace Imail.Api.Tests.Lifecycle;

/// <summary>The person's copy (GDPR art. 15 and 20): <c>GET /personal-data</c>, from the same catalogue as erasure.</summary>
public class PersonalDataExportTests(ImailApiFactory api) : IClassFixture<ImailApiFactory>
{
    private async Task<(HttpStatusCode Status, JsonNode? Body, HttpResponseMessage Response)> GetAsync(string? token, string query = "")
    {
        using var client = api.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, "/personal-data" + query);
        if (token is not null) request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        var response = await client.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        return (response.StatusCode, text.Length > 0 ? JsonNode.Parse(text) : null, response);
    }

    private static JsonObject Section(JsonNode document, string code) =>
        document["categories"]!.AsArray().Single(c => (string)c!["code"]! == code)!.AsObject();

    [Fact]
    public async Task ThePersonsCopy_HoldsEveryValue_ByCategory_WithPurposeAndRetention_IncludingWhatTheirDeviceRecordedBeforeSignUp()
    {
        var device = (string)(await api.GraphQLAsync("""
            mutation { decideConsent(input: { choices: [{ purpose: STATISTICS, granted: true }, { purpose: PERSONALISATION, granted: false }],
              policyVersion: "1.0", bannerVersion: "b1", frontEnd: "www" }) { visitorId } }
            """)).DataOrFail()["decideConsent"]!["visitorId"]!;
        await api.GraphQLAsync("""mutation($v: ID) { recordNavigation(input: { visitorId: $v, frontEnd: "www", events: [{ kind: PAGE_VIEW, name: "/before-sign-up" }] }) { recorded } }""", new { v = device });
        var email = $"export-{Guid.NewGuid():N}@example.org";
        var id = Guid.Parse((string)(await api.GraphQLAsync("""
            mutation($e: String!, $v: ID) { signUp(input: { email: $e, displayName: "Zoé Export", visitorId: $v }) { user { id } } }
            """, new { e = email, v = device })).DataOrFail()["signUp"]!["user"]!["id"]!);
        var token = api.UserToken(id);
        await api.GraphQLAsync("""
            mutation { connectAccount(input: { provider: "mastodon", externalAccountId: "@zoe@example.social", grantedScopes: ["profile"],
              profile: [{ name: "username", value: "zoe-export" }] }) { errors { code } } }
            """, token: token);

        var (status, document, response) = await GetAsync(token);

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("application/json", response.Content.Headers.ContentType!.MediaType);
        Assert.StartsWith("attachment;", response.Content.Headers.ContentDisposition!.ToString());
        Assert.Equal("no-store", response.Headers.CacheControl!.ToString());
        Assert.Equal(PersonalDataDocument.FormatName, (string)document!["format"]!);
        Assert.Equal(id.ToString(), (string)document["account"]!);

        var contact = Section(document, "contact");
        Assert.Equal("Coordonnées", (string)contact["name"]!);
        Assert.Equal("P3Y", (string)contact["retention"]!);
        Assert.Equal("contract", (string)contact["legalBasis"]!);
        Assert.False(string.IsNullOrEmpty((string)contact["purpose"]!));
        Assert.Equal(email, (string)contact["records"]!["user"]![0]!["email"]!);
        Assert.Equal("Zoé Export", (string)Section(document, "identity")["records"]!["user"]![0]!["displayName"]!);

        // Navigation recorded on the device before sign-up is theirs too; every row keeps its keys.
        var pages = Section(document, "navigation")["records"]!["navigationEvent"]!.AsArray();
        Assert.Contains(pages, p => (string)p!["name"]! == "/before-sign-up");
        Assert.All(pages, p => Assert.NotNull(p!["id"]));
        Assert.Equal("technical", (string)Section(document, "navigation")["kind"]!);

        var received = Section(document, "connected_account_profile")["records"]!;
        Assert.Equal("@zoe@example.social", (string)received["connectedAccount"]![0]!["externalAccountId"]!);
        Assert.Contains(received["sharedField"]!.AsArray(), f => (string)f!["value"]! == "zoe-export");
        var proofs = Section(document, "consent_proofs")["records"]!;
        Assert.NotEmpty(proofs["consentRecord"]!.AsArray());
        Assert.Contains(proofs["visitor"]!.AsArray(), v => (string)v!["id"]! == device);
        // The welcome e-mail waiting in the outbox: its payload is contact data, shown as stored.
        Assert.Contains(Section(document, "contact")["records"]!["outboxMessage"]!.AsArray(), m => (string)m!["payload"]!["to"]! == email);
    }

    [Fact]
    public async Task Staff_ProduceTheSameDocument_ForARequestByPost_AndTheAuditTrailKeepsWhoAndWhy()
    {
        var user = await api.CreateUserAsync($"post-{Guid.NewGuid():N}@example.org", "Paul Post");
        var staff = api.Token("staff", "alice");

        var missingReason = await GetAsync(staff, $"?userId={user.Id}");
        Assert.Equal((HttpStatusCode.BadRequest, "INVALID_REASON"), (missingReason.Status, (string)missingReason.Body!["errors"]![0]!["extensions"]!["code"]!));

        // The person's own download first: signing in is itself recorded (lastAuthenticatedAt).
        var own = await GetAsync(api.UserToken(user.Id));
        var (status, document, _) = await GetAsync(staff, $"?userId={user.Id}&reason=" + Uri.EscapeDataString("Letter of 2026-11-20"));
        Assert.Equal(HttpStatusCode.OK, status);
        document!["generatedAt"] = null;
        own.Body!["generatedAt"] = null;
        Assert.Equal(own.Body.ToJsonString(), document.ToJsonString());

        var line = await api.ExecuteDbAsync(db => db.StaffActions.AsNoTracking().SingleAsync(a => a.Subject == user.AuditRef));
        Assert.Equal((StaffActionKind.PersonalDataExported, "alice", "Letter of 2026-11-20"), (line.Action, line.Actor, line.Reason));
    }

    [Theory]
    [InlineData("anonymous", HttpStatusCode.Unauthorized, "AUTH_REQUIRED")]
    [InlineData("partner", HttpStatusCode.Forbidden, "FORBIDDEN")]
    [InlineData("another user", HttpStatusCode.Forbidden, "FORBIDDEN")]
    [InlineData("staff, no id", HttpStatusCode.BadRequest, "INVALID_USER_ID")]
    [InlineData("staff, unknown id", HttpStatusCode.NotFound, "USER_NOT_FOUND")]
    [InlineData("erased user", HttpStatusCode.NotFound, "USER_NOT_FOUND")]
    public async Task NobodyElse_GetsAPersonsCopy(string caller, HttpStatusCode expected, string code)
    {
        var user = await api.CreateUserAsync($"other-{Guid.NewGuid():N}@example.org");
        var (token, query) = caller switch
        {
            "anonymous" => (null, ""),
            "partner" => (api.Token("partner", "acme"), $"?userId={user.Id}"),
            "another user" => (api.UserToken((await api.CreateUserAsync($"x-{Guid.NewGuid():N}@example.org")).Id), $"?userId={user.Id}"),
            "staff, no id" => (api.Token("staff", "alice"), "?reason=x"),
            "staff, unknown id" => (api.Token("staff", "alice"), $"?userId={Guid.NewGuid()}&reason=x"),
            _ => (api.UserToken(Guid.NewGuid()), ""),
        };
        var (status, body, _) = await GetAsync(token, query);
        Assert.Equal(expected, status);
        Assert.Equal(code, (string)body!["errors"]![0]!["extensions"]!["code"]!);
    }
}
