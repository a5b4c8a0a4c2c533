using Imail.Domain.Consents;
using Imail.Testing;
using Microsoft.EntityFrameworkCore;
using static Imail.Api.Tests.Consents.ConsentApi;

namespace Imail.Api.Tests.Consents;

/// <summary>P5: proof of consent, receipts, and the visitor → account attachment.</summary>
public class ProofOfConsentTests(ImailApiFactory api) : IClassFixture<ImailApiFactory>
{
    private const string Verify = """
        query($receipt: String!) { verifyConsentReceipt(receipt: $receipt) { valid signatureValid recordFound recordIntact chainIntact problems } }
        """;

    private const string MyConsent = """
        { me { consentStatus { state expiresAt } consents { purpose granted effective }
               consentRecords(first: 10) { totalCount nodes { action granted refused policyVersion bannerVersion frontEnd visitorId receipt } } } }
        """;

    [Fact]
    public async Task P5_EachDecisionIsKeptAsProof_PerPurpose_When_WhichBannerAndPolicyVersion()
    {
        var payload = await api.DecideAsync(Input(null, statistics: true, personalisation: false, policy: TestPolicy.Version, banner: "banner-v3"));

        var visitor = Guid.Parse((string)payload["visitorId"]!);
        var record = await api.ExecuteDbAsync(db => db.ConsentRecords.SingleAsync(r => r.VisitorId == visitor));
        Assert.Equal(["statistics"], record.Granted);
        Assert.Equal(["personalisation"], record.Refused);
        Assert.Equal((TestPolicy.Version, "banner-v3", "www.imail.example"), (record.PolicyVersion, record.BannerVersion, record.FrontEnd));
        Assert.Equal(api.Clock.GetUtcNow(), record.DecidedAt, TimeSpan.FromMilliseconds(1));
        Assert.Equal(ConsentAction.Decision, record.Action);
    }

    [Fact]
    public async Task P5_ProofOfConsentIsSubjectToItsOwnRetentionPeriod()
    {
        var categories = await api.ExecuteDbAsync(db =>
        {
            var tables = new[] { typeof(Consent), typeof(ConsentChoice), typeof(ConsentRecord) };
            return Task.FromResult(tables.SelectMany(t => db.Model.FindEntityType(t)!.GetProperties())
                .Select(p => Domain.Persistence.PersonalData.DataCategory(p)).Distinct().ToList());
        });
        Assert.Contains("consent_proofs", categories);
        var retention = await api.ExecuteDbAsync(db => db.DataCategories.SingleAsync(c => c.Code == "consent_proofs"));
        Assert.True(retention.Retention.Months > 0 || retention.Retention.Days > 0);
    }

    [Fact]
    public async Task P5_ConsentExistsBeforeSignUp_AndIsAttachedToTheAccountAtSignUp()
    {
        var visitor = (string)(await api.DecideAsync(Input(null, true, false)))["visitorId"]!;

        var signUp = await api.GraphQLAsync("""
            mutation($input: SignUpInput!) { signUp(input: $input) { user { id } errors { code } } }
            """, new { input = new { email = $"{Guid.NewGuid():N}@example.org", displayName = "Visitor", visitorId = visitor } });
        var userId = Guid.Parse((string)signUp.DataOrFail()["signUp"]!["user"]!["id"]!);

        var me = (await api.GraphQLAsync(MyConsent, token: api.UserToken(userId))).DataOrFail()["me"]!;
        Assert.Equal("VALID", (string?)me["consentStatus"]!["state"]);
        Assert.True((bool)Purpose(me, "STATISTICS")["effective"]!);
        Assert.Equal(1, (int)me["consentRecords"]!["totalCount"]!);
        Assert.Equal(visitor, (string?)me["consentRecords"]!["nodes"]![0]!["visitorId"]);
    }

