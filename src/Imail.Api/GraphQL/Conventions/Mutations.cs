using GraphQL;
using GraphQL.Builders;
using GraphQL.Types;
using Imail.Domain.Common;
using Imail.Domain.Persistence;
using Imail.Domain.Users;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace Imail.Api.GraphQL.Conventions;

/// <summary>What a unique index refusing the write means to the client, when it can only mean one thing.</summary>
public sealed record Conflict(string Code, string Message, string? Field = null);

/// <summary>
/// The one shape of a mutation (STYLE.md, mutation conventions): <c>name(input: XInput!): XPayload!</c>.
/// Declared once — name, payload, description, the typed error codes it can return — it does the
/// common work: reads <c>input</c>, gives the resolver a <see cref="MutationContext{TInput}"/>
/// (the input, the caller, a DbContext of its own), turns a broken domain rule into a typed error
/// in the payload, a unique violation into the declared <see cref="Conflict"/>, a foreign key to an
/// account erased meanwhile into <c>USER_NOT_FOUND</c>, and, when asked, runs again on fresh data
/// after losing a race. Who may call it is declared on the returned builder
/// (<c>.Allow(…)</c>, <c>.AllowAnyone()</c>, <c>.GrantsResult()</c>, <c>.RateLimited(…)</c>).
/// </summary>
public static class Mutations
{
    private const int RaceAttempts = 3;

    /// <param name="root">The <c>Mutation</c> type.</param>
    /// <param name="name">The field's name, e.g. <c>declareCookie</c>.</param>
    /// <param name="payload">What it answers; one instance may serve several mutations.</param>
    /// <param name="description">What it does, for the schema (the error list is appended).</param>
    /// <param name="errors">The codes the payload's <c>errors</c> can carry, each optionally followed by a note in brackets (<c>"TOO_MANY_EVENTS (over 50)"</c>); listed at the end of the description.</param>
    /// <param name="resolve">The mutation's own work: returns the result, or throws a domain rule.</param>
    /// <param name="onUniqueViolation">The conflict a unique index refusing the write means, if any.</param>
    /// <param name="retryRaces">Run again on fresh data after losing a race (concurrency token, unique index, serialization), up to three times.</param>
    /// <param name="inputDescription">The <c>input</c> argument's description, if any.</param>
    public static FieldBuilder<object?, object> Mutation<TInputGraph, TInput, T>(this ObjectGraphType root, string name, PayloadGraph<T> payload,
        string description, string[] errors, Func<MutationContext<TInput>, Task<T>> resolve,
        Conflict? onUniqueViolation = null, bool retryRaces = false, string? inputDescription = null)
        where TInputGraph : IInputObjectGraphType
    {
        var field = root.Field(name, new NonNullGraphType(payload))
            .Description(errors.Length == 0 ? description : $"{description} Errors: {string.Join(", ", errors.Select(Listed))}.");
        field.Argument<NonNullGraphType<TInputGraph>>("input", inputDescription);
        return field.ResolveAsync(async ctx =>
        {
            var input = ctx.GetArgument<TInput>("input");
            for (var attempt = 1; ; attempt++)
            {
                await using var context = new MutationContext<TInput>(ctx, input);
                try
                {
                    return await Payload.Attempt(async () => Payload<T>.Ok(await resolve(context)));
                }
                catch (Exception e) when (retryRaces && attempt < RaceAttempts && IsRace(e))
                {
                }
                catch (Exception e) when (retryRaces && IsRace(e))
                {
                    return Payload<T>.Fail(new ConflictError("CONCURRENT_DECISIONS",
                        "Other changes to the same data were being made at the same moment: send yours again.", null));
                }
                catch (Exception e) when (onUniqueViolation is not null && Is(e, PostgresErrorCodes.UniqueViolation))
                {
                    return Payload<T>.Fail(new ConflictError(onUniqueViolation.Code, onUniqueViolation.Message, onUniqueViolation.Field));
                }
                catch (Exception e) when (Is(e, PostgresErrorCodes.ForeignKeyViolation) && context.UserId is not null)
                {
                    return Payload<T>.Fail(UserErrors.From(new UserMustExistRule().Violation()));
                }
            }
        });
    }

    /// <summary><c>`CODE`</c>, or <c>`CODE` (note)</c>.</summary>
    private static string Listed(string error)
    {
        var space = error.IndexOf(' ');
        return space < 0 ? $"`{error}`" : $"`{error[..space]}`{error[space..]}";
    }

