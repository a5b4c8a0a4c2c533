namespace Imail.Domain.Common;

/// <summary>What kind of mistake a broken rule is, for the client: the input, a clash with what exists, or a missing thing.</summary>
public enum RuleKind
{
    Input,
    Conflict,
    NotFound,

    /// <summary>The caller may not do this (staff restricted the account, P11).</summary>
    Forbidden,
}

/// <summary>
/// A broken business rule. Entities throw it; mutations turn it into a typed error in their
/// payload, so a client's mistake never becomes a 500.
/// </summary>
public sealed class RuleViolation(string code, string message, string? field = null, RuleKind kind = RuleKind.Input) : Exception(message)
{
    /// <summary>Stable, machine-readable code, e.g. <c>INVALID_EMAIL</c>.</summary>
    public string Code { get; } = code;

    /// <summary>The input field at fault, when there is one (camelCase, as in the schema).</summary>
    public string? Field { get; } = field;

    public RuleKind Kind { get; } = kind;
}

/// <summary>A named rule, declared once with its code and message (<c>Rule.Check(holds, new XyzRule())</c>).</summary>
public abstract record BusinessRule(string Code, string Message, string? Field = null, RuleKind Kind = RuleKind.Input)
{
    public RuleViolation Violation() => new(Code, Message, Field, Kind);
}

public static class Rule
{
    public static void Check(bool holds, string code, string message, string? field = null)
    {
        if (!holds) throw new RuleViolation(code, message, field);
    }

    public static void Check(bool holds, BusinessRule rule)
    {
        if (!holds) throw rule.Violation();
    }

    /// <summary>What a mutation acts on, or a typed not-found error (<see cref="RuleKind.NotFound"/>).</summary>
    public static T Found<T>(T? value, string code, string message) where T : class =>
        value ?? throw new RuleViolation(code, message, null, RuleKind.NotFound);

    /// <summary>A value that must not clash with one that exists, or a typed conflict (<see cref="RuleKind.Conflict"/>).</summary>
    public static void Unique(bool free, string code, string message, string? field)
    {
        if (!free) throw new RuleViolation(code, message, field, RuleKind.Conflict);
    }
}

/// <summary>The token names an account that does not exist (erased since the token was issued).</summary>
public sealed record UserMustExistRule() : BusinessRule("USER_NOT_FOUND", "Your account no longer exists.", null, RuleKind.NotFound);
