using System.Buffers;
using System.Buffers.Text;
using System.Globalization;
using System.Numerics;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Unicode;

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
        at.UtcDateTime.ToString(InstantFormat, CultureInfo.InvariantCulture);

    /// <summary>
    /// The receipt id inside a receipt's payload, if the payload has the shape we write: one JSON
    /// object, compact, valid UTF-8, each name once, the id a lower-case GUID string. Null otherwise.
    /// </summary>
    public static Guid? ReceiptIdOf(byte[] payload)
    {
        if (payload is not [(byte)'{', .., (byte)'}'] || !Utf8.IsValid(payload)) return null;
        try
        {
            using var document = JsonDocument.Parse(payload, new JsonDocumentOptions { AllowDuplicateProperties = false });
            return document.RootElement.TryGetProperty("receiptId", out var id) && id.ValueKind == JsonValueKind.String
                   && Guid.TryParseExact(id.GetString(), "D", out var guid) && id.ValueEquals(guid.ToString("D"))
                ? guid
                : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }
}

/// <summary>
/// Signs receipts as compact JWS (ES256, P-256), so anyone holding the public key (query
/// <c>consentReceiptKey</c>) can check a receipt without asking us. Receipts are canonical: the
/// header is always the same bytes for a key, base64url is unpadded with no other spelling, and
/// the signature is low-S, so a receipt has exactly one accepted form.
/// </summary>
public sealed class ReceiptSigner(ECDsa key, IReadOnlyList<ECDsa>? retiredKeys = null)
{
    /// <summary>Longer strings are refused before any decoding: a receipt we write is a few kilobytes.</summary>
    public const int MaxLength = 16 * 1024;

    // ECDSA accepts (r, n − s) as well as (r, s); we sign and accept only s ≤ n/2, n being P-256's group order.
    private static readonly BigInteger Order =
        BigInteger.Parse("0FFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551", NumberStyles.HexNumber, CultureInfo.InvariantCulture);
    private static readonly BigInteger HalfOrder = Order / 2;

    private readonly ECParameters _public = key.ExportParameters(false);
    private readonly string _header = HeaderOf(key);

    // A receipt's header names its key, so the header's exact encoding picks the one key that may have signed it.
    private readonly Dictionary<string, ECDsa> _keysByHeader = new[] { key }.Concat(retiredKeys ?? [])
        .DistinctBy(HeaderOf).ToDictionary(HeaderOf, StringComparer.Ordinal);

    /// <summary>Public keys receipts were signed with before a rotation: still accepted when verifying.</summary>
    public IReadOnlyList<ECDsa> RetiredKeys { get; } = retiredKeys ?? [];

    /// <summary>RFC 7638 thumbprint of the public key: the JWS <c>kid</c>.</summary>
    public string KeyId => ThumbprintOf(_public);

    /// <summary>The public key as a JWK (JSON).</summary>
    public string PublicJwk =>
        $$"""{"kty":"EC","crv":"P-256","x":"{{Base64Url.EncodeToString(_public.Q.X!)}}","y":"{{Base64Url.EncodeToString(_public.Q.Y!)}}","kid":"{{KeyId}}","alg":"ES256","use":"sig"}""";

    public string PublicPem => key.ExportSubjectPublicKeyInfoPem();

    public string Sign(byte[] payload)
    {
        var signingInput = _header + "." + Base64Url.EncodeToString(payload);
        var signature = key.SignData(Encoding.ASCII.GetBytes(signingInput), HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);
        if (signature.Length != 64) throw new InvalidOperationException("Receipts are ES256: the signing key must be a P-256 key.");
        var s = new BigInteger(signature.AsSpan(32), isUnsigned: true, isBigEndian: true);
        if (s > HalfOrder)
        {
            var low = Order - s;
            signature.AsSpan(32).Clear();
            low.TryWriteBytes(signature.AsSpan(64 - low.GetByteCount(isUnsigned: true)), out _, isUnsigned: true, isBigEndian: true);
        }
        return signingInput + "." + Base64Url.EncodeToString(signature);
    }

    /// <summary>
    /// The payload of a receipt exactly as we issue it, signed by our key or a retired one and
    /// intact; null otherwise (malformed, another encoding, another header, high-S, other key, altered).
    /// </summary>
    public byte[]? Verify(string receipt)
    {
        if (Open(receipt) is not { } jws || !_keysByHeader.TryGetValue(jws.Header, out var signer)) return null;
        var s = new BigInteger(jws.Signature.AsSpan(32), isUnsigned: true, isBigEndian: true);
        if (s.IsZero || s > HalfOrder) return null;
        return signer.VerifyData(Encoding.ASCII.GetBytes(jws.SigningInput), jws.Signature, HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation)
            ? jws.Payload
            : null;
    }

    /// <summary>The payload of a receipt, whether or not its signature holds; null when it is not a canonical compact JWS.</summary>
    public static byte[]? UnverifiedPayload(string receipt) => Open(receipt)?.Payload;

    private sealed record Jws(string Header, string SigningInput, byte[] Payload, byte[] Signature);

    /// <summary>Three parts of strict base64url (no padding, no whitespace, no '+' or '/', no stray bits), the signature 64 bytes.</summary>
    private static Jws? Open(string receipt)
    {
        if (receipt.Length > MaxLength) return null;
        var parts = receipt.Split('.');
        if (parts.Length != 3 || Decode(parts[0]) is null) return null;
        return Decode(parts[1]) is { } payload && Decode(parts[2]) is { Length: 64 } signature
            ? new Jws(parts[0], parts[0] + "." + parts[1], payload, signature)
            : null;
    }

    private static byte[]? Decode(string part)
    {
        if (part.Length == 0 || part.Length % 4 == 1) return null;
        foreach (var c in part)
            if (!char.IsAsciiLetterOrDigit(c) && c is not ('-' or '_')) return null;
        var bytes = new byte[Base64Url.GetMaxDecodedLength(part.Length)];
        if (Base64Url.DecodeFromChars(part, bytes, out var read, out var written) != OperationStatus.Done || read != part.Length) return null;
        bytes = bytes[..written];
        // Only one spelling per byte string: the last character's unused bits must be zero.
        return Base64Url.EncodeToString(bytes) == part ? bytes : null;
    }

    private static string HeaderOf(ECDsa key) => Base64Url.EncodeToString(Encoding.UTF8.GetBytes(
        $$"""{"alg":"ES256","typ":"consent-receipt+jws","kid":"{{ThumbprintOf(key.ExportParameters(false))}}"}"""));

    private static string ThumbprintOf(ECParameters parameters) => Base64Url.EncodeToString(SHA256.HashData(Encoding.UTF8.GetBytes(
        $$"""{"crv":"P-256","kty":"EC","x":"{{Base64Url.EncodeToString(parameters.Q.X!)}}","y":"{{Base64Url.EncodeToString(parameters.Q.Y!)}}"}""")));
}
