using GraphQL.Types;

namespace Imail.Api.GraphQL.Conventions;

/// <summary>
/// A GraphQL enum of a domain enum in one line:
/// <c>public sealed class XType() : EnumType&lt;X&gt;("X", "What it is.");</c> — value names
/// are the domain's in CONSTANT_CASE; the constructor's value list describes them where a
/// description helps (pairs of value name and text).
/// </summary>
public abstract class EnumType<TEnum> : EnumerationGraphType<TEnum> where TEnum : Enum
{
    protected EnumType(string name, string description, params (string Value, string Description)[] values)
    {
        Name = name;
        Description = description;
        foreach (var (value, text) in values) Values[value]!.Description = text;
    }
}
