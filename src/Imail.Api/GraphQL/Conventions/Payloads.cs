using Imail.Api.GraphQL.Http;
using Imail.Api.Hosting;
using Imail.Domain.Common;

namespace Imail.Api.GraphQL.Conventions;

/// <summary>What a mutation answers: its result, or the expected failures that prevented it.</summary>
public sealed record Payload<T>(T? Result, IReadOnlyList<UserError> Errors)
{
    public static Payload<T> Ok(T result) => new(result, []);
    public static Payload<T> Fail(params UserError[] errors) => new(default, errors);
}

public static class Payload
{
    /// <summary>
    /// Runs a mutation's work; a broken rule becomes a typed error in the payload, never a 500. A
    /// database that is away is no fault of the input: it becomes the top-level
    /// <c>SERVICE_UNAVAILABLE</c> error, which tells the client to send the same mutation again.
    /// </summary>
    public static async Task<Payload<T>> Attempt<T>(Func<Task<Payload<T>>> work)
    {
        try
        {
            return await work();
        }
        catch (RuleViolation violation)
        {
            return Payload<T>.Fail(UserErrors.From(violation));
        }
        catch (Exception e) when (DatabaseOutage.Is(e))
        {
            throw new ServiceUnavailableError(e);
        }
    }
}
