using GraphQL.Types;
using Imail.Api.Hosting;
using Imail.Api.GraphQL.Http;
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

/// <summary>The mutation-convention payload: <c>{ resultField: T, errors: [UserError!]! }</c>.</summary>
public abstract class PayloadType<T, TGraph> : ObjectGraphType<Payload<T>> where TGraph : IGraphType
{
    protected PayloadType(string name, string resultField, string resultDescription)
    {
        Name = name;
        Description = $"The answer of `{char.ToLowerInvariant(name[0])}{name[1..^"Payload".Length]}`: the result, or the typed errors that prevented it.";
        Field<TGraph>(resultField).Description(resultDescription + " Null when `errors` is not empty.")
            .Resolve(ctx => ctx.Source.Result);
        Field<NonNullGraphType<ListGraphType<NonNullGraphType<UserErrorInterface>>>>("errors")
            .Description("Why the mutation did nothing; empty on success.")
            .Resolve(ctx => ctx.Source.Errors);
        this.AllowAnyone();
    }
}
