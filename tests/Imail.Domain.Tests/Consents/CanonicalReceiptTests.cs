using System.Security.Cryptography;
using System.Text;
using Imail.Domain.Consents;
using Imail.Testing;

namespace Imail.Domain.Tests.Consents;

/// <summary>Issue 8 item 10: only the exact compact JWS the signer issued verifies.</summary>
public class CanonicalReceiptTests : IDisposable
{
    private readonly ECDsa _key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
    private readonly ECDsa _retired = ECDsa.Create(ECCurve.NamedCurves.nistP256);
    private readonly ReceiptSigner _signer;

    public CanonicalReceiptTests() => _signer = new ReceiptSigner(_key);

    public void Dispose()
    {
        _key.Dispose();
        _retired.Dispose();
    }

    private static byte[] Payload(Guid? id = null) =>
        Encoding.UTF8.GetBytes($$"""{"version":"imail-consent-receipt/1","receiptId":"{{id ?? Guid.NewGuid()}}","purposes":[]}""");

    private static bool PlainEcdsaAccepts(ECDsa key, string receipt)
    {
        var parts = receipt.Split('.');
        return key.VerifyData(Encoding.ASCII.GetBytes(parts[0] + "." + parts[1]), ReceiptTampering.LenientDecode(parts[2]),
            HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);
    }

    [Fact]
    public void Item10_EverySignatureTheSignerMakes_IsLowS()
    {
        var payload = Payload();
        // ECDSA signatures are random: half of them would be high-S if nothing normalised them.
        var highS = Enumerable.Range(0, 200).Select(_ => _signer.Sign(payload)).Where(r => !ReceiptTampering.IsLowS(r)).ToList();

        Assert.Empty(highS);
    }

    [Fact]
    public void Item10_LowSReceipts_StillVerify_WithTheSignerAndWithPlainEcdsa()
    {
        for (var i = 0; i < 20; i++)
        {
            var payload = Payload();
            var receipt = _signer.Sign(payload);
            Assert.Equal(payload, _signer.Verify(receipt));
            Assert.True(PlainEcdsaAccepts(_key, receipt));
        }
    }

    [Fact]
    public void Item10_TheHighSTwinOfAReceipt_DoesNotVerify()
    {
        var receipt = _signer.Sign(Payload());
        var twin = ReceiptTampering.MalleatedTwin(receipt);

        Assert.True(PlainEcdsaAccepts(_key, twin)); // a real twin: ECDSA alone cannot tell them apart
        Assert.NotEqual(receipt, twin);
        Assert.Null(_signer.Verify(twin));
    }

    [Fact]
    public void Item10_PaddedStandardAlphabetOrSloppyEncodings_DoNotVerify_NorYieldAPayload()
    {
        var receipt = _signer.Sign(Payload());
        var variants = ReceiptTampering.ReEncodings(receipt).ToList();

        Assert.Contains(variants, v => v.What.StartsWith("padded", StringComparison.Ordinal));
        Assert.Contains(variants, v => v.What.StartsWith("unused bits", StringComparison.Ordinal));
        foreach (var (what, variant) in variants)
        {
            Assert.Null(_signer.Verify(variant));
            Assert.True(ReceiptSigner.UnverifiedPayload(variant) is null, what);
        }
    }

    [Fact]
    public void Item10_StandardAlphabetVariants_DoNotVerify()
    {
        // Keep signing until some part holds '-' or '_', so the '+' '/' spelling differs.
        var receipt = Enumerable.Range(0, 50).Select(_ => _signer.Sign(Payload())).First(r => r.IndexOfAny(['-', '_']) >= 0);
        var variants = ReceiptTampering.ReEncodings(receipt).Where(v => v.What.StartsWith("standard alphabet", StringComparison.Ordinal)).ToList();

        Assert.NotEmpty(variants);
        Assert.All(variants, v => Assert.Null(_signer.Verify(v.Receipt)));
    }

    [Theory]
    [InlineData("""{"alg":"ES256","typ":"JWT","kid":"{kid}"}""")]
    [InlineData("""{"alg":"ES256","kid":"{kid}","typ":"consent-receipt+jws"}""")]
    [InlineData("""{"alg":"ES256","typ":"consent-receipt+jws"}""")]
    [InlineData("""{"alg":"ES256", "typ":"consent-receipt+jws","kid":"{kid}"}""")]
    [InlineData("""{"alg":"ES256","typ":"consent-receipt+jws","kid":"{kid}","crit":["b64"],"b64":false}""")]
    [InlineData("""{"alg":"ES256","typ":"consent-receipt+jws","kid":"other"}""")]
    public void Item10_AReceiptSignedWithOurKeyUnderAnotherHeader_DoesNotVerify(string header)
    {
        var signingInput = ReceiptTampering.Base64Url(Encoding.UTF8.GetBytes(header.Replace("{kid}", _signer.KeyId)))
                           + "." + ReceiptTampering.Base64Url(Payload());
        var signature = _key.SignData(Encoding.ASCII.GetBytes(signingInput), HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);
        var receipt = signingInput + "." + ReceiptTampering.Base64Url(signature);
        if (!ReceiptTampering.IsLowS(receipt)) receipt = ReceiptTampering.MalleatedTwin(receipt);

        Assert.True(PlainEcdsaAccepts(_key, receipt));
        Assert.Null(_signer.Verify(receipt));
    }

