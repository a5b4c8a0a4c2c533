using Imail.Api.GraphQL.Http;
using Imail.Testing;
using Microsoft.Extensions.DependencyInjection;
using static Imail.Api.Tests.Transport.GraphQLHttp;

namespace Imail.Api.Tests.Transport;

/// <summary>GraphQL over HTTP as the spec (draft) describes it, against the real host.</summary>
public sealed class GraphQLHttpTransportTests(ImailApiFactory api) : IClassFixture<ImailApiFactory>
{
    private readonly HttpClient _client = api.CreateClient();

    [Fact]
    public async Task Post_Query_AnswersDataAsGraphQLResponseJson()
    {
        var reply = await _client.AskAsync(PostQuery("{ __typename }"));

        Assert.Equal("Query", reply.Data()["__typename"]!.GetValue<string>());
        Assert.Equal(GraphQLResponseJson, reply.MediaType);
        Assert.Contains("charset=utf-8", reply.ContentType);
    }

    [Fact]
    public async Task Get_Query_WithVariablesAndOperationName_Runs()
    {
        var reply = await _client.AskAsync(Get(
            "query A { dataCategories { code } } query B($code: String!) { __typename dataCategory(code: $code) { code } }",
            variables: """{"code":"none"}""", operationName: "B"));

        Assert.Equal("Query", reply.Data()["__typename"]!.GetValue<string>());
        Assert.Null(reply.Data()["dataCategory"]);
    }

    [Theory]
    [InlineData(GraphQLResponseJson)]
    [InlineData(Json)]
    public async Task Get_Mutation_IsRefusedWith405AndAllowPost(string accept)
    {
        var reply = await _client.AskAsync(Get("mutation { __typename }", accept: accept));

        reply.ShouldFailWith(405, TransportErrorCodes.MethodNotAllowed);
        Assert.Equal("POST", reply.Allow);
        Assert.False(reply.HasData);
    }

    [Fact]
    public async Task Get_MutationChosenByOperationName_IsRefusedWith405()
    {
        var reply = await _client.AskAsync(Get("query Q { __typename } mutation M { __typename }", operationName: "M"));

        reply.ShouldFailWith(405, TransportErrorCodes.MethodNotAllowed);
    }

    [Fact]
    public async Task Post_Mutation_Runs()
    {
        var reply = await _client.AskAsync(PostQuery("mutation { __typename }"));

        Assert.Equal("Mutation", reply.Data()["__typename"]!.GetValue<string>());
    }

    [Theory]
    [InlineData(null, GraphQLResponseJson)]
    [InlineData("*/*", GraphQLResponseJson)]
    [InlineData(GraphQLResponseJson, GraphQLResponseJson)]
    [InlineData(Json, Json)]
    [InlineData("application/json; charset=utf-8", Json)]
    [InlineData("application/graphql-response+json, application/json;q=0.9", GraphQLResponseJson)]
    [InlineData("application/json, application/graphql-response+json;q=0.5", Json)]
    [InlineData("application/json, */*", Json)]
    [InlineData("text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8", GraphQLResponseJson)]
    [InlineData("application/*", GraphQLResponseJson)]
    public async Task Accept_ChoosesTheResponseMediaType(string? accept, string expected)
    {
        var reply = await _client.AskAsync(PostQuery("{ __typename }", accept: accept));

        Assert.Equal(200, reply.Status);
        Assert.Equal(expected, reply.MediaType);
    }

    [Theory]
    [InlineData("text/html")]
    [InlineData("application/xml, text/plain;q=0.5")]
    [InlineData("application/json;q=0, application/graphql-response+json;q=0")]
    [InlineData("application/json; charset=utf-16")]
    public async Task Accept_WithNothingWeCanSend_Is406(string accept)
    {
        var reply = await _client.AskAsync(PostQuery("{ __typename }", accept: accept));

        reply.ShouldFailWith(406, TransportErrorCodes.NotAcceptable);
    }

