namespace Imail.Domain.Common;

/// <summary>
/// A broken business rule. Entities throw it; mutations turn it into a typed error in their
/// payload, so a client's mistake never becomes a 500.
/// </summary>
public sealed class RuleViolation(string code, string message, string? field = null) : Exception(message)
{
    /// <summary>Stable, machine-readable code, e.g. <c>INVALID_EMAIL</c>.</summary>
    public string Code { get; } = code;

    /// <summary>The input field at fault, when there is one (camelCase, as in the schema).</summary>
    public string? Field { get; } = field;
}

public static class Rule
{
    public static void Check(bool holds, string code, string message, string? field = null)
    {
        if (!holds) throw new RuleViolation(code, message, field);
    }
}
