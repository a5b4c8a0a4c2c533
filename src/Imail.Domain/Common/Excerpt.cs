using System.Text;

namespace Imail.Domain.Common;

/// <summary>
/// How much of what a client sent an error message may repeat: a short prefix. A message that
/// quoted its input whole would be as long as the input (a 200 KB "e-mail address" gave a 200 KB
/// message), and would carry it into logs and responses. Every message that quotes a client's
/// value goes through here; messages written by libraries (GraphQL.NET's parser, validation and
/// variable coercion) are passed through <see cref="Shorten"/> on their way out.
/// </summary>
public static class Excerpt
{
    /// <summary>
    /// Characters of one client value a message repeats at most: enough to recognise it (an
    /// address's local part has at most 64, every name of the schema fits), few enough that a
    /// message stays one line.
    /// </summary>
    public const int MaxLength = 64;

    /// <summary>Longest message, in characters, once <see cref="Shorten"/> has passed over it.</summary>
    public const int MaxMessageLength = 600;

    /// <summary>Values a message lists at most (unknown scopes, duplicate names…).</summary>
    public const int MaxListed = 5;

    /// <summary>
    /// The value itself when short, else its first <see cref="MaxLength"/> characters, "…" and its
    /// length; control, invisible and direction-changing characters are named (<c>[U+202E]</c>),
    /// never printed, so a message cannot be made to read backwards.
    /// </summary>
    public static string Prefix(string value)
    {
        if (value.Length <= MaxLength) return Visible(value);
        return $"{Visible(Cut(value, MaxLength))}… ({value.Length} characters)";
    }

    /// <summary>The value in single quotes, cut as <see cref="Prefix"/> does.</summary>
    public static string Quote(string? value) =>
        value is null ? "null"
        : value.Length <= MaxLength ? $"'{Visible(value)}'"
        : $"'{Visible(Cut(value, MaxLength))}…' ({value.Length} characters)";

    /// <summary>Quoted values, comma-separated, at most <see cref="MaxListed"/> of them and a count of the rest.</summary>
    public static string List(IEnumerable<string?> values)
    {
        var all = values.ToList();
        var shown = string.Join(", ", all.Take(MaxListed).Select(Quote));
        return all.Count > MaxListed ? $"{shown} and {all.Count - MaxListed} more" : shown;
    }

    /// <summary>
    /// A message someone else wrote, which may quote a client's input anywhere: every quoted run
    /// ('…' or "…") and every run without spaces longer than <see cref="MaxLength"/> is cut to its
    /// prefix, and the whole to <see cref="MaxMessageLength"/>. Short, plain messages come back as they are.
    /// </summary>
    public static string Shorten(string message)
    {
        if (message.Length <= MaxLength) return message;
        var text = ShortenQuotedRuns(message);
        text = ShortenLongWords(text);
        return text.Length <= MaxMessageLength ? text : Cut(text, MaxMessageLength) + "… (shortened)";
    }

    private static string ShortenQuotedRuns(string text)
    {
        StringBuilder? result = null;
        var copied = 0;
        for (var i = 0; i < text.Length; i++)
        {
            var quote = text[i];
            if (quote is not ('\'' or '"') || i > 0 && !OpensQuote(text[i - 1])) continue;
            var end = ClosingQuote(text, i);
            if (end < 0) break;
            var length = end - i - 1;
            if (length > MaxLength + 1) // a value cut here already ends with "…"
            {
                result ??= new StringBuilder(text.Length);
                result.Append(text, copied, i + 1 - copied)
                    .Append(Cut(text.AsSpan(i + 1, length), MaxLength)).Append('…').Append(quote)
                    .Append($" ({length} characters)");
                copied = end + 1;
            }
            i = end;
        }
        return result is null ? text : result.Append(text, copied, text.Length - copied).ToString();
    }

    // A quote opens a value after a space or an opening bracket, as in: found 'x', value: "x", ['x'.
    private static bool OpensQuote(char before) => char.IsWhiteSpace(before) || before is '(' or '[' or '{' or ':' or ',' or '=';

    // The next same quote that is followed by the end, a space or punctuation: values may hold the quote itself.
    private static int ClosingQuote(string text, int open)
    {
        for (var j = text.IndexOf(text[open], open + 1); j >= 0; j = text.IndexOf(text[open], j + 1))
            if (j + 1 == text.Length || char.IsWhiteSpace(text[j + 1]) || text[j + 1] is '.' or ',' or ';' or ':' or ')' or ']' or '}' or '!' or '?')
                return j;
        return -1;
    }

    private static string ShortenLongWords(string text)
    {
        StringBuilder? result = null;
        var copied = 0;
        for (var start = 0; start < text.Length;)
        {
            if (char.IsWhiteSpace(text[start]))
            {
                start++;
                continue;
            }
            var end = start;
            while (end < text.Length && !char.IsWhiteSpace(text[end])) end++;
            var word = text.AsSpan(start, end - start);
            // Room for the quotes, "…" and punctuation around a value already cut; links in library
            // messages (the spec's section URLs) stay whole, they are not the client's.
            if (word.Length > MaxLength + 4 && !word.StartsWith("http://") && !word.StartsWith("https://"))
            {
                result ??= new StringBuilder(text.Length);
                result.Append(text, copied, start - copied).Append(Cut(word, MaxLength)).Append($"… ({word.Length} characters)");
                copied = end;
            }
            start = end;
        }
        return result is null ? text : result.Append(text, copied, text.Length - copied).ToString();
    }

    private static string Visible(string value)
    {
        if (!Text.FirstUnfitForName(value).HasValue) return value;
        var visible = new StringBuilder(value.Length + 16);
        foreach (var rune in value.EnumerateRunes())
        {
            if (Rune.IsControl(rune) || Text.IsInvisible(rune) || rune == Rune.ReplacementChar) visible.Append('[').Append(Text.Describe(rune)).Append(']');
            else visible.Append(rune.ToString());
        }
        return visible.ToString();
    }

    // Never splits a surrogate pair.
    private static string Cut(ReadOnlySpan<char> value, int length)
    {
        if (length >= value.Length) return value.ToString();
        if (char.IsHighSurrogate(value[length - 1])) length--;
        return value[..length].ToString();
    }

    private static string Cut(string value, int length) => Cut(value.AsSpan(), length);
}
