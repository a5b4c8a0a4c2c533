using System.Security.Cryptography;
using Imail.Domain.Consents;
using Imail.Testing;

namespace Imail.Api.Tests.Consents;

/// <summary>After the signing key is rotated, receipts signed with the retired key keep verifying.</summary>
public class ReceiptKeyRotationTests(ReceiptKeyRotationTests.Rotated api) : IClassFixture<ReceiptKeyRotationTests.Rotated>
{
    public static readonly string NewKey = ECDsa.Create(ECCurve.NamedCurves.nistP256).ExportPkcs8PrivateKeyPem();

    public sealed class Rotated : ImailApiFactory
    {
        protected override IDictionary<string, string?> Settings => new Dictionary<string, string?>
        {
            ["Imail:Consents:ReceiptSigningKey"] = NewKey,
            ["Imail:Consents:RetiredReceiptKeys:0"] = TestReceiptKey,
        };
    }

    private const string Verify = "query($r: String!) { verifyConsentReceipt(receipt: $r) { valid signatureValid problems } }";

    private async Task<string> ReceiptSignedWith(string pem)
    {
        using var key = ECDsa.Create();
        key.ImportFromPem(pem);
        var now = ConsentRules.Truncate(api.Clock.GetUtcNow());
        var visitor = Guid.NewGuid();
        var consent = Consent.Open(visitor, null, [new PurposeChoice(ConsentPurpose.Statistics, true), new PurposeChoice(ConsentPurpose.Personalisation, true)],
            now, new ConsentRules());
        var record = ConsentRecord.Write(consent, ConsentAction.Decision, false, new DecisionContext("p", "b", "f"), null,
            $"visitor:{visitor}", new ReceiptController("n", "a", "c"), new ReceiptSigner(key), now);
        await api.ExecuteDbAsync(async db =>
        {
            db.Consents.Add(consent);
            db.ConsentRecords.Add(record);
            await db.SaveChangesAsync();
        });
        return record.Receipt;
    }

    [Fact]
    public async Task AReceiptSignedWithARetiredKey_StillVerifies()
    {
        var receipt = await ReceiptSignedWith(ImailApiFactory.TestReceiptKey);

        var result = (await api.GraphQLAsync(Verify, new { r = receipt })).DataOrFail()["verifyConsentReceipt"]!;

        Assert.True((bool)result["valid"]!, result.ToJsonString());
    }

    [Fact]
    public async Task Item10_AReceiptSignedWithARetiredKey_IsHeldToTheSameStrictRules()
    {
        var receipt = await ReceiptSignedWith(ImailApiFactory.TestReceiptKey);

        foreach (var variant in ReceiptTampering.ReEncodings(receipt).Select(v => v.Receipt).Append(ReceiptTampering.MalleatedTwin(receipt)))
        {
            var result = (await api.GraphQLAsync(Verify, new { r = variant })).DataOrFail()["verifyConsentReceipt"]!;
            Assert.False((bool)result["signatureValid"]!, variant);
        }
    }

    [Fact]
    public async Task AReceiptSignedWithAnUnknownKey_DoesNotVerify()
    {
        var receipt = await ReceiptSignedWith(ECDsa.Create(ECCurve.NamedCurves.nistP256).ExportPkcs8PrivateKeyPem());

        var result = (await api.GraphQLAsync(Verify, new { r = receipt })).DataOrFail()["verifyConsentReceipt"]!;

        Assert.False((bool)result["signatureValid"]!);
        Assert.Contains("SIGNATURE_INVALID", result["problems"]!.AsArray().Select(p => (string)p!));
    }

    [Fact]
    public async Task NewDecisions_AreSignedWithTheNewKey()
    {
        var payload = await api.DecideAsync(ConsentApi.Input(null, true, false));
        using var key = ECDsa.Create();
        key.ImportFromPem(NewKey);

        Assert.NotNull(new ReceiptSigner(key).Verify((string)payload["record"]!["receipt"]!));
    }
}
