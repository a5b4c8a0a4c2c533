using GraphQL.Types;
using Imail.Api.GraphQL.Conventions;
using Imail.Api.GraphQL.Http;
using Imail.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using static Imail.Api.Tests.Transport.GraphQLHttp;

namespace Imail.Api.Tests.Transport;

/// <summary>
/// The API with low rate limits, behind a "proxy": ASP.NET Core's forwarded headers are on, as
/// docs/graphql-over-http.md tells operators to do, so each test speaks from addresses of its own
/// (X-Forwarded-For) and the tests do not share a budget.
/// </summary>
public sealed class LowRateLimitsApiFactory : ImailApiFactory
{
    protected override IDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["ForwardedHeaders_Enabled"] = "true",
        ["Imail:RateLimits:Email:PerAddress"] = "3",
        ["Imail:RateLimits:Email:PerAccount"] = "2",
        ["Imail:RateLimits:ConsentProofs:PerAddress"] = "6",
        ["Imail:RateLimits:ConsentProofs:PerAccount"] = "4",
    };
}

/// <summary>Mutations that send e-mail or write proofs cannot be run in bulk: per document, per address, per account.</summary>
public sealed class MutationAbuseTests(LowRateLimitsApiFactory api) : IClassFixture<LowRateLimitsApiFactory>
{
    private const string SignUp = "mutation($input: SignUpInput!) { signUp(input: $input) { user { id } errors { code } } }";
    private const string Decide = """
        mutation { decideConsent(input: { choices: [{ purpose: STATISTICS, granted: true }, { purpose: PERSONALISATION, granted: false }],
          policyVersion: "1.0", bannerVersion: "b1", frontEnd: "www.imail.example" }) { visitorId errors { code } } }
        """;

    private readonly HttpClient _client = api.CreateClient();

    [Fact]
    public async Task Item16_TwentyAliasedSignUps_AreRefusedBeforeAnyRuns()
    {
        var fields = string.Join(" ", Enumerable.Range(0, 20).Select(i =>
            $$"""s{{i}}: signUp(input: { email: "bulk{{i}}@example.org", displayName: "Bulk" }) { user { id } }"""));

        var reply = await _client.AskAsync(From("198.51.100.1", PostQuery($"mutation {{ {fields} }}")));

        reply.ShouldFailWith(400, TransportErrorCodes.TooManyMutations);
        Assert.False(reply.HasData);
        Assert.Equal(0, await api.ExecuteDbAsync(db => db.Users.CountAsync(u => u.Email.StartsWith("bulk"))));
    }

    [Fact]
    public async Task Item16_RootMutationsThroughFragments_CountToo()
    {
        string Decisions(int from) => string.Join(" ", Enumerable.Range(from, 3).Select(i => $"d{i}: decideConsent(input: $input) {{ visitorId }}"));

        var reply = await _client.AskAsync(From("198.51.100.2", PostQuery(
            $"mutation($input: DecideConsentInput!) {{ ...Three ... on Mutation {{ {Decisions(3)} }} }} fragment Three on Mutation {{ {Decisions(0)} }}",
            new { input = DecisionInput() })));

        reply.ShouldFailWith(400, TransportErrorCodes.TooManyMutations);
    }

    [Fact]
    public async Task FiveRootMutations_Run()
    {
        var fields = string.Join(" ", Enumerable.Range(0, 5).Select(i => $"d{i}: decideConsent(input: $input) {{ visitorId errors {{ code }} }}"));

        var reply = await _client.AskAsync(From("198.51.100.3", PostQuery($"mutation($input: DecideConsentInput!) {{ {fields} }}", new { input = DecisionInput() })));

        Assert.All(Enumerable.Range(0, 5), i => Assert.Empty(reply.Data()[$"d{i}"]!["errors"]!.AsArray()));
    }