    [Fact]
    public async Task P5_ConsentIsAttachedToTheAccountAtSignIn()
    {
        var user = await api.CreateUserAsync($"{Guid.NewGuid():N}@example.org");
        var visitor = (string)(await api.DecideAsync(Input(null, false, true)))["visitorId"]!;

        var attach = await api.GraphQLAsync("""
            mutation($input: AttachVisitorInput!) { attachVisitor(input: $input) { status { state } errors { code } } }
            """, new { input = new { visitorId = visitor } }, api.UserToken(user.Id));

        Assert.Equal("VALID", (string?)attach.DataOrFail()["attachVisitor"]!["status"]!["state"]);
        var me = (await api.GraphQLAsync(MyConsent, token: api.UserToken(user.Id))).DataOrFail()["me"]!;
        Assert.True((bool)Purpose(me, "PERSONALISATION")["effective"]!);
        Assert.Equal(1, (int)me["consentRecords"]!["totalCount"]!);
    }

    [Fact]
    public async Task P5_AtSignIn_TheLatestDepositStays_TheOlderPeriodIsSuperseded_AndTheAccountHasOneCurrentPeriod()
    {
        var user = await api.CreateUserAsync($"{Guid.NewGuid():N}@example.org");
        var token = api.UserToken(user.Id);
        await api.DecideAsync(Input(null, true, true), token); // on a first device, signed in
        api.Clock.Advance(TimeSpan.FromDays(5));
        var visitor = (string)(await api.DecideAsync(Input(null, false, false)))["visitorId"]!; // a second device, anonymous

        var attach = await api.GraphQLAsync("mutation($input: AttachVisitorInput!) { attachVisitor(input: $input) { errors { code } } }",
            new { input = new { visitorId = visitor } }, api.UserToken(user.Id));
        Assert.Empty(attach.DataOrFail()["attachVisitor"]!["errors"]!.AsArray());

        var current = await api.ExecuteDbAsync(db => db.Consents.Where(c => c.UserId == user.Id && c.EndedAt == null).ToListAsync());
        Assert.Equal(Guid.Parse(visitor), Assert.Single(current).VisitorId);
        Assert.Equal(1, await api.ExecuteDbAsync(db => db.Consents.CountAsync(c => c.UserId == user.Id && c.EndReason == ConsentEnd.Superseded)));
    }

    [Fact]
    public async Task P5_TheUserAndStaffCanQueryTheProofs_AnonymousAndOtherUsersCannot()
    {
        var user = await api.CreateUserAsync($"{Guid.NewGuid():N}@example.org");
        await api.DecideAsync(Input(null, true, false), api.UserToken(user.Id));
        const string staffQuery = "query($id: ID) { consentRecords(userId: $id) { totalCount nodes { granted receipt } } }";

        var staff = await api.GraphQLAsync(staffQuery, new { id = user.Id }, api.StaffToken());
        Assert.Equal(1, (int)staff.DataOrFail()["consentRecords"]!["totalCount"]!);

        var anonymous = await api.GraphQLAsync(staffQuery, new { id = user.Id });
        Assert.Equal("AUTH_NOT_AUTHENTICATED", (string?)anonymous.Body["errors"]![0]!["extensions"]!["code"]);
        var other = await api.CreateUserAsync($"{Guid.NewGuid():N}@example.org");
        var otherUser = await api.GraphQLAsync(staffQuery, new { id = user.Id }, api.UserToken(other.Id));
        Assert.Equal("ACCESS_DENIED", (string?)otherUser.Body["errors"]![0]!["extensions"]!["code"]);
        var theirOwn = (await api.GraphQLAsync(MyConsent, token: api.UserToken(other.Id))).DataOrFail()["me"]!;
        Assert.Equal(0, (int)theirOwn["consentRecords"]!["totalCount"]!);
    }

