using Imail.Domain.Common;

namespace Imail.Api.Consents;

public static class ConsentInputs
{
    /// <summary>A visitor id is a UUID the API handed out; anything else is refused (strict) or ignored.</summary>
    public static Guid? ParseVisitorId(string? raw, bool strict = true)
    {
        if (string.IsNullOrWhiteSpace(raw)) return null;
        if (Guid.TryParse(raw, out var id) && id != Guid.Empty) return id;
        Rule.Check(!strict, new Domain.Consents.InvalidVisitorIdRule());
        return null;
    }
}
