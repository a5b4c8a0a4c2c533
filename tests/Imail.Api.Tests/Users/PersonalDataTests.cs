using System.Text.Json.Nodes;
using Imail.Testing;

namespace Imail.Api.Tests.Users;

/// <summary>P2/P8: "what do you hold about me" covers every table that holds rows about the person.</summary>
public class PersonalDataTests(ImailApiFactory api) : IClassFixture<ImailApiFactory>
{
    private const string Me = "{ me { personalData { category { code } fields } } }";

    private static Dictionary<string, List<string>> Held(JsonNode me) =>
        me["personalData"]!.AsArray().ToDictionary(i => (string)i!["category"]!["code"]!, i => i!["fields"]!.AsArray().Select(f => (string)f!).ToList());

    [Fact]
    public async Task PersonalData_AlsoNamesConsentsProofsAndConnectedAccounts_OnceThereAreAny()
    {
        var user = await api.CreateUserAsync("held@example.org");
        var token = api.UserToken(user.Id);

        var before = Held((await api.GraphQLAsync(Me, token: token)).DataOrFail()["me"]!);
        Assert.False(before.ContainsKey("consent_proofs"));
        Assert.False(before.ContainsKey("connected_account_profile"));

        await api.GraphQLAsync("""
            mutation { decideConsent(input: { choices: [{ purpose: STATISTICS, granted: true }, { purpose: PERSONALISATION, granted: false }],
              policyVersion: "1.0", bannerVersion: "b", frontEnd: "f" }) { errors { code } } }
            """, token: token);
        await api.GraphQLAsync("""
            mutation { connectAccount(input: { provider: "mastodon", externalAccountId: "@held@example.social", grantedScopes: ["profile"],
              profile: [{ name: "username", value: "held" }] }) { errors { code } } }
            """, token: token);

        var after = Held((await api.GraphQLAsync(Me, token: token)).DataOrFail()["me"]!);
        Assert.Contains("consent.firstDepositAt", after["consent_proofs"]);
        Assert.Contains("consentChoice.granted", after["consent_proofs"]);
        Assert.Contains("consentRecord.receipt", after["consent_proofs"]);
        Assert.Contains("connectedAccount.externalAccountId", after["connected_account_profile"]);
        Assert.Contains("sharedField.value", after["connected_account_profile"]);
        Assert.Equal(["email"], after["contact"]);
    }
}
