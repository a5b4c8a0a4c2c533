using System.Text.Json.Nodes;
using Imail.Api.Auth;
using Imail.Testing;
using Microsoft.EntityFrameworkCore;

namespace Imail.Api.Tests.Partners;

public class WebhookEndpointTests(ImailApiFactory api) : IClassFixture<ImailApiFactory>
{
    private const string Register = """
        mutation($url: String!, $types: [String!]) {
          registerWebhookEndpoint(input: { url: $url, eventTypes: $types }) {
            endpoint { id url eventTypes active } secret errors { code message ... on InputError { field } }
          }
        }
        """;

    private string Partner(string subject) => api.Token(Roles.Partner, subject);

    private async Task<JsonNode> RegisterAsync(string partner, string url, string[]? types = null) =>
        (await api.GraphQLAsync(Register, new { url, types }, Partner(partner))).DataOrFail()["registerWebhookEndpoint"]!;

    private Task<int> CountAsync(string partner) => api.ExecuteDbAsync(db => db.WebhookEndpoints.CountAsync(e => e.Partner == partner));

    [Fact]
    public async Task Registering_ShowsTheSecretOnce_AndNoQueryReturnsIt()
    {
        var registered = await RegisterAsync("partner-once", "https://hooks.partner.example/imail", ["policyVersionPublished"]);
        Assert.Empty(registered["errors"]!.AsArray());
        var secret = (string)registered["secret"]!;
        Assert.StartsWith("whsec_", secret);
        Assert.InRange(Convert.FromBase64String(secret["whsec_".Length..]).Length, 24, 32);
        Assert.Equal(["policyVersionPublished"], registered["endpoint"]!["eventTypes"]!.AsArray().Select(t => (string)t!));

        // Everything a partner and staff may read about endpoints: the secret is in none of it.
        var everything = """
            { webhookEndpoints(first: 100) { nodes { id partner url eventTypes active createdAt updatedAt disabledAt disabledReason previousSecretExpiresAt } } }
            """;
        var asPartner = await api.GraphQLAsync(everything, token: Partner("partner-once"));
        var asStaff = await api.GraphQLAsync(everything, token: api.StaffToken());
        Assert.Single(asPartner.DataOrFail()["webhookEndpoints"]!["nodes"]!.AsArray());
        Assert.Contains(asStaff.DataOrFail()["webhookEndpoints"]!["nodes"]!.AsArray(), n => (string?)n!["partner"] == "partner-once");
        Assert.DoesNotContain(secret["whsec_".Length..], asPartner.Body.ToJsonString());
        Assert.DoesNotContain(secret["whsec_".Length..], asStaff.Body.ToJsonString());
        var fields = (await api.GraphQLAsync("""{ __type(name: "WebhookEndpoint") { fields { name } } }""")).DataOrFail()["__type"]!["fields"]!.AsArray();
        Assert.DoesNotContain(fields, f => ((string)f!["name"]!).Equals("secret", StringComparison.OrdinalIgnoreCase) || ((string)f["name"]!).Equals("previousSecret", StringComparison.OrdinalIgnoreCase));
    }

