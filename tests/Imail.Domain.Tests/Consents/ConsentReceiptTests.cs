using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Imail.Domain.Consents;
using Microsoft.Extensions.Time.Testing;

namespace Imail.Domain.Tests.Consents;

/// <summary>P5: each decision is kept as proof of consent, hashed, chained and signed (ES256).</summary>
public class ConsentReceiptTests : IDisposable
{
    private static readonly DateTimeOffset Deposit = DateTimeOffset.Parse("2026-01-31T10:00:00.123456+01:00", CultureInfo.InvariantCulture);

    private readonly FakeTimeProvider _clock = new(Deposit);
    private readonly ConsentRules _rules = new();
    private readonly ECDsa _key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
    private readonly ECDsa _otherKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
    private readonly ReceiptSigner _signer;
    private readonly ReceiptController _controller = new("Imail Solutions (CINQ-CINQ SPRL)", "Rue de l'Exemple 1, 1000 Bruxelles", "privacy@imail.example");
    private readonly DecisionContext _context = DecisionContext.Check("policy-2026-01", "banner-3", "web");

    public ConsentReceiptTests() => _signer = new ReceiptSigner(_key);

    public void Dispose()
    {
        _key.Dispose();
        _otherKey.Dispose();
    }

    private Consent Open() => Consent.Open(Guid.NewGuid(), null,
        [new(ConsentPurpose.Statistics, true), new(ConsentPurpose.Personalisation, false)], Deposit, _rules);

    private ConsentRecord Write(Consent consent, ConsentRecord? previous = null, ConsentAction action = ConsentAction.Decision) =>
        ConsentRecord.Write(consent, action, false, _context, previous, $"visitor:{consent.VisitorId}", _controller, _signer,
            _clock.GetUtcNow());

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    [Fact]
    public void P5_AReceiptVerifiesWithTheKeyThatSignedIt_AndReturnsItsPayload()
    {
        var record = Write(Open());
        Assert.Equal(ConsentReceipts.Payload(record), _signer.Verify(record.Receipt));
    }

    [Fact]
    public void P5_AReceiptDoesNotVerifyWithAnotherKey() =>
        Assert.Null(new ReceiptSigner(_otherKey).Verify(Write(Open()).Receipt));

    [Fact]
    public void P5_AReceiptWithOneByteOfItsPayloadAltered_DoesNotVerify()
    {
        var parts = Write(Open()).Receipt.Split('.');
        var payload = ReceiptSigner.UnverifiedPayload(string.Join('.', parts))!;
        var index = Encoding.UTF8.GetString(payload).IndexOf("granted", StringComparison.Ordinal);
        payload[index] = (byte)'G';
        var altered = string.Join('.', parts[0], Base64Url(payload), parts[2]);
        Assert.Null(_signer.Verify(altered));
        Assert.Equal(payload, ReceiptSigner.UnverifiedPayload(altered));
    }

    [Fact]
    public void P5_AReceiptWithItsSignatureAltered_DoesNotVerify()
    {
        var parts = Write(Open()).Receipt.Split('.');
        var signature = Convert.FromBase64String(parts[2].Replace('-', '+').Replace('_', '/') + "==".Substring(0, (4 - parts[2].Length % 4) % 4));
        signature[0] ^= 1;
        Assert.Null(_signer.Verify(string.Join('.', parts[0], parts[1], Base64Url(signature))));
        Assert.Null(_signer.Verify("not-a-jws"));
        Assert.Null(_signer.Verify("a.b!.c"));
    }

    [Fact]
    public void P5_AReceiptIsACompactES256JwsNamingItsKey()
    {
        var header = JsonDocument.Parse(Convert.FromBase64String(PadBase64(Write(Open()).Receipt.Split('.')[0]))).RootElement;
        Assert.Equal("ES256", header.GetProperty("alg").GetString());
        Assert.Equal(_signer.KeyId, header.GetProperty("kid").GetString());
    }

    private static string PadBase64(string url)
    {
        var s = url.Replace('-', '+').Replace('_', '/');
        return s.PadRight(s.Length + (4 - s.Length % 4) % 4, '=');
    }