    [Theory]
    [InlineData(GraphQLResponseJson, 400)]
    [InlineData(Json, 200)]
    public async Task ParseError_Is400OrJson200_WithoutData(string accept, int status)
    {
        var reply = await _client.AskAsync(PostQuery("{ __typename", accept: accept));

        reply.ShouldFailWith(status, "SYNTAX_ERROR");
        Assert.False(reply.HasData);
        Assert.Equal(accept, reply.MediaType);
    }

    [Theory]
    [InlineData(GraphQLResponseJson, 400)]
    [InlineData(Json, 200)]
    public async Task ValidationError_Is400OrJson200_WithoutData(string accept, int status)
    {
        var reply = await _client.AskAsync(PostQuery("{ noSuchField }", accept: accept));

        reply.ShouldFailWith(status, "FIELDS_ON_CORRECT_TYPE");
        Assert.False(reply.HasData);
    }

    [Theory]
    [InlineData(GraphQLResponseJson, 400)]
    [InlineData(Json, 200)]
    public async Task VariableCoercionFailure_Is400OrJson200(string accept, int status)
    {
        var reply = await _client.AskAsync(PostQuery("query($code: String!) { dataCategory(code: $code) { code } }", new { code = (string?)null }, accept: accept));

        reply.ShouldFailWith(status, "INVALID_VALUE");
    }

    [Fact]
    public async Task BadScalarInVariables_Is400_NeverA500()
    {
        var reply = await _client.AskAsync(PostQuery("query($n: Int) { users(first: $n) { totalCount } }", new { n = new { nested = true } }, token: api.StaffToken()));

        reply.ShouldFailWith(400, "INVALID_VALUE");
    }

    [Fact]
    public async Task UnknownOperationName_Is400()
    {
        var reply = await _client.AskAsync(PostQuery("query A { __typename }", operationName: "B"));

        reply.ShouldFailWith(400, "INVALID_OPERATION_NAME");
    }

    [Theory]
    [InlineData(GraphQLResponseJson)]
    [InlineData(Json)]
    public async Task FieldError_IsStill200_WithData(string accept)
    {
        var reply = await _client.AskAsync(PostQuery("{ users(first: 0) { totalCount } }", accept: accept, token: api.StaffToken()));

        reply.ShouldFailWith(200, "INVALID_PAGE_SIZE");
        Assert.True(reply.HasData); // null here: the root field is non-null, but the operation ran
    }

    [Fact]
    public async Task AccessError_ForAnonymousCaller_Is401WithBearerChallenge()
    {
        var reply = await _client.AskAsync(PostQuery("{ users { totalCount } }"));

        reply.ShouldFailWith(401, "AUTH_NOT_AUTHENTICATED");
        Assert.Equal("Bearer", string.Join(",", reply.Headers.WwwAuthenticate));
        Assert.Single(reply.Errors!); // reported once: the rule is not added twice
    }

    [Fact]
    public async Task AccessError_ForSignedInCallerWithoutTheRole_Is403()
    {
        var reply = await _client.AskAsync(PostQuery("{ users { totalCount } }", token: api.UserToken(Guid.NewGuid())));

        reply.ShouldFailWith(403, "ACCESS_DENIED");
    }

    [Fact]
    public async Task AccessError_MixedWithOtherValidationErrors_Is400()
    {
        var reply = await _client.AskAsync(PostQuery("{ users { totalCount } noSuchField }"));

        reply.ShouldFailWith(400, "AUTH_NOT_AUTHENTICATED");
    }

    [Fact]
    public async Task AccessError_WithApplicationJson_Is200()
    {
        var reply = await _client.AskAsync(PostQuery("{ users { totalCount } }", accept: Json));

        reply.ShouldFailWith(200, "AUTH_NOT_AUTHENTICATED");
    }

