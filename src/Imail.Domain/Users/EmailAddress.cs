using System.Text.RegularExpressions;
using Imail.Domain.Common;

namespace Imail.Domain.Users;

public static partial class EmailAddress
{
    public const int MaxLength = 254;

    /// <summary>
    /// Normalises an address the way it is stored and compared: trimmed, lower-cased (domains are
    /// case-insensitive and no mailbox provider we write to distinguishes local-part case).
    /// Refuses what cannot be delivered to with <c>INVALID_EMAIL</c>.
    /// </summary>
    public static string Normalize(string? raw, string field = "email")
    {
        var value = raw?.Trim().ToLowerInvariant() ?? "";
        Rule.Check(value.Length is > 0 and <= MaxLength && Shape().IsMatch(value) && Text.FirstUnfitForName(value) is null, "INVALID_EMAIL",
            $"{Excerpt.Quote(raw)} is not an e-mail address we can write to (expected name@domain.tld, at most {MaxLength} characters).",
            field);
        return value;
    }

    // A pragmatic shape: one @, a local part without spaces, a domain of dot-separated labels with a TLD.
    [GeneratedRegex(@"^[^\s@""(),:;<>\[\\\]]{1,64}@(?=.{1,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$",
        RegexOptions.CultureInvariant)]
    private static partial Regex Shape();
}