    [Fact]
    public async Task Receipt_IsSignedByTheService_ChainedToThePreviousDecision_AndVerifies()
    {
        var first = await api.DecideAsync(Input(null, true, true));
        var visitor = (string)first["visitorId"]!;
        var second = await api.DecideAsync(Input(visitor, false, true));

        Assert.Equal((string?)first["record"]!["hash"], (string?)second["record"]!["previousHash"]);
        var receipt = (string)second["record"]!["receipt"]!;
        var payload = System.Text.Json.Nodes.JsonNode.Parse(ReceiptSigner.UnverifiedPayload(receipt)!)!;
        Assert.Equal("Imail Solutions — CINQ-CINQ SPRL", (string?)payload["controller"]!["name"]);
        Assert.Equal((string?)first["record"]!["hash"], (string?)payload["previousReceiptHash"]);
        Assert.Equal(2, payload["purposes"]!.AsArray().Count);

        var verification = (await api.GraphQLAsync(Verify, new { receipt })).DataOrFail()["verifyConsentReceipt"]!;
        Assert.True((bool)verification["valid"]!, verification.ToJsonString());
    }

    [Fact]
    public async Task Receipt_OfARecordAlteredAfterwards_IsDetected()
    {
        var first = await api.DecideAsync(Input(null, false, false));
        var visitor = (string)first["visitorId"]!;
        var second = await api.DecideAsync(Input(visitor, true, false));
        var id = Guid.Parse((string)first["record"]!["id"]!);

        // Someone with database access turns the first refusal into a grant.
        await api.ExecuteDbAsync(db => db.Database.ExecuteSqlAsync(
            $"UPDATE consent_records SET granted = ARRAY['statistics'], refused = ARRAY['personalisation'] WHERE id = {id}"));

        var altered = (await api.GraphQLAsync(Verify, new { receipt = (string)first["record"]!["receipt"]! })).DataOrFail()["verifyConsentReceipt"]!;
        Assert.False((bool)altered["valid"]!);
        Assert.True((bool)altered["signatureValid"]!);
        Assert.Contains("RECORD_ALTERED", altered["problems"]!.AsArray().Select(p => (string)p!));

        var next = (await api.GraphQLAsync(Verify, new { receipt = (string)second["record"]!["receipt"]! })).DataOrFail()["verifyConsentReceipt"]!;
        Assert.False((bool)next["chainIntact"]!);
        Assert.Contains("CHAIN_BROKEN", next["problems"]!.AsArray().Select(p => (string)p!));
    }

    [Fact]
    public async Task Receipt_AfterTheStartOfItsChainWasPurged_StillVerifies_ButAGapInTheMiddleDoesNot()
    {
        var first = await api.DecideAsync(Input(null, true, true));
        var visitor = (string)first["visitorId"]!;
        var second = await api.DecideAsync(Input(visitor, false, true));
        var third = await api.DecideAsync(Input(visitor, true, true));

        // consent-proof-purge removes the oldest records of a chain first.
        await api.ExecuteDbAsync(db => db.Database.ExecuteSqlAsync($"DELETE FROM consent_records WHERE id = {Guid.Parse((string)first["record"]!["id"]!)}"));
        var afterPurge = (await api.GraphQLAsync(Verify, new { receipt = (string)second["record"]!["receipt"]! })).DataOrFail()["verifyConsentReceipt"]!;
        Assert.True((bool)afterPurge["valid"]!, afterPurge.ToJsonString());

        await api.ExecuteDbAsync(db => db.Database.ExecuteSqlAsync($"UPDATE consent_records SET sequence = 1 WHERE id = {Guid.Parse((string)second["record"]!["id"]!)}"));
        var gap = (await api.GraphQLAsync(Verify, new { receipt = (string)third["record"]!["receipt"]! })).DataOrFail()["verifyConsentReceipt"]!;
        Assert.False((bool)gap["chainIntact"]!);
    }

    [Fact]
    public async Task Receipt_WithAForgedPayloadOrGarbage_FailsVerification()
    {
        var receipt = (string)(await api.DecideAsync(Input(null, false, false)))["record"]!["receipt"]!;
        var parts = receipt.Split('.');
        var forgedPayload = System.Text.Encoding.UTF8.GetString(ReceiptSigner.UnverifiedPayload(receipt)!).Replace("\"refused\"", "\"granted\"");
        var forged = parts[0] + "." + Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes(forgedPayload)).TrimEnd('=').Replace('+', '-').Replace('/', '_') + "." + parts[2];

