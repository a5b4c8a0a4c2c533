using GraphQL;
using GraphQL.Types;
using Imail.Api.Auth;
using Imail.Api.GraphQL;
using Imail.Api.Users;
using Imail.Domain.ConnectedAccounts;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Imail.Api.ConnectedAccounts;

public sealed record SharedFieldInput(string Name, string Value);

public sealed record ConnectAccountInput(string Provider, string ExternalAccountId, List<string> GrantedScopes, List<SharedFieldInput> Profile);

public sealed record DisconnectAccountInput(string Id);

public sealed class ConnectedAccountMutations(TimeProvider clock, IOptions<ConnectedAccountProviders> providers) : IMutationFields
{
    public void AddTo(MutationType mutation)
    {
        mutation.Field<NonNullGraphType<ConnectAccountPayloadType>>("connectAccount")
            .Description("Connects an account of another service to the signed-in person's own account, or replaces the scopes and data of one already connected (P4). Only the profile fields a granted scope covers are stored; the others are dropped before storage and named in `droppedFields`. Errors: `UNKNOWN_PROVIDER`, `INVALID_EXTERNAL_ACCOUNT_ID`, `INVALID_SCOPE`, `DUPLICATE_FIELD`, `VALUE_TOO_LONG`, `USER_NOT_FOUND`.")
            .Argument<NonNullGraphType<ConnectAccountInputType>>("input", "What the other service sent after the person's consent.")
            .Allow(Roles.User)
            .ResolveAsync(async ctx => await Payload.Attempt(async () =>
            {
                var input = ctx.GetArgument<ConnectAccountInput>("input");
                var received = (input.Profile ?? []).Select(f => new ReceivedField(f.Name, f.Value)).ToList();
                if (CurrentUser.Id(ctx.User) is not { } userId) return UserNotFound();
                // Twice at most: a simultaneous first connection of the same account wins the unique index, the other reconnects.
                for (var attempt = 1; ; attempt++)
                {
                    await using var db = await ctx.Db();
                    if (!await db.Users.AnyAsync(u => u.Id == userId, ctx.CancellationToken)) return UserNotFound();
                    var catalogue = providers.Value;
                    var provider = catalogue.Find(input.Provider)?.Name ?? input.Provider;
                    var externalId = input.ExternalAccountId?.Trim() ?? "";
                    var existing = await db.ConnectedAccounts.FirstOrDefaultAsync(
                        a => a.UserId == userId && a.Provider == provider && a.ExternalAccountId == externalId, ctx.CancellationToken);
                    Reception reception;
                    if (existing is null)
                    {
                        reception = ConnectedAccount.Connect(userId, input.Provider, input.ExternalAccountId!, input.GrantedScopes ?? [], received, catalogue, clock);
                        db.ConnectedAccounts.Add(reception.Account);
                    }
                    else
                    {
                        reception = new Reception(existing, existing.Reconnect(input.GrantedScopes ?? [], received, catalogue, clock));
                    }
                    try
                    {
                        await db.SaveChangesAsync(ctx.CancellationToken);
                        return Payload<Reception>.Ok(reception);
                    }
                    catch (DbUpdateException e) when (attempt == 1 && e.InnerException is PostgresException { SqlState: PostgresErrorCodes.UniqueViolation })
                    {
                    }
                    catch (DbUpdateException e) when (e.InnerException is PostgresException { SqlState: PostgresErrorCodes.ForeignKeyViolation })
                    {
                        return UserNotFound(); // the account was erased meanwhile
                    }
                }
            }));

        mutation.Field<NonNullGraphType<DisconnectAccountPayloadType>>("disconnectAccount")
            .Description("Disconnects one of the signed-in person's connected accounts and deletes everything received from it (P4). Errors: `CONNECTED_ACCOUNT_NOT_FOUND` (also for an account that is not yours), `USER_NOT_FOUND`.")
            .Argument<NonNullGraphType<DisconnectAccountInputType>>("input", "Which account to disconnect.")
            .Allow(Roles.User)
            .ResolveAsync(async ctx => await Payload.Attempt(async () =>
            {
                var input = ctx.GetArgument<DisconnectAccountInput>("input");
                if (CurrentUser.Id(ctx.User) is not { } userId) return Payload<Guid?>.Fail(new NotFoundError("USER_NOT_FOUND", "Your account no longer exists."));
                await using var db = await ctx.Db();
                if (!await db.Users.AnyAsync(u => u.Id == userId, ctx.CancellationToken)) return Payload<Guid?>.Fail(new NotFoundError("USER_NOT_FOUND", "Your account no longer exists."));
                if (!Guid.TryParse(input.Id, out var id)) return NotFound();
                // The fields go with the row (ON DELETE CASCADE): one statement, nothing received is left behind.
                var deleted = await db.ConnectedAccounts.Where(a => a.Id == id && a.UserId == userId).ExecuteDeleteAsync(ctx.CancellationToken);
                return deleted == 0 ? NotFound() : Payload<Guid?>.Ok(id);
            }));
    }

