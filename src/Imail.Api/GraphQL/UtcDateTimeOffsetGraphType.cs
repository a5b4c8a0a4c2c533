using GraphQL.Types;
using GraphQLParser.AST;

namespace Imail.Api.GraphQL;

/// <summary>
/// GraphQL.NET's <c>DateTimeOffset</c> scalar, same name and description, whose inputs arrive in
/// UTC whatever offset the client wrote: <c>2026-11-27T10:00:00+02:00</c> is read as
/// <c>08:00:00Z</c>. Npgsql writes only UTC values to <c>timestamptz</c> and refused any other
/// offset, so a filter such as <c>lastAuthenticatedBefore</c> worked with <c>Z</c> only.
/// Registered in DI as the built-in's replacement, it stands for it in every field and argument,
/// inputs of future features included. Outputs are unchanged.
/// </summary>
public sealed class UtcDateTimeOffsetGraphType : DateTimeOffsetGraphType
{
    public UtcDateTimeOffsetGraphType() => Name = "DateTimeOffset"; // the built-in's name, which it replaces

    public override object? ParseLiteral(GraphQLValue value) => ToUtc(base.ParseLiteral(value));

    public override object? ParseValue(object? value) => ToUtc(base.ParseValue(value));

    private static object? ToUtc(object? parsed) => parsed is DateTimeOffset instant ? instant.ToUniversalTime() : parsed;
}