        var result = (await api.GraphQLAsync(Verify, new { receipt = forged })).DataOrFail()["verifyConsentReceipt"]!;
        Assert.False((bool)result["signatureValid"]!);
        Assert.Contains("SIGNATURE_INVALID", result["problems"]!.AsArray().Select(p => (string)p!));

        var garbage = (await api.GraphQLAsync(Verify, new { receipt = "not a receipt" })).DataOrFail()["verifyConsentReceipt"]!;
        Assert.Contains("MALFORMED_RECEIPT", garbage["problems"]!.AsArray().Select(p => (string)p!));
    }

    [Fact]
    public async Task Receipt_VerifiesOutsideImail_WithThePublishedKey()
    {
        var receipt = (string)(await api.DecideAsync(Input(null, true, false)))["record"]!["receipt"]!;
        var pem = (string)(await api.GraphQLAsync("{ consentReceiptKey { pem keyId } }")).DataOrFail()["consentReceiptKey"]!["pem"]!;

        using var key = System.Security.Cryptography.ECDsa.Create();
        key.ImportFromPem(pem);
        var parts = receipt.Split('.');
        var signature = Convert.FromBase64String(parts[2].Replace('-', '+').Replace('_', '/').PadRight((parts[2].Length + 3) / 4 * 4, '='));
        Assert.True(key.VerifyData(System.Text.Encoding.ASCII.GetBytes(parts[0] + "." + parts[1]), signature,
            System.Security.Cryptography.HashAlgorithmName.SHA256, System.Security.Cryptography.DSASignatureFormat.IeeeP1363FixedFieldConcatenation));
    }

    [Theory]
    [InlineData("not-a-uuid", "STATISTICS", TestPolicy.Version, "INVALID_VISITOR_ID")]
    [InlineData(null, "NECESSARY", TestPolicy.Version, "PURPOSE_NOT_ASKED")]
    [InlineData(null, "STATISTICS", "", "INVALID_POLICY_VERSION")]
    [InlineData(null, "STATISTICS", "2026-11", "UNKNOWN_POLICY_VERSION")]
    public async Task BadInput_GetsATypedError_AndWritesNothing(string? visitorId, string purpose, string policy, string code)
    {
        var before = await api.ExecuteDbAsync(db => db.ConsentRecords.CountAsync());

        var response = await api.GraphQLAsync(Decide, new
        {
            input = new { visitorId, choices = new[] { new { purpose, granted = true }, new { purpose = "PERSONALISATION", granted = true } }, policyVersion = policy, bannerVersion = "b", frontEnd = "f" },
        });

        Assert.Equal(200, response.Status);
        var error = Assert.Single(response.DataOrFail()["decideConsent"]!["errors"]!.AsArray())!;
        Assert.Equal(code, (string?)error["code"]);
        Assert.Equal(before, await api.ExecuteDbAsync(db => db.ConsentRecords.CountAsync()));
    }

    [Fact]
    public async Task RacingDecisionsOnOneDevice_NeitherIsLost_AndTheChainDoesNotFork()
    {
        var visitor = (string)(await api.DecideAsync(Input(null, true, true)))["visitorId"]!;

        await Task.WhenAll(Enumerable.Range(0, 6).Select(i => api.DecideAsync(Input(visitor, i % 2 == 0, true))));

        // Each decision that changed the answer left one proof, in one unbroken chain; repetitions left none.
        var records = await api.ExecuteDbAsync(db => db.ConsentRecords.Where(r => r.VisitorId == Guid.Parse(visitor)).OrderBy(r => r.Sequence).ToListAsync());
        Assert.Equal(Enumerable.Range(1, records.Count), records.Select(r => r.Sequence));
        Assert.InRange(records.Count, 2, 7);
        Assert.All(records.Skip(1).Zip(records), pair => Assert.NotEqual(pair.First.Granted, pair.Second.Granted));
        Assert.Equal(1, await api.ExecuteDbAsync(db => db.Consents.CountAsync(c => c.VisitorId == Guid.Parse(visitor))));
    }
}