    [Fact]
    public async Task APartner_SeesOnlyItsOwnEndpoints_AndAnotherPartnersIds_AreNotFound_LikeMissingOnes()
    {
        var theirs = (string)(await RegisterAsync("partner-owner", "https://owner.example/hook"))["endpoint"]!["id"]!;
        var missing = Guid.NewGuid().ToString();
        var intruder = Partner("partner-intruder");

        var listed = (await api.GraphQLAsync("{ webhookEndpoints { nodes { id } } }", token: intruder)).DataOrFail()["webhookEndpoints"]!["nodes"]!.AsArray();
        Assert.DoesNotContain(listed, n => (string?)n!["id"] == theirs);

        foreach (var mutation in new[] { "rotateWebhookSecret", "removeWebhookEndpoint" })
        {
            var answers = new List<string>();
            foreach (var id in new[] { theirs, missing })
            {
                var payload = (await api.GraphQLAsync($"mutation($id: ID!) {{ {mutation}(input: {{ endpointId: $id }}) {{ errors {{ __typename code message }} }} }}",
                    new { id }, intruder)).DataOrFail()[mutation]!;
                var error = Assert.Single(payload["errors"]!.AsArray())!;
                Assert.Equal(("NotFoundError", "WEBHOOK_ENDPOINT_NOT_FOUND"), ((string)error["__typename"]!, (string)error["code"]!));
                answers.Add(((string)error["message"]!).Replace(id, "<id>"));
            }
            Assert.Equal(answers[0], answers[1]);
        }
        var replay = (await api.GraphQLAsync("mutation($id: ID!, $since: DateTimeOffset!) { replayWebhookEvents(input: { endpointId: $id, since: $since }) { errors { code } } }",
            new { id = theirs, since = api.Clock.GetUtcNow().AddHours(-1) }, intruder)).DataOrFail()["replayWebhookEvents"]!;
        Assert.Equal("WEBHOOK_ENDPOINT_NOT_FOUND", (string)replay["errors"]![0]!["code"]!);
        foreach (var id in new[] { theirs, missing })
        {
            var deliveries = await api.GraphQLAsync("query($id: ID!) { webhookDeliveries(endpointId: $id) { totalCount } }", new { id }, intruder);
            Assert.Equal(["WEBHOOK_ENDPOINT_NOT_FOUND"], deliveries.ErrorCodes);
        }

        // Still there for its owner, and staff read its deliveries.
        Assert.Equal(1, await CountAsync("partner-owner"));
        (await api.GraphQLAsync("query($id: ID!) { webhookDeliveries(endpointId: $id) { totalCount } }", new { id = theirs }, api.StaffToken())).DataOrFail();
    }

    [Theory]
    [InlineData("not a url", "INVALID_WEBHOOK_URL")]
    [InlineData("/hooks/imail", "INVALID_WEBHOOK_URL")]
    [InlineData("ftp://partner.example/hook", "INVALID_WEBHOOK_URL")]
    [InlineData("https://user:pass@partner.example/hook", "INVALID_WEBHOOK_URL")]
    [InlineData("https://partner.example/hook#fragment", "INVALID_WEBHOOK_URL")]
    public async Task AUrlThatCannotBeAnEndpoint_IsATypedError_AndNothingIsWritten(string url, string code)
    {
        var partner = "partner-bad-" + Guid.NewGuid().ToString("N")[..8];
        var payload = await RegisterAsync(partner, url);
        Assert.Null(payload["endpoint"]);
        Assert.Null(payload["secret"]);
        Assert.Equal((code, "url"), ((string)payload["errors"]![0]!["code"]!, (string)payload["errors"]![0]!["field"]!));
        Assert.Equal(0, await CountAsync(partner));
    }

    [Fact]
    public async Task AnUnknownEventType_IsATypedError()
    {
        var payload = await RegisterAsync("partner-types", "https://partner.example/hook", ["policyVersionPublished", "userDeleted"]);
        Assert.Equal(("UNKNOWN_EVENT_TYPE", "eventTypes"), ((string)payload["errors"]![0]!["code"]!, (string)payload["errors"]![0]!["field"]!));
        Assert.Contains("'userDeleted'", (string)payload["errors"]![0]!["message"]!);
    }

    [Fact]
    public async Task APartner_RegistersAtMostTenEndpoints()
    {
        for (var i = 0; i < 10; i++) Assert.Empty((await RegisterAsync("partner-many", $"https://partner.example/hook/{i}"))["errors"]!.AsArray());
        var eleventh = await RegisterAsync("partner-many", "https://partner.example/hook/10");
        Assert.Equal("WEBHOOK_ENDPOINT_LIMIT", (string)eleventh["errors"]![0]!["code"]!);
        Assert.Equal(10, await CountAsync("partner-many"));
        // Another partner is not held back by this one's endpoints.
        Assert.Empty((await RegisterAsync("partner-few", "https://partner.example/hook"))["errors"]!.AsArray());
    }

    [Fact]
    public async Task HostileUrls_NulAndTwoHundredKilobytes_AreTypedErrors_NeverA500_AndNothingIsWritten()
    {
        var nul = await api.GraphQLAsync(Register, new { url = "https://partner.example/\u0000hook" }, Partner("partner-hostile"));
        Assert.Equal(400, nul.Status);
        Assert.Equal(["INVALID_CHARACTERS"], nul.ErrorCodes);

        var huge = await api.GraphQLAsync(Register, new { url = "https://partner.example/" + new string('a', 200_000) }, Partner("partner-hostile"));
        Assert.Equal(400, huge.Status);
        Assert.Equal(["STRING_TOO_LONG"], huge.ErrorCodes);
        Assert.True(huge.Body.ToJsonString().Length < 2_000);

        // Under the transport's string limit but over the URL's: the mutation's own typed error.
        var long_ = await RegisterAsync("partner-hostile", "https://partner.example/" + new string('a', 3_000));
        Assert.Equal("INVALID_WEBHOOK_URL", (string)long_["errors"]![0]!["code"]!);
        Assert.True(((string)long_["errors"]![0]!["message"]!).Length < 200);

        Assert.Equal(0, await CountAsync("partner-hostile"));
    }

