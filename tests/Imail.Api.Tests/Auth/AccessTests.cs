using Imail.Api.Auth;
using Imail.Testing;

namespace Imail.Api.Tests.Auth;

/// <summary>R5 cases written out: fields below the root (what staff may not read inside an account) and grants. Every root field × every caller is generated in <see cref="AccessMatrixTests"/>.</summary>
public class AccessTests(ImailApiFactory api) : IClassFixture<ImailApiFactory>
{
    public static TheoryData<string, string, bool> Matrix() => new()
    {
        // field, caller, allowed
        { "{ dataCategories { code } }", "anonymous", true },
        { "{ dataCategories { code } }", "partner", true },
        { "{ me { email } }", "anonymous", false },
        { "{ me { email } }", "partner", false },
        { "{ me { email } }", "staff", false },
        { "{ me { email } }", "user", true },
        { "{ users { totalCount } }", "anonymous", false },
        { "{ users { totalCount } }", "user", false },
        { "{ users { totalCount } }", "partner", false },
        { "{ users { totalCount } }", "staff", true },
        { "{ user(id: \"00000000-0000-0000-0000-000000000000\") { email } }", "user", false },
        { "{ user(id: \"00000000-0000-0000-0000-000000000000\") { email } }", "staff", true },
        { "mutation { createDataCategory(input: { code: \"x_y\", category: { name: \"N\", purpose: \"P\", legalBasis: CONSENT, kind: PERSONAL, retentionMonths: 1, retentionDays: 0 } }) { errors { code } } }", "user", false },
        { "mutation { createDataCategory(input: { code: \"x_y\", category: { name: \"N\", purpose: \"P\", legalBasis: CONSENT, kind: PERSONAL, retentionMonths: 1, retentionDays: 0 } }) { errors { code } } }", "partner", false },
        { "mutation { createDataCategory(input: { code: \"x_y\", category: { name: \"N\", purpose: \"P\", legalBasis: CONSENT, kind: PERSONAL, retentionMonths: 1, retentionDays: 0 } }) { errors { code } } }", "anonymous", false },
        { "mutation { deleteDataCategory(input: { code: \"nope\" }) { errors { code } } }", "user", false },
        { "mutation { updateProfile(input: { displayName: \"X\" }) { errors { code } } }", "anonymous", false },
        { "mutation { updateProfile(input: { displayName: \"X\" }) { errors { code } } }", "staff", false },
        { "mutation { confirmEmailChange(input: { code: \"AAAA-AAAA-AAAA-AAAA\" }) { errors { code } } }", "anonymous", false },
        { "mutation { confirmEmailChange(input: { code: \"AAAA-AAAA-AAAA-AAAA\" }) { errors { code } } }", "partner", false },
        { "mutation { confirmEmailChange(input: { code: \"AAAA-AAAA-AAAA-AAAA\" }) { errors { code } } }", "staff", false },
        { "mutation { confirmEmailChange(input: { code: \"AAAA-AAAA-AAAA-AAAA\" }) { errors { code } } }", "user", true },
        { "mutation { signUp(input: { email: \"new-anon@example.org\", displayName: \"A\" }) { user { email locale createdAt } errors { code } } }", "anonymous", true },

        { "{ dataCategory(code: \"navigation\") { code } }", "anonymous", true },
        { "mutation { updateDataCategory(input: { code: \"nope\", category: { name: \"N\", purpose: \"P\", legalBasis: CONSENT, kind: PERSONAL, retentionMonths: 1, retentionDays: 0 } }) { errors { code } } }", "user", false },
        { "mutation { updateDataCategory(input: { code: \"nope\", category: { name: \"N\", purpose: \"P\", legalBasis: CONSENT, kind: PERSONAL, retentionMonths: 1, retentionDays: 0 } }) { errors { code } } }", "staff", true },
        // Outbox (staff)
        { "{ outboxMessages { totalCount } }", "user", false },
        { "{ outboxMessages { totalCount } }", "staff", true },
        { "mutation { requeueOutboxMessage(input: { id: \"00000000-0000-0000-0000-000000000000\" }) { errors { code } } }", "user", false },
        { "mutation { requeueOutboxMessage(input: { id: \"00000000-0000-0000-0000-000000000000\" }) { errors { code } } }", "staff", true },
        // Cookie registry (P5): public, staff edits
        { "{ cookies { name } cookie(name: \"imail_consent\") { lifetime } }", "anonymous", true },
        { "mutation { declareCookie(input: { name: \"x\", purpose: STATISTICS, provider: \"p\", description: \"d\", lifetimeMonths: 1, lifetimeDays: 0 }) { errors { code } } }", "anonymous", false },
        { "mutation { declareCookie(input: { name: \"x\", purpose: STATISTICS, provider: \"p\", description: \"d\", lifetimeMonths: 1, lifetimeDays: 0 }) { errors { code } } }", "user", false },
        { "mutation { updateCookie(input: { name: \"nope\", provider: \"p\" }) { errors { code } } }", "partner", false },
        { "mutation { updateCookie(input: { name: \"nope\", provider: \"p\" }) { errors { code } } }", "staff", true },
        { "mutation { removeCookie(input: { name: \"nope\" }) { errors { code } } }", "user", false },
        { "mutation { removeCookie(input: { name: \"nope\" }) { errors { code } } }", "staff", true },
        // Consents (P5): a visitor's own, anyone; proofs: the person and staff
        { "{ consentStatus(visitorId: \"00000000-0000-0000-0000-000000000001\") { state } consentReceiptKey { keyId } verifyConsentReceipt(receipt: \"x.y.z\") { valid } }", "anonymous", true },
        { "mutation { decideConsent(input: { choices: [{ purpose: STATISTICS, granted: false }, { purpose: PERSONALISATION, granted: false }], policyVersion: \"1.0\", bannerVersion: \"b\", frontEnd: \"f\" }) { visitorId record { receipt } errors { code } } }", "anonymous", true },
        { "mutation { withdrawConsent(input: { visitorId: \"00000000-0000-0000-0000-000000000001\", frontEnd: \"f\" }) { status { state } errors { code } } }", "anonymous", true },
        { "mutation { attachVisitor(input: { visitorId: \"00000000-0000-0000-0000-000000000001\" }) { errors { code } } }", "anonymous", false },
        { "mutation { attachVisitor(input: { visitorId: \"00000000-0000-0000-0000-000000000001\" }) { errors { code } } }", "staff", false },
        { "mutation { attachVisitor(input: { visitorId: \"00000000-0000-0000-0000-000000000001\" }) { errors { code } } }", "user", true },
        { "{ consentRecords { totalCount } }", "anonymous", false },
        { "{ consentRecords { totalCount } }", "user", false },
        { "{ consentRecords { totalCount } }", "partner", false },
        { "{ consentRecords { totalCount } }", "staff", true },
        { "{ me { consentStatus { state } consents { purpose } consentRecords { totalCount } } }", "user", true },
        { "{ user(id: \"00000000-0000-0000-0000-000000000000\") { consentRecords { nodes { receipt } } } }", "staff", true },
        // Navigation (P6): anyone, stored only with consent
        { "mutation { recordNavigation(input: { visitorId: \"00000000-0000-0000-0000-000000000001\", frontEnd: \"f\", events: [{ kind: PAGE_VIEW, name: \"/\" }] }) { recorded } }", "anonymous", true },
        // Connected accounts (P4): the owner; staff never reads what was received
        { "{ connectedAccountProviders { name } }", "anonymous", true },
        { "mutation { connectAccount(input: { provider: \"mastodon\", externalAccountId: \"a\", grantedScopes: [], profile: [] }) { errors { code } } }", "anonymous", false },
        { "mutation { connectAccount(input: { provider: \"mastodon\", externalAccountId: \"a\", grantedScopes: [], profile: [] }) { errors { code } } }", "staff", false },
        { "mutation { disconnectAccount(input: { id: \"00000000-0000-0000-0000-000000000000\" }) { errors { code } } }", "staff", false },
        { "mutation { disconnectAccount(input: { id: \"00000000-0000-0000-0000-000000000000\" }) { errors { code } } }", "user", true },
        { "{ me { connectedAccounts { provider externalAccountId shared { value } } } }", "user", true },
        { "{ user(id: \"00000000-0000-0000-0000-000000000000\") { connectedAccounts { provider } } }", "staff", true },
        { "{ user(id: \"00000000-0000-0000-0000-000000000000\") { connectedAccounts { shared { value } } } }", "staff", false },
        { "{ user(id: \"00000000-0000-0000-0000-000000000000\") { connectedAccounts { externalAccountId } } }", "staff", false },
    };