    [Fact]
    public async Task CachedDocument_StillEnforcesAccessForEachCaller()
    {
        const string query = "query CacheProbe { users(first: 1) { totalCount } }";
        var cache = api.Services.GetRequiredService<DocumentCache>();

        (await _client.AskAsync(PostQuery(query, token: api.StaffToken()))).Data();
        var hitsBefore = cache.Statistics!.TotalHits;

        var anonymous = await _client.AskAsync(PostQuery(query));
        var user = await _client.AskAsync(PostQuery(query, token: api.UserToken(Guid.NewGuid())));
        var staff = await _client.AskAsync(PostQuery(query, token: api.StaffToken()));

        anonymous.ShouldFailWith(401, "AUTH_NOT_AUTHENTICATED");
        user.ShouldFailWith(403, "ACCESS_DENIED");
        Assert.Equal(0, staff.Data()["users"]!["totalCount"]!.GetValue<int>());
        Assert.Equal(3, cache.Statistics!.TotalHits - hitsBefore);
    }

    [Fact]
    public async Task CachedDocument_StillCoercesVariablesAndChecksTheMethod()
    {
        const string query = "query CacheVars($code: String!) { dataCategory(code: $code) { code } }";
        (await _client.AskAsync(PostQuery(query, new { code = "a" }))).Data();

        (await _client.AskAsync(PostQuery(query, new { code = (string?)null }))).ShouldFailWith(400, "INVALID_VALUE");
        (await _client.AskAsync(PostQuery(query, new { code = 7 }))).ShouldFailWith(400, "INVALID_VALUE");
        (await _client.AskAsync(PostQuery(query, new { code = "b" }))).Data();
        (await _client.AskAsync(Get("mutation CacheMethod { __typename }"))).ShouldFailWith(405, TransportErrorCodes.MethodNotAllowed);
        (await _client.AskAsync(PostQuery("mutation CacheMethod { __typename }"))).Data();
        (await _client.AskAsync(Get("mutation CacheMethod { __typename }"))).ShouldFailWith(405, TransportErrorCodes.MethodNotAllowed);
    }

    [Theory]
    [InlineData("{ \"query\": ")]
    [InlineData("NONSENSE")]
    [InlineData("")]
    [InlineData("{\"query\":\"{ __typename }\"} trailing")]
    public async Task MalformedJson_Is400(string body)
    {
        var reply = await _client.AskAsync(Post(body));

        reply.ShouldFailWith(400, TransportErrorCodes.InvalidJson);
    }

    [Theory]
    [InlineData("""{"query": 1}""", TransportErrorCodes.InvalidRequest)]
    [InlineData("""{"query": {"a": 1}}""", TransportErrorCodes.InvalidRequest)]
    [InlineData("""{"query": "{ __typename }", "operationName": false}""", TransportErrorCodes.InvalidRequest)]
    [InlineData("""{"query": "{ __typename }", "variables": [7]}""", TransportErrorCodes.InvalidRequest)]
    [InlineData("""{"query": "{ __typename }", "variables": "{}"}""", TransportErrorCodes.InvalidRequest)]
    [InlineData("""{"query": "{ __typename }", "variables": {"a": 1, "a": 2}}""", TransportErrorCodes.InvalidRequest)]
    [InlineData("""{"query": "{ __typename }", "extensions": 0}""", TransportErrorCodes.InvalidRequest)]
    [InlineData("""{"qeury": "{ __typename }"}""", TransportErrorCodes.MissingQuery)]
    [InlineData("""{"query": null}""", TransportErrorCodes.MissingQuery)]
    [InlineData("""[{"query": "{ __typename }"}]""", TransportErrorCodes.BatchingNotSupported)]
    [InlineData("""7""", TransportErrorCodes.InvalidRequest)]
    [InlineData("""{"extensions": {"persistedQuery": {"version": 1, "sha256Hash": "abc"}}}""", TransportErrorCodes.PersistedQueryNotSupported)]
    [InlineData("""{"documentId": "sha256:abc"}""", TransportErrorCodes.PersistedQueryNotSupported)]
    public async Task MalformedRequest_Is400WithItsCode(string body, string code)
    {
        var reply = await _client.AskAsync(Post(body));

        reply.ShouldFailWith(400, code);
    }

