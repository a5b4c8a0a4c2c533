using System.Numerics;
using System.Security.Cryptography;
using System.Text;

namespace Imail.Testing;

/// <summary>
/// What someone holding a receipt can do to it without the private key: re-encode its parts, or
/// turn its ECDSA signature (r, s) into the twin (r, n − s), which a plain ECDSA check accepts too.
/// </summary>
public static class ReceiptTampering
{
    /// <summary>The order n of P-256, read from the platform rather than copied from the code under test.</summary>
    public static readonly BigInteger Order = ReadOrder();

    private static BigInteger ReadOrder()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        return new BigInteger(key.ExportExplicitParameters(false).Curve.Order, isUnsigned: true, isBigEndian: true);
    }

    public static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    /// <summary>The forgiving decoding receipts used to get: padding optional, standard alphabet accepted.</summary>
    public static byte[] LenientDecode(string text)
    {
        var s = text.Trim().Replace('-', '+').Replace('_', '/').TrimEnd('=');
        return Convert.FromBase64String(s.PadRight(s.Length + (4 - s.Length % 4) % 4, '='));
    }

    /// <summary>The s half of a receipt's signature.</summary>
    public static BigInteger S(string receipt) =>
        new(LenientDecode(receipt.Split('.')[2]).AsSpan(32), isUnsigned: true, isBigEndian: true);

    public static bool IsLowS(string receipt) => S(receipt) <= Order / 2;

    /// <summary>The same receipt with the signature (r, n − s): different bytes, and a valid ECDSA signature still.</summary>
    public static string MalleatedTwin(string receipt)
    {
        var parts = receipt.Split('.');
        var signature = LenientDecode(parts[2]);
        var s = new BigInteger(signature.AsSpan(32), isUnsigned: true, isBigEndian: true);
        var twin = (Order - s).ToByteArray(isUnsigned: true, isBigEndian: true);
        signature.AsSpan(32).Clear();
        twin.CopyTo(signature.AsSpan(64 - twin.Length));
        return $"{parts[0]}.{parts[1]}.{Base64Url(signature)}";
    }

    /// <summary>The same header and signature around another payload (the signature no longer matches it).</summary>
    public static string WithPayload(string receipt, byte[] payload)
    {
        var parts = receipt.Split('.');
        return $"{parts[0]}.{Base64Url(payload)}.{parts[2]}";
    }

    public static string WithPayload(string receipt, string json) => WithPayload(receipt, Encoding.UTF8.GetBytes(json));

    /// <summary>Encodings of the same bytes that a lenient decoder reads as the same receipt.</summary>
    public static IEnumerable<(string What, string Receipt)> ReEncodings(string receipt)
    {
        var parts = receipt.Split('.');
        for (var i = 0; i < 3; i++)
        {
            var part = parts[i];
            if (part.Length % 4 != 0) yield return ($"padded part {i}", Replace(parts, i, part + new string('=', 4 - part.Length % 4)));
            if (part.IndexOfAny(['-', '_']) >= 0) yield return ($"standard alphabet in part {i}", Replace(parts, i, part.Replace('-', '+').Replace('_', '/')));
            yield return ($"line break in part {i}", Replace(parts, i, part[..(part.Length / 2)] + "\r\n" + part[(part.Length / 2)..]));
            yield return ($"space in part {i}", Replace(parts, i, part[..(part.Length / 2)] + " " + part[(part.Length / 2)..]));
            if (NonCanonicalLastCharacter(part) is { } sloppy) yield return ($"unused bits set in part {i}", Replace(parts, i, sloppy));
        }
        yield return ("leading space", " " + receipt);
        yield return ("trailing space", receipt + " ");
        yield return ("trailing newline", receipt + "\n");
        yield return ("tab around", "\t" + receipt + "\t");
    }

    private static string Replace(string[] parts, int index, string part)
    {
        var copy = (string[])parts.Clone();
        copy[index] = part;
        return string.Join('.', copy);
    }

    /// <summary>The part with its last character's unused low bits set: decodes to the same bytes, is another string.</summary>
    private static string? NonCanonicalLastCharacter(string part)
    {
        var unusedBits = (part.Length % 4) switch { 2 => 4, 3 => 2, _ => 0 };
        if (unusedBits == 0) return null;
        const string alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
        var value = alphabet.IndexOf(part[^1]);
        return part[..^1] + alphabet[value | 1];
    }
}