    private static Payload<Reception> UserNotFound() =>
        Payload<Reception>.Fail(new NotFoundError("USER_NOT_FOUND", "Your account no longer exists."));

    private static Payload<Guid?> NotFound() =>
        Payload<Guid?>.Fail(new NotFoundError("CONNECTED_ACCOUNT_NOT_FOUND", "You have no connected account with this id."));
}

public sealed class SharedFieldInputType : InputObjectGraphType<SharedFieldInput>
{
    public SharedFieldInputType()
    {
        Name = "SharedFieldInput";
        Description = "One piece of profile data as the other service sent it.";
        Field(f => f.Name).Description("The field's name, as in the provider catalogue (e.g. `displayName`). Each name at most once.");
        Field(f => f.Value).Description("The value; at most 2000 characters when stored.");
    }
}

public sealed class ConnectAccountInputType : InputObjectGraphType<ConnectAccountInput>
{
    public ConnectAccountInputType()
    {
        Name = "ConnectAccountInput";
        Description = "An account of another service, the scopes the person granted, and what the service sent.";
        Field(i => i.Provider).Description("A provider name from `connectedAccountProviders` (case-insensitive).");
        Field(i => i.ExternalAccountId).Description("The account's id at the other service, 1 to 200 characters. Connecting the same id again replaces the grant and the data.");
        Field(i => i.GrantedScopes, type: typeof(NonNullGraphType<ListGraphType<NonNullGraphType<StringGraphType>>>))
            .Description("The scopes the person granted; each must be one of the provider's scopes (else `INVALID_SCOPE`).");
        Field(i => i.Profile, type: typeof(NonNullGraphType<ListGraphType<NonNullGraphType<SharedFieldInputType>>>))
            .Description("Everything the service sent; fields no granted scope covers are not stored.");
    }
}

public sealed class DisconnectAccountInputType : InputObjectGraphType<DisconnectAccountInput>
{
    public DisconnectAccountInputType()
    {
        Name = "DisconnectAccountInput";
        Description = "Which connected account to disconnect.";
        Field(i => i.Id, type: typeof(NonNullGraphType<IdGraphType>)).Description("The `ConnectedAccount.id`.");
    }
}

public sealed class ConnectAccountPayloadType : ObjectGraphType<Payload<Reception>>
{
    public ConnectAccountPayloadType()
    {
        Name = "ConnectAccountPayload";
        Description = "The answer of `connectAccount`: the connected account and what was not stored, or the typed errors that prevented it.";
        Field<ConnectedAccountType>("connectedAccount")
            .Description("The connected account as now stored. Null when `errors` is not empty.")
            .Resolve(ctx => ctx.Source.Result?.Account);
        Field<NonNullGraphType<ListGraphType<NonNullGraphType<StringGraphType>>>>("droppedFields")
            .Description("The names of the received fields that were not stored because no granted scope covers them. Empty when `errors` is not empty.")
            .Resolve(ctx => ctx.Source.Result?.DroppedFields ?? []);
        Field<NonNullGraphType<ListGraphType<NonNullGraphType<UserErrorInterface>>>>("errors")
            .Description("Why the mutation did nothing; empty on success.")
            .Resolve(ctx => ctx.Source.Errors);
        this.AllowAnyone();
    }
}

public sealed class DisconnectAccountPayloadType() : PayloadType<Guid?, IdGraphType>("DisconnectAccountPayload", "disconnectedAccountId",
    "The id of the account that was disconnected; it and everything received from it are deleted.");