    [Fact]
    public async Task NullOptionalParameters_AreAllowed()
    {
        var reply = await _client.AskAsync(Post("""{"query": "{ __typename }", "variables": null, "operationName": null, "extensions": null, "future": [1]}"""));

        reply.Data();
    }

    [Theory]
    [InlineData("variables=%5B7%5D")]
    [InlineData("variables=%7Bnot-json")]
    [InlineData("query=%7B__typename%7D")]
    public async Task Get_MalformedParameters_Are400(string extra)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/graphql?query=%7B__typename%7D&" + extra);
        var reply = await _client.AskAsync(request);

        Assert.Equal(400, reply.Status);
        Assert.All(reply.Codes, c => Assert.False(string.IsNullOrEmpty(c)));
    }

    [Fact]
    public async Task Get_WithoutQuery_FromAnApi_Is400MissingQuery()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/graphql");
        request.Headers.Add("Accept", GraphQLResponseJson);
        var reply = await _client.AskAsync(request);

        reply.ShouldFailWith(400, TransportErrorCodes.MissingQuery);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("text/plain")]
    [InlineData("application/x-www-form-urlencoded")]
    [InlineData("multipart/form-data; boundary=x")]
    [InlineData("application/graphql")]
    [InlineData("application/json; charset=latin1")]
    public async Task Post_WithAnotherMediaType_Is415(string? contentType)
    {
        var reply = await _client.AskAsync(Post("""{"query":"{ __typename }"}""", contentType));

        reply.ShouldFailWith(415, TransportErrorCodes.UnsupportedMediaType);
    }

    [Fact]
    public async Task Post_Utf8WithCharsetAndBom_IsRead()
    {
        var reply = await _client.AskAsync(Post("\uFEFF" + """{"query":"{ dataCategory(code: \"Run🏃Swim🏊\") { code } }"}""", "application/json; charset=UTF-8"));

        Assert.Null(reply.Data()["dataCategory"]);
    }

    [Theory]
    [InlineData("PUT")]
    [InlineData("DELETE")]
    [InlineData("PATCH")]
    public async Task OtherMethods_Are405(string method)
    {
        using var request = new HttpRequestMessage(new HttpMethod(method), "/graphql");
        var reply = await _client.AskAsync(request);

        reply.ShouldFailWith(405, TransportErrorCodes.MethodNotAllowed);
        Assert.Equal("GET, POST", reply.Allow);
    }

    [Fact]
    public async Task Subscription_OverHttp_IsARequestError_NotA500()
    {
        var reply = await _client.AskAsync(PostQuery("subscription { __typename }"));

        reply.ShouldFailWith(400, TransportErrorCodes.SubscriptionNotSupported);
        Assert.False(reply.HasData);
    }

    [Fact]
    public async Task Browser_GetWithoutQuery_GoesToTheIde_AndWithAQuery_ToGraphQL()
    {
        const string browser = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8";
        using var client = api.CreateClient(new Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactoryClientOptions { AllowAutoRedirect = false });

        using var page = new HttpRequestMessage(HttpMethod.Get, "/graphql");
        page.Headers.TryAddWithoutValidation("Accept", browser);
        var ide = await client.AskAsync(page);
        var query = await client.AskAsync(Get("{ __typename }", accept: browser));
        var post = await client.AskAsync(PostQuery("{ __typename }", accept: browser));

        Assert.Equal(302, ide.Status);
        Assert.Equal("Query", query.Data()["__typename"]!.GetValue<string>());
        Assert.Equal("Query", post.Data()["__typename"]!.GetValue<string>());
    }

    [Fact]
    public void ErrorsWithoutACodeOfTheirOwn_GetOne()
    {
        var errors = api.Services.GetRequiredService<global::GraphQL.Execution.IErrorInfoProvider>();

        var plain = errors.GetInfo(new global::GraphQL.ExecutionError("A resolver's own failure."));

        Assert.Equal(TransportErrorCodes.ExecutionError, plain.Extensions?["code"]);
    }
}