    [Fact]
    public async Task Item16_SignUps_OverTheAddressLimit_Are429_WithRetryAfter_AndRunNothing()
    {
        for (var i = 0; i < 3; i++)
            Assert.Empty((await SignUpAsync("203.0.113.10", $"addr{i}@example.org")).Data()["signUp"]!["errors"]!.AsArray());

        var refused = await SignUpAsync("203.0.113.10", "addr3@example.org");

        refused.ShouldFailWith(429, TransportErrorCodes.RateLimited);
        Assert.False(refused.HasData);
        var retryAfter = int.Parse(Assert.Single(refused.Headers.GetValues("Retry-After")));
        Assert.InRange(retryAfter, 1, 3600);
        Assert.Equal(retryAfter, (int)refused.Errors![0]!["extensions"]!["retryAfterSeconds"]!);
        Assert.False(await api.ExecuteDbAsync(db => db.Users.AnyAsync(u => u.Email == "addr3@example.org")));
        Assert.Equal(3, await api.ExecuteDbAsync(db => db.OutboxMessages.CountAsync(m => db.Users.Any(u => u.Id == m.UserId && u.Email.StartsWith("addr")))));

        // Another address has a budget of its own.
        Assert.Empty((await SignUpAsync("203.0.113.11", "addr4@example.org")).Data()["signUp"]!["errors"]!.AsArray());
    }

    [Fact]
    public async Task Item16_EachAliasedUse_CountsAgainstTheLimit()
    {
        const string two = """
            mutation { a: signUp(input: { email: "alias-a@example.org", displayName: "A" }) { user { id } }
                       b: signUp(input: { email: "alias-b@example.org", displayName: "B" }) { user { id } } }
            """;
        (await _client.AskAsync(From("203.0.113.20", PostQuery(two)))).Data();

        var refused = await _client.AskAsync(From("203.0.113.20", PostQuery(two.Replace("alias-", "alias2-"))));

        refused.ShouldFailWith(429, TransportErrorCodes.RateLimited);
        Assert.False(await api.ExecuteDbAsync(db => db.Users.AnyAsync(u => u.Email.StartsWith("alias2-"))));
    }

    [Fact]
    public async Task Item16_UpdateProfile_OverTheAccountLimit_Is429_FromAnyAddress()
    {
        var user = await api.CreateUserAsync("account-limit@example.org");
        var token = api.UserToken(user.Id);
        string Update(int i) => $$"""mutation { updateProfile(input: { displayName: "Name {{i}}" }) { errors { code } } }""";

        (await _client.AskAsync(From("203.0.113.30", PostQuery(Update(1), token: token)))).Data();
        (await _client.AskAsync(From("203.0.113.31", PostQuery(Update(2), token: token)))).Data();
        var refused = await _client.AskAsync(From("203.0.113.32", PostQuery(Update(3), token: token)));

        refused.ShouldFailWith(429, TransportErrorCodes.RateLimited);
        Assert.Contains("this account", (string)refused.Errors![0]!["message"]!);
        Assert.Equal("Name 2", await api.ExecuteDbAsync(db => db.Users.Where(u => u.Id == user.Id).Select(u => u.DisplayName).SingleAsync()));
    }

    [Fact]
    public async Task Item16_ConsentDecisionsAndWithdrawals_OverTheAddressLimit_Are429()
    {
        string? visitor = null;
        for (var i = 0; i < 5; i++)
            visitor = (string?)(await _client.AskAsync(From("203.0.113.40", PostQuery(Decide)))).Data()["decideConsent"]!["visitorId"];
        var withdraw = $$"""mutation { withdrawConsent(input: { visitorId: "{{visitor}}", frontEnd: "www.imail.example" }) { errors { code } } }""";
        Assert.Empty((await _client.AskAsync(From("203.0.113.40", PostQuery(withdraw)))).Data()["withdrawConsent"]!["errors"]!.AsArray());
        var proofs = await api.ExecuteDbAsync(db => db.ConsentRecords.CountAsync());

        var refused = await _client.AskAsync(From("203.0.113.40", PostQuery(withdraw)));

        refused.ShouldFailWith(429, TransportErrorCodes.RateLimited);
        Assert.True(refused.Headers.Contains("Retry-After"));
        Assert.Equal(proofs, await api.ExecuteDbAsync(db => db.ConsentRecords.CountAsync()));
    }

    [Fact]
    public async Task Item16_RateLimited_IsAnswered429_ForBothMediaTypes()
    {
        for (var i = 0; i < 3; i++) await SignUpAsync("203.0.113.50", $"media{i}@example.org");

        var reply = await _client.AskAsync(From("203.0.113.50",
            PostQuery(SignUp, new { input = new { email = "media3@example.org", displayName = "M" } }, accept: Json)));

        reply.ShouldFailWith(429, TransportErrorCodes.RateLimited);
        Assert.Equal(Json, reply.MediaType);
    }