    [Fact]
    public void P5_TheRecordsHash_IsTheSha256OfItsPayload()
    {
        var record = Write(Open());
        Assert.Equal(ConsentReceipts.HashOf(ConsentReceipts.Payload(record)), record.Hash);
        Assert.Matches("^[0-9a-f]{64}$", record.Hash);
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(_signer.Verify(record.Receipt)!)), record.Hash);
    }

    [Fact]
    public void P5_TheSamePayloadIsWrittenEachTime_ForTheSameRecord()
    {
        var record = Write(Open());
        Assert.Equal(ConsentReceipts.Payload(record), ConsentReceipts.Payload(record));
    }

    [Fact]
    public void P5_ReceiptsAreChained_ByThePreviousHashAndSequence()
    {
        var consent = Open();
        var first = Write(consent);
        _clock.Advance(TimeSpan.FromDays(3));
        consent.Withdraw(null, _clock.GetUtcNow());
        var second = Write(consent, first, ConsentAction.Withdrawal);

        Assert.Equal(1, first.Sequence);
        Assert.Null(first.PreviousHash);
        Assert.Equal(2, second.Sequence);
        Assert.Equal(first.Hash, second.PreviousHash);
        Assert.NotEqual(first.Hash, second.Hash);
        Assert.Equal(first.ChainKey, second.ChainKey);

        var json = JsonDocument.Parse(ConsentReceipts.Payload(second)).RootElement;
        Assert.Equal(first.Hash, json.GetProperty("previousReceiptHash").GetString());
        Assert.Equal(2, json.GetProperty("sequence").GetInt32());
        Assert.Equal("withdrawal", json.GetProperty("action").GetString());
        Assert.Equal(JsonValueKind.Null, JsonDocument.Parse(ConsentReceipts.Payload(first)).RootElement.GetProperty("previousReceiptHash").ValueKind);
    }

    [Fact]
    public void P5_TheReceiptNamesController_Purposes_Timestamps_ExpiryAndPolicy()
    {
        var consent = Open();
        var record = Write(consent);
        var json = JsonDocument.Parse(_signer.Verify(record.Receipt)!).RootElement;

        var controller = json.GetProperty("controller");
        Assert.Equal(_controller.Name, controller.GetProperty("name").GetString());
        Assert.Equal(_controller.Address, controller.GetProperty("address").GetString());
        Assert.Equal(_controller.Contact, controller.GetProperty("contact").GetString());

        var purposes = json.GetProperty("purposes").EnumerateArray()
            .ToDictionary(p => p.GetProperty("purpose").GetString()!, p => p.GetProperty("status").GetString());
        Assert.Equal(new Dictionary<string, string?> { ["personalisation"] = "refused", ["statistics"] = "granted" }, purposes);

        Assert.Equal("2026-01-31T09:00:00.123456Z", json.GetProperty("consentTimestamp").GetString());
        Assert.Equal("2026-01-31T09:00:00.123456Z", json.GetProperty("firstDepositAt").GetString());
        Assert.Equal("2027-02-28T09:00:00.123456Z", json.GetProperty("expiresAt").GetString());
        Assert.Equal(consent.ExpiresAt, record.ExpiresAt);
        Assert.Equal("policy-2026-01", json.GetProperty("policyVersion").GetString());
        Assert.Equal("banner-3", json.GetProperty("bannerVersion").GetString());
        Assert.Equal(record.Id, json.GetProperty("receiptId").GetGuid());
        Assert.Equal(consent.VisitorId, json.GetProperty("principal").GetProperty("visitorId").GetGuid());
        Assert.Equal(record.Id, ConsentReceipts.ReceiptIdOf(ConsentReceipts.Payload(record)));
    }

    [Fact]
    public void P5_TheReceiptPurposes_FollowTheConsentAsDecided()
    {
        var consent = Open();
        consent.Decide([new(ConsentPurpose.Personalisation, true)], Deposit.AddDays(1));
        var record = Write(consent);
        Assert.Equal(["personalisation", "statistics"], record.Granted);
        Assert.Empty(record.Refused);
    }
}
