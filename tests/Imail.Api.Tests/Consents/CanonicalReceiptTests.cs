using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Imail.Domain.Consents;
using Imail.Testing;
using static Imail.Api.Tests.Consents.ConsentApi;

namespace Imail.Api.Tests.Consents;

/// <summary>Issue 8 item 10: <c>verifyConsentReceipt</c> accepts the exact receipt <c>decideConsent</c> issued, and nothing else.</summary>
public class CanonicalReceiptTests(ImailApiFactory api) : IClassFixture<ImailApiFactory>
{
    private const string Verify = """
        query($receipt: String!) { verifyConsentReceipt(receipt: $receipt) { valid signatureValid recordFound recordIntact chainIntact problems } }
        """;

    private async Task<(string Receipt, Guid Id)> IssueAsync()
    {
        var record = (await api.DecideAsync(Input(null, true, false)))["record"]!;
        return ((string)record["receipt"]!, Guid.Parse((string)record["id"]!));
    }

    private async Task<JsonNode> VerifyAsync(string receipt)
    {
        var response = await api.GraphQLAsync(Verify, new { receipt });
        Assert.Equal(200, response.Status);
        Assert.True(response.Errors is null, response.ToString());
        return response.Data!["verifyConsentReceipt"]!;
    }

    private static List<string> Problems(JsonNode verification) => verification["problems"]!.AsArray().Select(p => (string)p!).ToList();

    /// <summary>The service's own key (the test host signs with it): lets a test sign what the service never issued.</summary>
    private static ReceiptSigner ServiceSigner()
    {
        var key = ECDsa.Create();
        key.ImportFromPem(ImailApiFactory.TestReceiptKey);
        return new ReceiptSigner(key);
    }

    [Fact]
    public async Task Item10_TheMalleatedTwinOfARealReceipt_IsRefused()
    {
        var (receipt, _) = await IssueAsync();
        var twin = ReceiptTampering.MalleatedTwin(receipt);

        Assert.True((bool)(await VerifyAsync(receipt))["valid"]!);
        var result = await VerifyAsync(twin);

        Assert.False((bool)result["valid"]!, result.ToJsonString());
        Assert.False((bool)result["signatureValid"]!);
        Assert.Contains("SIGNATURE_INVALID", Problems(result));
    }

    [Fact]
    public async Task Item10_ReEncodingsOfARealReceipt_AreRefused()
    {
        var (receipt, _) = await IssueAsync();

        foreach (var (what, variant) in ReceiptTampering.ReEncodings(receipt))
        {
            var result = await VerifyAsync(variant);
            Assert.False((bool)result["valid"]!, $"{what}: {result.ToJsonString()}");
            Assert.False((bool)result["signatureValid"]!, what);
        }
    }

    [Fact]
    public async Task Item10_AnotherSignatureByTheServiceKeyOverTheSamePayload_IsNotTheReceiptIssued()
    {
        var (receipt, _) = await IssueAsync();
        var payload = ReceiptTampering.LenientDecode(receipt.Split('.')[1]);
        var resigned = ServiceSigner().Sign(payload);
        Assert.NotEqual(receipt, resigned);

        var result = await VerifyAsync(resigned);

        Assert.False((bool)result["valid"]!, result.ToJsonString());
        Assert.Contains("SIGNATURE_INVALID", Problems(result));
        Assert.True((bool)(await VerifyAsync(receipt))["valid"]!);
    }

    [Theory]
    [InlineData("array root", """[{"receiptId":"{id}"}]""")]
    [InlineData("string root", "\"{id}\"")]
    [InlineData("number root", "7")]
    [InlineData("null root", "null")]
    [InlineData("id a number", """{"receiptId":7}""")]
    [InlineData("id an object", """{"receiptId":{"id":"{id}"}}""")]
    [InlineData("id an array", """{"receiptId":["{id}"]}""")]
    [InlineData("id null", """{"receiptId":null}""")]
    [InlineData("id not a guid", """{"receiptId":"nope"}""")]
    [InlineData("duplicate id", """{"receiptId":"{id}","receiptId":"{id}"}""")]
    [InlineData("trailing data", """{"receiptId":"{id}"} {}""")]
    [InlineData("trailing space", """{"receiptId":"{id}"} """)]
    public async Task Item10_APayloadOfTheWrongShape_IsMalformed_NotAnError(string what, string json)
    {
        var (receipt, id) = await IssueAsync();
        var payload = Encoding.UTF8.GetBytes(json.Replace("{id}", id.ToString()));

        // As a forger would send it (the issued signature around it), and signed with the service key itself.
        foreach (var variant in new[] { ReceiptTampering.WithPayload(receipt, payload), ServiceSigner().Sign(payload) })
        {
            var result = await VerifyAsync(variant);
            Assert.False((bool)result["valid"]!, what);
            Assert.Contains("MALFORMED_RECEIPT", Problems(result));
        }
    }

    [Fact]
    public async Task Item10_APayloadThatIsNotUtf8_IsMalformed_NotAnError()
    {
        var (receipt, id) = await IssueAsync();
        byte[] payload = [.. Encoding.UTF8.GetBytes($$"""{"receiptId":"{{id}}","x":"""), (byte)'"', 0xFF, (byte)'"', (byte)'}'];

        foreach (var variant in new[] { ReceiptTampering.WithPayload(receipt, payload), ServiceSigner().Sign(payload) })
            Assert.Contains("MALFORMED_RECEIPT", Problems(await VerifyAsync(variant)));
    }

    [Fact]
    public async Task Item10_AnOverlongReceipt_IsMalformed()
    {
        var (receipt, id) = await IssueAsync();
        var padded = ServiceSigner().Sign(Encoding.UTF8.GetBytes($$"""{"receiptId":"{{id}}","x":"{{new string('x', 14_000)}}"}"""));
        Assert.InRange(padded.Length, 17_000, 20_000); // under the API's own cut-off, so the signer's bound is what refuses it

        var result = await VerifyAsync(padded);

        Assert.False((bool)result["valid"]!);
        Assert.Contains("MALFORMED_RECEIPT", Problems(result));
        Assert.True((bool)(await VerifyAsync(receipt))["valid"]!);
    }

    [Fact]
    public async Task Item10_AnIssuedReceiptStillVerifies_AndIsLowS()
    {
        var (receipt, _) = await IssueAsync();

        var result = await VerifyAsync(receipt);

        Assert.True((bool)result["valid"]!, result.ToJsonString());
        Assert.Empty(Problems(result));
        Assert.True(ReceiptTampering.IsLowS(receipt));
    }
}