    private static bool IsRace(Exception e) =>
        e is DbUpdateConcurrencyException || Is(e, PostgresErrorCodes.UniqueViolation) || Is(e, PostgresErrorCodes.SerializationFailure);

    private static bool Is(Exception e, string sqlState) =>
        e is PostgresException p && p.SqlState == sqlState || e.InnerException is PostgresException i && i.SqlState == sqlState;
}

/// <summary>What a mutation's resolver works with: its input, its caller, and a DbContext of its own (opened on first use).</summary>
public sealed class MutationContext<TInput>(IResolveFieldContext field, TInput input) : IAsyncDisposable
{
    private ImailDbContext? _db;

    public TInput Input { get; } = input;
    public IResolveFieldContext Field { get; } = field;
    public CancellationToken Cancellation => Field.CancellationToken;

    /// <summary>The account of a <c>user</c> token; null for anyone else.</summary>
    public Guid? UserId { get; } = CurrentUser.Id(field.User);

    public async Task<ImailDbContext> DbAsync() => _db ??= await Field.Db();

    /// <summary>The signed-in person's account, tracked; <c>USER_NOT_FOUND</c> when it no longer exists.</summary>
    public async Task<User> CallerAsync()
    {
        var db = await DbAsync();
        return UserId is { } id && await db.Users.FirstOrDefaultAsync(u => u.Id == id, Cancellation) is { } user
            ? user
            : throw new UserMustExistRule().Violation();
    }

    /// <summary>The signed-in person's account id, once it is known to exist; <c>USER_NOT_FOUND</c> otherwise.</summary>
    public async Task<Guid> CallerIdAsync()
    {
        var db = await DbAsync();
        Rule.Check(UserId is { } id && await db.Users.AnyAsync(u => u.Id == id, Cancellation), new UserMustExistRule());
        return UserId!.Value;
    }

    public async ValueTask DisposeAsync()
    {
        if (_db is not null) await _db.DisposeAsync();
    }
}

/// <summary>
/// A payload type, <c>{ result fields…, errors: [UserError!]! }</c>, declared once and shared by
/// the mutations that answer it. Result fields read the result, and are null (or the given
/// fallback) when <c>errors</c> is not empty.
/// </summary>
public sealed class PayloadGraph<T> : ObjectGraphType<Payload<T>>
{
    /// <param name="name">The type's name, e.g. <c>DeclareCookiePayload</c>.</param>
    /// <param name="description">The type's description.</param>
    /// <param name="results">Declares the result fields (<see cref="Result{TGraph}(string,string,Func{T,object?})"/>); they come before <c>errors</c>.</param>
    /// <param name="errorsDescription">What an empty <c>errors</c> means, when "the mutation did nothing" would mislead.</param>
    public PayloadGraph(string name, string description, Action<PayloadGraph<T>> results, string errorsDescription = "Why the mutation did nothing; empty on success.")
    {
        Name = name;
        Description = description;
        results(this);
        Field<NonNullGraphType<ListGraphType<NonNullGraphType<UserErrorInterface>>>>("errors")
            .Description(errorsDescription)
            .Resolve(ctx => ctx.Source.Errors);
        this.AllowAnyone();
    }

    /// <summary>The usual payload of one result: <c>The answer of `x`: the result, or the typed errors that prevented it.</c></summary>
    public static PayloadGraph<T> Of<TGraph>(string name, string resultField, string resultDescription) where TGraph : IGraphType =>
        new(name, $"The answer of `{char.ToLowerInvariant(name[0])}{name[1..^"Payload".Length]}`: the result, or the typed errors that prevented it.",
            p => p.Result<TGraph>(resultField, resultDescription + " Null when `errors` is not empty.", r => r));

    /// <summary>A result field; null when <c>errors</c> is not empty.</summary>
    public PayloadGraph<T> Result<TGraph>(string field, string description, Func<T, object?> value) where TGraph : IGraphType
    {
        Field<TGraph>(field).Description(description).Resolve(ctx => ctx.Source.Result is { } result ? value(result) : null);
        return this;
    }

    /// <summary>A result field that is never null: <paramref name="whenFailed"/> when <c>errors</c> is not empty.</summary>
    public PayloadGraph<T> Result<TGraph>(string field, string description, Func<T, object?> value, object whenFailed) where TGraph : IGraphType
    {
        Field<TGraph>(field).Description(description).Resolve(ctx => ctx.Source.Result is { } result ? value(result) : whenFailed);
        return this;
    }
}
