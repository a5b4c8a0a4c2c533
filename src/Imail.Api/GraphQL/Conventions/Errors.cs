using GraphQL.Types;
using Imail.Domain.Common;

namespace Imail.Api.GraphQL.Conventions;

/// <summary>An expected failure of a mutation, returned in its payload's <c>errors</c>.</summary>
public abstract record UserError(string Code, string Message);

/// <summary>Input that breaks a rule (shape, length, allowed values).</summary>
public sealed record InputError(string Code, string Message, string? Field) : UserError(Code, Message);

/// <summary>Input that clashes with what exists (a taken e-mail address, an existing code).</summary>
public sealed record ConflictError(string Code, string Message, string? Field) : UserError(Code, Message);

/// <summary>The caller may not do this: staff restricted the account (P11).</summary>
public sealed record ForbiddenError(string Code, string Message) : UserError(Code, Message);

/// <summary>What the mutation acts on does not exist (or is not yours to see).</summary>
public sealed record NotFoundError(string Code, string Message) : UserError(Code, Message);

public static class UserErrors
{
    public static UserError From(RuleViolation violation) => violation.Kind switch
    {
        RuleKind.Conflict => new ConflictError(violation.Code, violation.Message, violation.Field),
        RuleKind.NotFound => new NotFoundError(violation.Code, violation.Message),
        RuleKind.Forbidden => new ForbiddenError(violation.Code, violation.Message),
        _ => new InputError(violation.Code, violation.Message, violation.Field),
    };
}

public sealed class UserErrorInterface : InterfaceGraphType<UserError>
{
    public UserErrorInterface()
    {
        Name = "UserError";
        Description = "An expected failure of a mutation: a stable `code` to branch on and a `message` to show.";
        Field(e => e.Code).Description("Stable, machine-readable code, e.g. `INVALID_EMAIL`.");
        Field(e => e.Message).Description("Human-readable explanation, in English.");
        this.AllowAnyone();
    }
}

/// <summary>A typed error of a payload in one line: its code and message, and the input field at fault when it has one.</summary>
public abstract class UserErrorType<TError> : ObjectGraphType<TError> where TError : UserError
{
    protected UserErrorType(string name, string description, Func<TError, string?>? field = null)
    {
        Name = name;
        Description = description;
        Field(e => e.Code).Description("Stable, machine-readable code.");
        Field(e => e.Message).Description("Human-readable explanation.");
        if (field is not null)
            Field<StringGraphType>("field").Description("The input field at fault, as named in the schema.").Resolve(ctx => field(ctx.Source));
        Interface<UserErrorInterface>();
        this.AllowAnyone();
    }
}

public sealed class InputErrorType() : UserErrorType<InputError>("InputError", "The input breaks a rule; `field` names the input field at fault.", e => e.Field);

public sealed class ConflictErrorType() : UserErrorType<ConflictError>("ConflictError", "The input clashes with existing data (e.g. an e-mail address already in use).", e => e.Field);

public sealed class NotFoundErrorType() : UserErrorType<NotFoundError>("NotFoundError", "What the mutation acts on does not exist.");

public sealed class ForbiddenErrorType() : UserErrorType<ForbiddenError>("ForbiddenError", "The account may not do this: the publisher restricted it under the terms of service (P11).");
