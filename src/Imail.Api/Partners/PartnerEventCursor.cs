using System.Globalization;
using GraphQL;

namespace Imail.Api.Partners;

/// <summary>
/// A subscriber's place in the event log: the sequence of the last event it received. Opaque to
/// partners (they pass back what they got); a decimal number here.
/// </summary>
public static class PartnerEventCursor
{
    public const string Expired = "CURSOR_EXPIRED";
    public const string Invalid = "INVALID_CURSOR";

    public static string Of(long sequence) => sequence.ToString(CultureInfo.InvariantCulture);

    public static bool TryParse(string? text, out long sequence)
    {
        sequence = 0;
        return text is { Length: > 0 and <= 19 }
            && text.All(char.IsAsciiDigit)
            && long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out sequence)
            && sequence > 0;
    }

    public static ExecutionError Malformed(string text) =>
        new($"'{Domain.Common.Excerpt.Shorten(text)}' is not a cursor: pass back the `cursor` of an event you received.") { Code = Invalid };

    public static ExecutionError Unknown(long sequence) =>
        new($"The cursor {sequence} names no event of the log: pass back the `cursor` of an event you received.") { Code = Invalid };

    public static ExecutionError TooOld(long sequence, TimeSpan retention) =>
        new($"The event of cursor {sequence} is no longer in the log, which keeps events {retention.TotalDays:0.##} days: subscribe without `after` (and fetch what you missed from the API).") { Code = Expired };
}
