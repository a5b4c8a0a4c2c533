using GraphQL;
using GraphQL.Execution;
using Imail.Domain.Common;

namespace Imail.Api.GraphQL.Http;

/// <summary>
/// GraphQL.NET's error shaping, plus three promises to clients. Every error carries
/// <c>extensions.code</c>: a resolver that throws a bare <see cref="ExecutionError"/> has none; it
/// gets <c>EXECUTION_ERROR</c>. No message repeats more than a short prefix of what the client
/// sent (<see cref="Excerpt.Shorten"/>): GraphQL.NET's parser, validation and variable coercion
/// quote the client's text whole. And <c>SERVICE_UNAVAILABLE</c> never carries exception details.
/// Other exception details still follow <see cref="ErrorInfoProviderOptions.ExposeExceptionDetails"/>,
/// each of their lines shortened the same way.
/// </summary>
internal sealed class CodedErrorInfoProvider(ErrorInfoProviderOptions options) : ErrorInfoProvider(options)
{
    private const string Details = "details";

    public override ErrorInfo GetInfo(ExecutionError executionError)
    {
        if (executionError.Code is null)
        {
            executionError.Code = executionError is UnhandledError
                ? TransportErrorCodes.InternalServerError
                : TransportErrorCodes.ExecutionError;
        }
        var info = base.GetInfo(executionError);
        info.Message = Excerpt.Shorten(info.Message);
        if (info.Extensions is { } extensions && extensions.TryGetValue(Details, out var details))
        {
            if (executionError is ServiceUnavailableError) extensions.Remove(Details);
            else if (details is string text) extensions[Details] = ShortenDetails(text);
        }
        return info;
    }

    /// <summary>
    /// An exception's text, line by line: stack frames stay whole (they are ours), the messages are
    /// shortened after their "Type:" or "line number:" prefix (the parser's messages repeat the
    /// offending lines of the document).
    /// </summary>
    private static string ShortenDetails(string text) => string.Join('\n', text.Split('\n').Select(line =>
    {
        var trimmed = line.TrimStart();
        if (trimmed.StartsWith("at ", StringComparison.Ordinal)) return line;
        var lead = line.Length - trimmed.Length;
        if (lead > 16) return Excerpt.Shorten(trimmed); // the parser's caret under a long line: its column means nothing once the line is cut
        if (trimmed.StartsWith("---> ", StringComparison.Ordinal)) lead += "---> ".Length; // an inner exception's first line
        else if (trimmed.StartsWith("---", StringComparison.Ordinal)) return line; // "--- End of … stack trace ---"
        var colon = line.IndexOf(": ", lead, StringComparison.Ordinal);
        if (colon > lead && colon - lead <= 120 && !line.AsSpan(lead, colon - lead).ContainsAny(' ', '\t'))
            lead = colon + 2;
        return string.Concat(line.AsSpan(0, lead), Excerpt.Shorten(line[lead..]));
    }));
}