    [Theory]
    [MemberData(nameof(Matrix))]
    public async Task EachFieldAnswersOnlyTheCallersItDeclares(string query, string caller, bool allowed)
    {
        var user = await api.CreateUserAsync($"{Guid.NewGuid():N}@example.org");
        var token = caller switch
        {
            "user" => api.UserToken(user.Id),
            "partner" => api.Token(Roles.Partner, "partner-test"),
            "staff" => api.StaffToken(),
            _ => null,
        };

        var response = await api.GraphQLAsync(query, token: token);

        if (allowed)
        {
            response.DataOrFail();
        }
        else
        {
            Assert.Null(response.Data);
            Assert.Contains(caller == "anonymous" ? "AUTH_NOT_AUTHENTICATED" : "ACCESS_DENIED", response.ErrorCodes);
        }
    }

    [Fact]
    public async Task AUserSeesOnlyThemselves_ThereIsNoWayToNameAnotherAccount()
    {
        var alice = await api.CreateUserAsync("alice-access@example.org");
        await api.CreateUserAsync("bob-access@example.org");

        var me = (await api.GraphQLAsync("{ me { email } }", token: api.UserToken(alice.Id))).DataOrFail()["me"]!;
        Assert.Equal("alice-access@example.org", (string?)me["email"]);
        Assert.Contains("ACCESS_DENIED", (await api.GraphQLAsync("{ users { nodes { email } } }", token: api.UserToken(alice.Id))).ErrorCodes);
    }

