using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace Imail.Domain.Consents;

/// <summary>The publisher as named in receipts (P1).</summary>
public sealed record ReceiptController(string Name, string Address, string Contact)
{
    public string ToJson()
    {
        using var stream = new MemoryStream();
        using (var json = new Utf8JsonWriter(stream))
        {
            json.WriteStartObject();
            json.WriteString("name", Name);
            json.WriteString("address", Address);
            json.WriteString("contact", Contact);
            json.WriteEndObject();
        }
        return Encoding.UTF8.GetString(stream.ToArray());
    }
}

/// <summary>
/// The consent receipt, in the spirit of the Kantara Consent Receipt and ISO/IEC TS 27560: the
/// controller, the principal, the purposes and their status, the timestamps, the expiry, the
/// policy and banner versions, and the hash of the previous receipt of the same chain. Written
/// field by field in a fixed order, so the same record always gives the same bytes, and a
/// changed column gives other bytes.
/// </summary>
public static class ConsentReceipts
{
    public const string Version = "imail-consent-receipt/1";
    private const string InstantFormat = "yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'";

    public static byte[] Payload(ConsentRecord record)
    {
        using var stream = new MemoryStream();
        using (var json = new Utf8JsonWriter(stream))
        {
            json.WriteStartObject();
            json.WriteString("version", Version);
            json.WriteString("receiptId", record.Id);
            json.WriteString("jurisdiction", "BE");
            json.WritePropertyName("controller");
            json.WriteRawValue(record.Controller);
            json.WriteStartObject("principal");
            if (record.VisitorId is { } visitor) json.WriteString("visitorId", visitor); else json.WriteNull("visitorId");
            if (record.DecidedSignedIn && record.UserId is { } user) json.WriteString("userId", user); else json.WriteNull("userId");
            json.WriteEndObject();
            json.WriteString("action", record.Action == ConsentAction.Withdrawal ? "withdrawal" : "decision");
            json.WriteString("consentTimestamp", Instant(record.DecidedAt));
            json.WriteString("collectionMethod", "cookie banner");
            json.WriteString("frontEnd", record.FrontEnd);
            json.WriteString("policyVersion", record.PolicyVersion);
            json.WriteString("bannerVersion", record.BannerVersion);
            json.WriteStartArray("purposes");
            foreach (var (code, granted) in record.Granted.Select(c => (c, true)).Concat(record.Refused.Select(c => (c, false))).OrderBy(p => p.Item1, StringComparer.Ordinal))
            {
                json.WriteStartObject();
                json.WriteString("purpose", code);
                json.WriteString("consentType", "explicit");
                json.WriteString("status", granted ? "granted" : "refused");
                json.WriteStartArray("piiCategories");
                json.WriteStringValue("navigation");
                json.WriteEndArray();
                json.WriteEndObject();
            }
            json.WriteEndArray();
            json.WriteString("firstDepositAt", Instant(record.FirstDepositAt));
            json.WriteString("expiresAt", Instant(record.ExpiresAt));
            json.WriteString("chain", record.ChainKey);
            json.WriteNumber("sequence", record.Sequence);
            if (record.PreviousHash is { } previous) json.WriteString("previousReceiptHash", previous); else json.WriteNull("previousReceiptHash");
            json.WriteEndObject();
        }
        return stream.ToArray();
    }

    public static string HashOf(byte[] payload) => Convert.ToHexStringLower(SHA256.HashData(payload));

    private static string Instant(DateTimeOffset at) =>
        at.UtcDateTime.ToString(InstantFormat, System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>The receipt id inside a receipt's payload, if it reads as one.</summary>
    public static Guid? ReceiptIdOf(byte[] payload)
    {
        try
        {
            using var document = JsonDocument.Parse(payload);
            return document.RootElement.TryGetProperty("receiptId", out var id) && id.TryGetGuid(out var guid) ? guid : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }
}

/// <summary>
/// Signs receipts as compact JWS (ES256, P-256), so anyone holding the public key (query
/// <c>consentReceiptKey</c>) can check a receipt without asking us.
/// </summary>
public sealed class ReceiptSigner(ECDsa key, IReadOnlyList<ECDsa>? retiredKeys = null)
{
    private readonly ECParameters _public = key.ExportParameters(false);

    /// <summary>Public keys receipts were signed with before a rotation: still accepted when verifying.</summary>
    public IReadOnlyList<ECDsa> RetiredKeys { get; } = retiredKeys ?? [];

    /// <summary>RFC 7638 thumbprint of the public key: the JWS <c>kid</c>.</summary>
    public string KeyId => Base64Url(SHA256.HashData(Encoding.UTF8.GetBytes(
        $$"""{"crv":"P-256","kty":"EC","x":"{{Base64Url(_public.Q.X!)}}","y":"{{Base64Url(_public.Q.Y!)}}"}""")));

    /// <summary>The public key as a JWK (JSON).</summary>
    public string PublicJwk =>
        $$"""{"kty":"EC","crv":"P-256","x":"{{Base64Url(_public.Q.X!)}}","y":"{{Base64Url(_public.Q.Y!)}}","kid":"{{KeyId}}","alg":"ES256","use":"sig"}""";

    public string PublicPem => key.ExportSubjectPublicKeyInfoPem();

    public string Sign(byte[] payload)
    {
        var header = Base64Url(Encoding.UTF8.GetBytes($$"""{"alg":"ES256","typ":"consent-receipt+jws","kid":"{{KeyId}}"}"""));
        var signingInput = header + "." + Base64Url(payload);
        var signature = key.SignData(Encoding.ASCII.GetBytes(signingInput), HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);
        return signingInput + "." + Base64Url(signature);
    }

    /// <summary>The payload of a receipt whose signature is ours and intact; null otherwise (malformed, other key, altered).</summary>
    public byte[]? Verify(string receipt)
    {
        var parts = receipt.Trim().Split('.');
        if (parts.Length != 3) return null;
        try
        {
            var signature = FromBase64Url(parts[2]);
            var signed = Encoding.ASCII.GetBytes(parts[0] + "." + parts[1]);
            var ok = new[] { key }.Concat(RetiredKeys).Any(k =>
                k.VerifyData(signed, signature, HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation));
            return ok ? FromBase64Url(parts[1]) : null;
        }
        catch (FormatException)
        {
            return null;
        }
    }

    /// <summary>The payload of a receipt, whether or not its signature holds; null when it is not a JWS.</summary>
    public static byte[]? UnverifiedPayload(string receipt)
    {
        var parts = receipt.Trim().Split('.');
        if (parts.Length != 3) return null;
        try { return FromBase64Url(parts[1]); }
        catch (FormatException) { return null; }
    }

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    private static byte[] FromBase64Url(string text)
    {
        var s = text.Replace('-', '+').Replace('_', '/');
        return Convert.FromBase64String(s.PadRight(s.Length + (4 - s.Length % 4) % 4, '='));
    }
}
