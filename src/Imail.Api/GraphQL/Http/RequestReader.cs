using System.Buffers;
using System.Text;
using System.Text.Json;
using GraphQL;
using GraphQL.SystemTextJson;
using GraphQL.Transport;

namespace Imail.Api.GraphQL.Http;

/// <summary>A request the transport refuses, with the HTTP status and the error to answer.</summary>
internal sealed class RequestRefusedException(int status, string code, string message) : Exception(message)
{
    public int Status { get; } = status;
    public string Code { get; } = code;
}

/// <summary>
/// Reads a <i>GraphQL-over-HTTP request</i> (query, operationName, variables, extensions) from a
/// JSON body or from URL parameters, and refuses anything else with a 4xx: wrong types, bodies over
/// the limit, JSON that does not parse. The body is read as UTF-8 bytes from the request pipe and
/// parsed in place; it is never turned into one big string.
/// </summary>
internal static class RequestReader
{
    private static readonly InputsJsonConverter InputsConverter = new();
    private static readonly JsonReaderOptions ReaderOptions = new() { MaxDepth = 64 };

    public static async ValueTask<GraphQLRequest> FromBodyAsync(HttpRequest request, long maxBytes, CancellationToken ct)
    {
        if (request.ContentLength > maxBytes) throw TooLarge(maxBytes);

        var pipe = request.BodyReader;
        while (true)
        {
            var read = await pipe.ReadAsync(ct);
            var buffer = read.Buffer;
            if (buffer.Length > maxBytes)
            {
                pipe.AdvanceTo(buffer.End);
                throw TooLarge(maxBytes);
            }
            if (read.IsCompleted)
            {
                try
                {
                    return FromJson(buffer);
                }
                finally
                {
                    pipe.AdvanceTo(buffer.End);
                }
            }
            pipe.AdvanceTo(buffer.Start, buffer.End); // nothing consumed: wait for the rest
        }
    }

    public static GraphQLRequest FromQueryString(IQueryCollection parameters) => new()
    {
        Query = Single(parameters, "query"),
        OperationName = Single(parameters, "operationName"),
        Variables = JsonParameter(parameters, "variables"),
        Extensions = JsonParameter(parameters, "extensions"),
    };