    [Fact]
    public async Task OnlyPartnersRegister_AndUsersCannotListEndpoints()
    {
        var user = await api.CreateUserAsync($"{Guid.NewGuid():N}@example.org");
        var asUser = await api.GraphQLAsync(Register, new { url = "https://partner.example/hook" }, api.UserToken(user.Id));
        var asStaff = await api.GraphQLAsync(Register, new { url = "https://partner.example/hook" }, api.StaffToken());
        var listing = await api.GraphQLAsync("{ webhookEndpoints { totalCount } }", token: api.UserToken(user.Id));
        foreach (var refused in new[] { asUser, asStaff, listing })
        {
            Assert.Equal(403, refused.Status);
            Assert.Null(refused.Data);
            Assert.All(refused.ErrorCodes, c => Assert.Equal("ACCESS_DENIED", c));
        }
    }
}

/// <summary>Registration where it counts: https only, and no address inside a network (SSRF).</summary>
public class WebhookEndpointSsrfTests(WebhookEndpointSsrfTests.StrictApi api) : IClassFixture<WebhookEndpointSsrfTests.StrictApi>
{
    public sealed class StrictApi : ImailApiFactory
    {
        protected override IDictionary<string, string?> Settings => new Dictionary<string, string?>
        {
            ["Imail:Webhooks:RequireHttps"] = "true",
            ["Imail:Webhooks:AllowPrivateNetworks"] = "false",
        };
    }

    [Theory]
    [InlineData("https://127.0.0.1/hook")]
    [InlineData("https://localhost:8443/hook")]
    [InlineData("https://[::1]/hook")]
    [InlineData("https://10.0.0.5/hook")]
    [InlineData("https://192.168.1.10/hook")]
    [InlineData("https://169.254.169.254/latest/meta-data")]
    [InlineData("https://100.64.1.1/hook")]
    [InlineData("https://[fd00::1]/hook")]
    [InlineData("https://[fe80::1]/hook")]
    [InlineData("https://[::ffff:127.0.0.1]/hook")]
    [InlineData("https://0.0.0.0/hook")]
    [InlineData("https://224.0.0.1/hook")]
    public async Task AnEndpointInsideANetwork_IsRefused(string url)
    {
        var payload = (await api.GraphQLAsync("mutation($url: String!) { registerWebhookEndpoint(input: { url: $url }) { secret errors { code } } }",
            new { url }, api.Token(Roles.Partner, "partner-ssrf"))).DataOrFail()["registerWebhookEndpoint"]!;
        Assert.Equal("WEBHOOK_URL_NOT_PUBLIC", (string)payload["errors"]![0]!["code"]!);
        Assert.Null(payload["secret"]);
        Assert.Equal(0, await api.ExecuteDbAsync(db => db.WebhookEndpoints.CountAsync()));
    }

    [Fact]
    public async Task PlainHttp_IsRefused_OutsideDevelopment()
    {
        var payload = (await api.GraphQLAsync("mutation($url: String!) { registerWebhookEndpoint(input: { url: $url }) { errors { code } } }",
            new { url = "http://93.184.215.14/hook" }, api.Token(Roles.Partner, "partner-http"))).DataOrFail()["registerWebhookEndpoint"]!;
        Assert.Equal("WEBHOOK_HTTPS_REQUIRED", (string)payload["errors"]![0]!["code"]!);
    }

    [Fact]
    public async Task APublicAddress_IsAccepted()
    {
        var payload = (await api.GraphQLAsync("mutation($url: String!) { registerWebhookEndpoint(input: { url: $url }) { secret errors { code } } }",
            new { url = "https://93.184.215.14/hook" }, api.Token(Roles.Partner, "partner-public"))).DataOrFail()["registerWebhookEndpoint"]!;
        Assert.Empty(payload["errors"]!.AsArray());
    }
}
