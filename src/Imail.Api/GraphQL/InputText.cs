using System.Collections;
using GraphQL.Validation;
using GraphQLParser.AST;
using Imail.Domain.Common;
using Microsoft.Extensions.Options;

namespace Imail.Api.GraphQL;

/// <summary>
/// Every string a client sends — a literal in the document or a variable's value, however deep
/// in an input object or list — is checked before anything runs: a character no text may carry
/// (<see cref="Text.FirstForbidden"/>: NUL, which PostgreSQL cannot store, the other controls
/// but TAB/LF/CR, a lone surrogate) or a string longer than <see cref="GraphQLOptions.MaxStringLength"/>
/// refuses the whole request with one typed error (400), so no resolver, lookup or write sees it.
/// Fields add their own, stricter rules (names refuse every control and invisible character).
/// </summary>
public sealed class InputTextRule(IOptions<GraphQLOptions> options) : ValidationRuleBase
{
    public const string InvalidCharacters = "INVALID_CHARACTERS";
    public const string StringTooLong = "STRING_TOO_LONG";

    private readonly int _maxLength = options.Value.MaxStringLength;

    public override ValueTask<INodeVisitor?> GetPreNodeVisitorAsync(ValidationContext context)
    {
        if (context.Variables is { } variables)
        {
            foreach (var (name, value) in variables)
                if (Problem(value, "$" + name) is { } error)
                {
                    context.ReportError(error);
                    return default; // one error says enough; the request is refused
                }
        }
        var reported = false;
        return new(new MatchingNodeVisitor<GraphQLStringValue>((node, ctx) =>
        {
            if (reported || Problem((string)node.Value, "A string in the document") is not { } error) return;
            reported = true;
            ctx.ReportError(error);
        }));
    }

    private ValidationError? Problem(object? value, string where)
    {
        switch (value)
        {
            case string text:
                if (text.Length > _maxLength)
                    return Error(StringTooLong, $"{where} is longer than {_maxLength} characters.");
                var at = Text.FirstForbidden(text);
                return at < 0 ? null : Error(InvalidCharacters,
                    $"{where} contains U+{(int)text[at]:X4} at position {at}: control characters (but tab and line breaks) and lone surrogates are not accepted in any text.");
            case IDictionary<string, object?> map:
                foreach (var (key, item) in map)
                    if (Problem(item, $"{where}.{key}") is { } error) return error;
                return null;
            case IEnumerable list:
                var i = 0;
                foreach (var item in list)
                    if (Problem(item, $"{where}[{i++}]") is { } error) return error;
                return null;
            default:
                return null;
        }
    }

    private static ValidationError Error(string code, string message) => new(message) { Code = code };
}