    private static GraphQLRequest FromJson(ReadOnlySequence<byte> body)
    {
        if (body.IsEmpty) throw Invalid(TransportErrorCodes.InvalidJson, "The request body is empty: send a JSON object with a \"query\".");
        if (body.FirstSpan.StartsWith("\uFEFF"u8)) body = body.Slice(3);

        var request = new GraphQLRequest();
        try
        {
            var reader = new Utf8JsonReader(body, ReaderOptions);
            if (!reader.Read()) throw Invalid(TransportErrorCodes.InvalidJson, "The request body is empty: send a JSON object with a \"query\".");
            if (reader.TokenType == JsonTokenType.StartArray)
                throw Invalid(TransportErrorCodes.BatchingNotSupported, "Batched requests (a JSON array) are not supported: send one request per HTTP request.");
            if (reader.TokenType != JsonTokenType.StartObject)
                throw Invalid(TransportErrorCodes.InvalidRequest, "The request body must be a JSON object with a \"query\".");

            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                if (reader.ValueTextEquals("query"u8)) request.Query = ReadString(ref reader, "query");
                else if (reader.ValueTextEquals("operationName"u8)) request.OperationName = ReadString(ref reader, "operationName");
                else if (reader.ValueTextEquals("variables"u8)) request.Variables = ReadMap(ref reader, "variables");
                else if (reader.ValueTextEquals("extensions"u8)) request.Extensions = ReadMap(ref reader, "extensions");
                else if (reader.ValueTextEquals("documentId"u8)) request.DocumentId = ReadString(ref reader, "documentId");
                else
                {
                    reader.Read();
                    reader.Skip(); // other names are reserved by the spec; ignored
                }
            }
            if (reader.TokenType != JsonTokenType.EndObject || reader.Read())
                throw new JsonException("Unexpected content after the request object.");
        }
        catch (JsonException e)
        {
            throw Invalid(TransportErrorCodes.InvalidJson, $"The request body is not valid JSON: {e.Message}");
        }
        return request;
    }

    private static string? ReadString(ref Utf8JsonReader reader, string name)
    {
        reader.Read();
        return reader.TokenType switch
        {
            JsonTokenType.String => GetString(ref reader, name),
            JsonTokenType.Null => null,
            _ => throw Invalid(TransportErrorCodes.InvalidRequest, $"\"{name}\" must be a string."),
        };
    }

    private static string GetString(ref Utf8JsonReader reader, string name)
    {
        try
        {
            return reader.GetString()!;
        }
        catch (InvalidOperationException) // not UTF-8
        {
            throw Invalid(TransportErrorCodes.InvalidJson, $"\"{name}\" is not valid UTF-8.");
        }
    }

    private static Inputs? ReadMap(ref Utf8JsonReader reader, string name)
    {
        reader.Read();
        switch (reader.TokenType)
        {
            case JsonTokenType.Null:
                return null;
            case JsonTokenType.StartObject:
                try
                {
                    return InputsConverter.Read(ref reader, typeof(Inputs), JsonSerializerOptions.Default);
                }
                catch (ArgumentException) // the same key twice
                {
                    throw Invalid(TransportErrorCodes.InvalidRequest, $"\"{name}\" names the same key twice.");
                }
                catch (Exception e) when (e is InvalidOperationException or FormatException or OverflowException)
                {
                    throw Invalid(TransportErrorCodes.InvalidJson, $"\"{name}\" holds a value that cannot be read: {e.Message}");
                }
            default:
                throw Invalid(TransportErrorCodes.InvalidRequest, $"\"{name}\" must be a JSON object (map).");
        }
    }

    private static string? Single(IQueryCollection parameters, string name)
    {
        if (!parameters.TryGetValue(name, out var values) || values.Count == 0) return null;
        if (values.Count > 1) throw Invalid(TransportErrorCodes.InvalidRequest, $"The URL parameter \"{name}\" is given more than once.");
        return values[0] is { Length: > 0 } value ? value : null; // an empty operationName means none (spec)
    }

    private static Inputs? JsonParameter(IQueryCollection parameters, string name)
    {
        if (Single(parameters, name) is not { } json) return null;
        try
        {
            var reader = new Utf8JsonReader(Encoding.UTF8.GetBytes(json), ReaderOptions);
            reader.Read();
            Inputs? value = reader.TokenType switch
            {
                JsonTokenType.Null => null,
                JsonTokenType.StartObject => InputsConverter.Read(ref reader, typeof(Inputs), JsonSerializerOptions.Default),
                _ => throw Invalid(TransportErrorCodes.InvalidRequest, $"The URL parameter \"{name}\" must be a JSON object (map)."),
            };
            if (reader.Read()) throw new JsonException("Unexpected content after the object.");
            return value;
        }
        catch (JsonException e)
        {
            throw Invalid(TransportErrorCodes.InvalidJson, $"The URL parameter \"{name}\" is not valid JSON: {e.Message}");
        }
        catch (ArgumentException)
        {
            throw Invalid(TransportErrorCodes.InvalidRequest, $"The URL parameter \"{name}\" names the same key twice.");
        }
        catch (Exception e) when (e is InvalidOperationException or FormatException or OverflowException)
        {
            throw Invalid(TransportErrorCodes.InvalidJson, $"The URL parameter \"{name}\" holds a value that cannot be read: {e.Message}");
        }
    }

    private static RequestRefusedException Invalid(string code, string message) => new(StatusCodes.Status400BadRequest, code, message);

    private static RequestRefusedException TooLarge(long maxBytes) =>
        new(StatusCodes.Status413PayloadTooLarge, TransportErrorCodes.RequestTooLarge, $"The request body is larger than {maxBytes} bytes.");
}