    [Fact]
    public void Item10_AnOverlongReceipt_IsRefused_EvenWithAGoodSignature()
    {
        var huge = Encoding.UTF8.GetBytes($$"""{"receiptId":"{{Guid.NewGuid()}}","filler":"{{new string('x', 60_000)}}"}""");
        var receipt = _signer.Sign(huge);

        Assert.Null(_signer.Verify(receipt));
        Assert.Null(ReceiptSigner.UnverifiedPayload(receipt));
    }

    [Fact]
    public void Item10_ARetiredKey_KeepsVerifyingItsReceipts_UnderTheSameStrictRules()
    {
        var old = new ReceiptSigner(_retired).Sign(Payload());
        var rotated = new ReceiptSigner(_key, [_retired]);

        Assert.NotNull(rotated.Verify(old));
        Assert.True(ReceiptTampering.IsLowS(old));
        Assert.Null(rotated.Verify(ReceiptTampering.MalleatedTwin(old)));
        Assert.All(ReceiptTampering.ReEncodings(old), v => Assert.Null(rotated.Verify(v.Receipt)));
    }

    [Fact]
    public void Item10_AReceiptUnderTheRetiredKeysHeader_SignedByTheCurrentKey_DoesNotVerify()
    {
        var old = new ReceiptSigner(_retired).Sign(Payload());
        var parts = old.Split('.');
        var signingInput = parts[0] + "." + parts[1];
        var signature = _key.SignData(Encoding.ASCII.GetBytes(signingInput), HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);
        var receipt = signingInput + "." + ReceiptTampering.Base64Url(signature);
        if (!ReceiptTampering.IsLowS(receipt)) receipt = ReceiptTampering.MalleatedTwin(receipt);

        // The header names the key: a signature by another of our keys is not the receipt it names.
        Assert.Null(new ReceiptSigner(_key, [_retired]).Verify(receipt));
    }

    public static TheoryData<string, byte[]> WrongShapes()
    {
        var id = Guid.NewGuid().ToString();
        var data = new TheoryData<string, byte[]>();
        void Add(string what, string json) => data.Add(what, Encoding.UTF8.GetBytes(json));
        Add("array root", $$"""[{"receiptId":"{{id}}"}]""");
        Add("string root", $"\"{id}\"");
        Add("number root", "42");
        Add("null root", "null");
        Add("id a number", """{"receiptId":42}""");
        Add("id an object", $$$"""{"receiptId":{"id":"{{{id}}}"}}""");
        Add("id an array", $$"""{"receiptId":["{{id}}"]}""");
        Add("id null", """{"receiptId":null}""");
        Add("id not a guid", """{"receiptId":"not-a-guid"}""");
        Add("id a guid in braces", "{\"receiptId\":\"{" + id + "}\"}");
        Add("id without hyphens", $$"""{"receiptId":"{{id.Replace("-", "")}}"}""");
        Add("id upper case", $$"""{"receiptId":"{{id.ToUpperInvariant()}}"}""");
        Add("no id", """{"version":"imail-consent-receipt/1"}""");
        Add("duplicate id", $$"""{"receiptId":"{{id}}","receiptId":"{{Guid.NewGuid()}}"}""");
        Add("duplicate nested key", $$$"""{"receiptId":"{{{id}}}","controller":{"name":"a","name":"b"}}""");
        Add("trailing object", $$"""{"receiptId":"{{id}}"}{}""");
        Add("trailing text", $$"""{"receiptId":"{{id}}"}x""");
        Add("trailing space", $$"""{"receiptId":"{{id}}"} """);
        Add("leading space", $$""" {"receiptId":"{{id}}"}""");
        Add("comment", $$"""{"receiptId":"{{id}}"/* c */}""");
        Add("trailing comma", $$"""{"receiptId":"{{id}}",}""");
        Add("truncated", $$"""{"receiptId":"{{id}}" """);
        Add("empty", "");
        data.Add("byte order mark", [0xEF, 0xBB, 0xBF, .. Encoding.UTF8.GetBytes($$"""{"receiptId":"{{id}}"}""")]);
        data.Add("not UTF-8", [.. Encoding.UTF8.GetBytes($$"""{"receiptId":"{{id}}","x":"""), (byte)'"', 0xFF, 0xFE, (byte)'"', (byte)'}']);
        data.Add("overlong UTF-8", [.. Encoding.UTF8.GetBytes($$"""{"receiptId":"{{id}}","x":"""), (byte)'"', 0xC0, 0xAF, (byte)'"', (byte)'}']);
        data.Add("UTF-16", Encoding.Unicode.GetBytes($$"""{"receiptId":"{{id}}"}"""));
        return data;
    }

    [Theory]
    [MemberData(nameof(WrongShapes))]
    public void Item10_APayloadOfTheWrongShape_HasNoReceiptId_AndNeverThrows(string what, byte[] payload)
    {
        Assert.True(ConsentReceipts.ReceiptIdOf(payload) is null, what);
    }

    [Fact]
    public void Item10_TheReceiptIdOfAPayloadWeWrite_StillReads()
    {
        var id = Guid.NewGuid();
        Assert.Equal(id, ConsentReceipts.ReceiptIdOf(Payload(id)));
    }
}