    [Fact]
    public async Task AnonymousSignUp_CannotReachPrivateDataThroughAFieldItIsNotGranted()
    {
        var response = await api.GraphQLAsync(
            "mutation { signUp(input: { email: \"grant@example.org\", displayName: \"G\" }) { errors { code } } } ", token: null);
        response.DataOrFail();
        // The grant covers signUp's own result, not siblings: users stays closed.
        Assert.Contains("AUTH_NOT_AUTHENTICATED",
            (await api.GraphQLAsync("mutation { signUp(input: { email: \"grant2@example.org\", displayName: \"G\" }) { errors { code } } } query Q { users { totalCount } }")).ErrorCodes
            .Concat((await api.GraphQLAsync("{ users { totalCount } }")).ErrorCodes));
    }

    [Theory]
    [InlineData("Bearer not-a-jwt")]
    [InlineData("Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4Iiwicm9sZSI6InN0YWZmIn0.c2lnbmF0dXJl")]
    public async Task ABadToken_IsRefusedWith401(string header)
    {
        using var client = api.CreateClient();
        client.DefaultRequestHeaders.TryAddWithoutValidation("Authorization", header);
        using var response = await client.PostAsync("/graphql",
            new StringContent("{\"query\":\"{ users { totalCount } }\"}", System.Text.Encoding.UTF8, "application/json"));
        Assert.Equal(401, (int)response.StatusCode);
        Assert.Contains("AUTH_INVALID_TOKEN", await response.Content.ReadAsStringAsync());
    }
}

/// <summary>Its own fixture: it moves the clock forward for good.</summary>
public class TokenExpiryTests(ImailApiFactory api) : IClassFixture<ImailApiFactory>
{
    [Fact]
    public async Task AnExpiredToken_IsRefusedWith401()
    {
        var token = api.StaffToken();
        Assert.NotNull((await api.GraphQLAsync("{ users { totalCount } }", token: token)).DataOrFail()["users"]);

        api.Clock.Advance(TimeSpan.FromHours(13));
        var response = await api.GraphQLAsync("{ users { totalCount } }", token: token);

        Assert.Equal(401, response.Status);
        Assert.Contains("AUTH_INVALID_TOKEN", response.ErrorCodes);
    }
}
