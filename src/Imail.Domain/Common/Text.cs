using System.Globalization;
using System.Text;

namespace Imail.Domain.Common;

/// <summary>
/// What text Imail accepts. Two levels: <see cref="FirstForbidden"/> is refused in every string a
/// client sends, whatever the field (PostgreSQL cannot store NUL; the other controls and a lone
/// surrogate only hide or break things); <see cref="CheckName"/> is for names and identifiers,
/// which a person reads and compares: no control character at all, and no invisible or
/// direction-changing character that would make two different values look alike
/// (<c>admin</c> and <c>admin&#x200B;</c>) or a value read backwards (U+202E).
/// </summary>
public static class Text
{
    /// <summary>
    /// The index of the first character no text may hold: NUL and the other C0 controls except
    /// TAB, LF and CR, DEL and the C1 controls, or half of a surrogate pair; -1 when there is none.
    /// </summary>
    public static int FirstForbidden(string value)
    {
        for (var i = 0; i < value.Length; i++)
        {
            var c = value[i];
            if (c < ' ' ? c is not ('\t' or '\n' or '\r') : c is >= '\u007F' and <= '\u009F') return i;
            if (char.IsHighSurrogate(c))
            {
                if (i + 1 < value.Length && char.IsLowSurrogate(value[i + 1])) i++;
                else return i;
            }
            else if (char.IsLowSurrogate(c)) return i;
        }
        return -1;
    }

    /// <summary>
    /// Invisible or direction-changing: format characters (category Cf: bidi embeddings, overrides
    /// and isolates, marks, zero-width space, word joiner, BOM, soft hyphen, tag characters…),
    /// except the zero-width joiner and non-joiner, which scripts and emoji sequences need; and the
    /// blank Hangul fillers used to fake empty names.
    /// </summary>
    public static bool IsInvisible(Rune rune) =>
        rune.Value is not (0x200C or 0x200D) && Rune.GetUnicodeCategory(rune) == UnicodeCategory.Format
        || rune.Value is 0x115F or 0x1160 or 0x3164 or 0xFFA0 or 0x034F;

    /// <summary>The first control, invisible or direction-changing character of a name, or null.</summary>
    public static Rune? FirstUnfitForName(string value)
    {
        foreach (var rune in value.EnumerateRunes())
            if (Rune.IsControl(rune) || IsInvisible(rune) || rune == Rune.ReplacementChar) return rune;
        return FirstForbidden(value) >= 0 ? Rune.ReplacementChar : null;
    }

    /// <summary>
    /// A name or an identifier as a person types it: trimmed, 1 to <paramref name="maxLength"/>
    /// characters, no control, invisible or direction-changing character. Refused with
    /// <paramref name="code"/> naming <paramref name="field"/>; the message names the character,
    /// never repeats the value.
    /// </summary>
    public static string CheckName(string? raw, int maxLength, string code, string field, string what)
    {
        var value = raw?.Trim() ?? "";
        Rule.Check(value.Length is > 0 && value.Length <= maxLength, code, $"{what} must have 1 to {maxLength} characters.", field);
        if (FirstUnfitForName(value) is { } unfit)
            throw new RuleViolation(code, $"{what} may not contain control, invisible or direction-changing characters (found {Describe(unfit)}).", field);
        return value;
    }

    /// <summary>Free text (a description): at most <paramref name="maxLength"/> characters; line breaks and tabs are fine, other controls and direction overrides are not.</summary>
    public static string CheckFreeText(string? raw, int maxLength, bool required, string code, string field, string what)
    {
        var value = raw?.Trim() ?? "";
        Rule.Check((!required || value.Length > 0) && value.Length <= maxLength, code,
            $"{what} must have {(required ? "1" : "0")} to {maxLength} characters.", field);
        var forbidden = FirstForbidden(value);
        if (forbidden >= 0)
            throw new RuleViolation(code, $"{what} may not contain control characters (found U+{(int)value[forbidden]:X4}).", field);
        foreach (var rune in value.EnumerateRunes())
            if (rune.Value is >= 0x202A and <= 0x202E or >= 0x2066 and <= 0x2069)
                throw new RuleViolation(code, $"{what} may not contain direction-override characters (found {Describe(rune)}).", field);
        return value;
    }

    /// <summary><c>U+202E</c>: how messages name a character without printing it.</summary>
    public static string Describe(Rune rune) => $"U+{rune.Value:X4}";
}