    [Fact]
    public async Task ADocumentThatDoesNotValidate_CostsNoPermit()
    {
        for (var i = 0; i < 5; i++)
            (await _client.AskAsync(From("203.0.113.60", PostQuery("mutation { signUp(input: { email: \"x@example.org\", displayName: \"X\" }) { nope } }"))))
                .ShouldFailWith(400, "FIELDS_ON_CORRECT_TYPE");

        Assert.Empty((await SignUpAsync("203.0.113.60", "valid@example.org")).Data()["signUp"]!["errors"]!.AsArray());
    }

    [Fact]
    public async Task Item16_RequestsWithoutAnAddress_ShareOneBudget()
    {
        // TestServer gives no remote address; without X-Forwarded-For the requests share the "unknown" partition.
        for (var i = 0; i < 3; i++)
            (await _client.AskAsync(PostQuery(SignUp, new { input = new { email = $"nowhere{i}@example.org", displayName = "N" } }))).Data();

        var refused = await _client.AskAsync(PostQuery(SignUp, new { input = new { email = "nowhere3@example.org", displayName = "N" } }));

        refused.ShouldFailWith(429, TransportErrorCodes.RateLimited);
    }

    /// <summary>
    /// Every mutation is classified: a new one fails this test until it is declared rate-limited
    /// (it sends e-mail or writes proofs) or listed here as not needing it.
    /// </summary>
    [Fact]
    public void Item16_EveryMutation_IsRateLimited_OrListedAsNotNeedingIt()
    {
        var limited = new Dictionary<string, RateLimitPolicy>
        {
            ["signUp"] = RateLimitPolicy.Email,
            ["updateProfile"] = RateLimitPolicy.Email,
            ["confirmEmailChange"] = RateLimitPolicy.Email,
            ["decideConsent"] = RateLimitPolicy.ConsentProofs,
            ["withdrawConsent"] = RateLimitPolicy.ConsentProofs,
            ["requestAccountDeletion"] = RateLimitPolicy.Email,
            ["confirmAccountDeletion"] = RateLimitPolicy.Email,
            ["acceptPolicyVersion"] = RateLimitPolicy.ConsentProofs,
            ["refusePolicyVersion"] = RateLimitPolicy.ConsentProofs,
        };
        string[] unlimited =
        [
            "attachVisitor", "recordNavigation", "connectAccount", "disconnectAccount", "cancelAccountDeletion", // the caller's own data, no e-mail, no proof
            "createDataCategory", "updateDataCategory", "deleteDataCategory", "declareCookie", "updateCookie", "removeCookie", "requeueOutboxMessage", // staff
            "recordDeletionRequest", "extendDeletionRequest", "cancelDeletionRequest", "carryOutDeletionRequest",
            "restrictAccount", "liftRestriction", "terminateAccount", // staff (P10, P11)
            "draftPolicyVersion", "editPolicyVersion", "publishPolicyVersion", // staff (P13)
            "declareIncident", "publishIncidentFindings", "publishIncidentMeasures", "recordAuthorityNotification", "closeIncident", // staff (P12)
            // a partner's own endpoints: at most Imail:Webhooks:MaxEndpointsPerPartner, a replay bounded by the log's retention (P13)
            "registerWebhookEndpoint", "rotateWebhookSecret", "removeWebhookEndpoint", "replayWebhookEvents",
        ];
        var schema = api.Services.GetRequiredService<ISchema>();
        schema.Initialize();

        var declared = schema.Mutation!.Fields.ToDictionary(f => f.Name, f => RateLimits.PolicyOf(f));

        Assert.Equal(limited.OrderBy(p => p.Key), declared.Where(p => p.Value is not null).Select(p => KeyValuePair.Create(p.Key, p.Value!.Value)).OrderBy(p => p.Key));
        Assert.Empty(declared.Keys.Except(limited.Keys).Except(unlimited));
    }

    private Task<Reply> SignUpAsync(string address, string email) =>
        _client.AskAsync(From(address, PostQuery(SignUp, new { input = new { email, displayName = "Limited" } })));

    private static object DecisionInput() => new
    {
        choices = new[] { new { purpose = "STATISTICS", granted = true }, new { purpose = "PERSONALISATION", granted = false } },
        policyVersion = TestPolicy.Version,
        bannerVersion = "b1",
        frontEnd = "www.imail.example",
    };

    private static HttpRequestMessage From(string address, HttpRequestMessage request)
    {
        request.Headers.Add("X-Forwarded-For", address);
        return request;
    }
}
