using GraphQL.Types;
using Imail.Api.Auth;
using Imail.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace Imail.Api.Tests.Auth;

/// <summary>
/// Issue 8, item 12: a token whose account does not exist (erased after the token was issued)
/// gets USER_NOT_FOUND from every mutation a signed-in person can call — never a foreign-key
/// violation, never a silent success. The list is checked against the schema, so a new user
/// mutation without a case here fails the test.
/// </summary>
public sealed class ErasedAccountTokenTests(ImailApiFactory api) : IClassFixture<ImailApiFactory>
{
    /// <summary>Each user mutation with an input that would otherwise succeed (or fail for reasons after the account check).</summary>
    private static readonly Dictionary<string, string> Cases = new()
    {
        ["confirmEmailChange"] = """mutation { confirmEmailChange(input: { code: "AAAA-AAAA-AAAA-AAAA" }) { errors { __typename code } } }""",
        ["updateProfile"] = """mutation { updateProfile(input: { displayName: "Ghost" }) { errors { __typename code } } }""",
        ["decideConsent"] = """mutation { decideConsent(input: { choices: [{ purpose: STATISTICS, granted: true }, { purpose: PERSONALISATION, granted: true }], policyVersion: "1.0", bannerVersion: "b", frontEnd: "f" }) { errors { __typename code } } }""",
        ["withdrawConsent"] = """mutation { withdrawConsent(input: { frontEnd: "f" }) { errors { __typename code } } }""",
        ["attachVisitor"] = """mutation($v: ID!) { attachVisitor(input: { visitorId: $v }) { errors { __typename code } } }""",
        ["recordNavigation"] = """mutation { recordNavigation(input: { frontEnd: "f", events: [{ kind: PAGE_VIEW, name: "/inbox" }] }) { errors { __typename code } } }""",
        ["connectAccount"] = """mutation { connectAccount(input: { provider: "mastodon", externalAccountId: "ghost", grantedScopes: ["profile"], profile: [] }) { errors { __typename code } } }""",
        ["requestAccountDeletion"] = """mutation { requestAccountDeletion(input: {}) { errors { __typename code } } }""",
        ["confirmAccountDeletion"] = """mutation { confirmAccountDeletion(input: { code: "AAAA-AAAA-AAAA-AAAA" }) { errors { __typename code } } }""",
        ["cancelAccountDeletion"] = """mutation { cancelAccountDeletion(input: {}) { errors { __typename code } } }""",
        ["acceptPolicyVersion"] = """mutation { acceptPolicyVersion(input: { number: "1.0" }) { errors { __typename code } } }""",
        ["refusePolicyVersion"] = """mutation { refusePolicyVersion(input: { number: "1.0" }) { errors { __typename code } } }""",
        ["disconnectAccount"] = """mutation { disconnectAccount(input: { id: "00000000-0000-0000-0000-000000000001" }) { errors { __typename code } } }""",
    };

    /// <summary>Mutations open to anyone that a token does not make "the person's": signing up creates an account.</summary>
    private static readonly string[] NotAboutTheCaller = ["signUp"];

    [Fact]
    public void EveryMutationASignedInPersonCanCall_HasACase()
    {
        var schema = api.Services.GetRequiredService<ISchema>();
        schema.Initialize();
        var userMutations = schema.Mutation!.Fields
            .Where(f => f.GetMetadata<string[]>("imail:allow") is { } roles && (roles.Contains(Roles.User) || roles.Contains(Roles.Anyone)))
            .Select(f => f.Name).Except(NotAboutTheCaller).Order().ToList();

        Assert.Equal(userMutations, Cases.Keys.Order().ToList());
    }

    [Theory]
    [MemberData(nameof(Mutations))]
    public async Task Item12_ATokenOfAnAccountThatNoLongerExists_GetsUserNotFound(string mutation)
    {
        // A device the ghost's token may try to attach: real, issued, nobody's.
        var device = (string)(await api.GraphQLAsync("""
            mutation { decideConsent(input: { choices: [{ purpose: STATISTICS, granted: true }, { purpose: PERSONALISATION, granted: true }], policyVersion: "1.0", bannerVersion: "b", frontEnd: "f" }) { visitorId } }
            """)).DataOrFail()["decideConsent"]!["visitorId"]!;
        var ghost = api.UserToken(Guid.NewGuid());

        var response = await api.GraphQLAsync(Cases[mutation], new { v = device }, ghost);

        Assert.Equal(200, response.Status);
        var error = Assert.Single(response.DataOrFail()[mutation]!["errors"]!.AsArray())!;
        Assert.Equal(("NotFoundError", "USER_NOT_FOUND"), ((string?)error["__typename"], (string?)error["code"]));
    }

    public static TheoryData<string> Mutations() => new(Cases.Keys);
}
