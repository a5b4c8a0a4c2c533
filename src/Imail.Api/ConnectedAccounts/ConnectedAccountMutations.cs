using GraphQL.Types;
using Imail.Api.Auth;
using Imail.Api.GraphQL;
using Imail.Domain.Common;
using Imail.Domain.ConnectedAccounts;
using Microsoft.Extensions.Options;

namespace Imail.Api.ConnectedAccounts;

public sealed record SharedFieldInput(string Name, string Value);

public sealed record ConnectAccountInput(string Provider, string ExternalAccountId, List<string> GrantedScopes, List<SharedFieldInput> Profile);

public sealed record DisconnectAccountInput(string Id);

public sealed class ConnectedAccountMutations(TimeProvider clock, IOptions<ConnectedAccountProviders> providers) : IMutationFields
{
    public void AddTo(MutationType mutation)
    {
        mutation.Mutation<ConnectAccountInputType, ConnectAccountInput, Reception>("connectAccount",
            new PayloadGraph<Reception>("ConnectAccountPayload",
                "The answer of `connectAccount`: the connected account and what was not stored, or the typed errors that prevented it.", p => p
                    .Result<ConnectedAccountType>("connectedAccount", "The connected account as now stored. Null when `errors` is not empty.", r => ConnectedAccountView.Of(r.Account))
                    .Result<NonNullGraphType<ListGraphType<NonNullGraphType<StringGraphType>>>>("droppedFields",
                        "The names of the received fields that were not stored because no granted scope covers them. Empty when `errors` is not empty.",
                        r => r.DroppedFields, whenFailed: Array.Empty<string>())),
            "Connects an account of another service to the signed-in person's own account, or replaces the scopes and data of one already connected (P4). Only the profile fields a granted scope covers are stored; the others are dropped before storage and named in `droppedFields`.",
            ["UNKNOWN_PROVIDER", "INVALID_EXTERNAL_ACCOUNT_ID", "INVALID_SCOPE", "DUPLICATE_FIELD", "VALUE_TOO_LONG", "USER_NOT_FOUND",
                "ACCOUNT_RESTRICTED (staff restricted the account from connecting accounts, P11)",
                "POLICY_ACCEPTANCE_REQUIRED (a scope granted is allowed only by a policy version that does not govern the person yet, P13)"],
            async m =>
            {
                var userId = m.UserId ?? throw new UserMustExistRule().Violation();
                var received = (m.Input.Profile ?? []).Select(f => new ReceivedField(f.Name, f.Value)).ToList();
                var db = await m.DbAsync();
                var reception = await new AccountConnections(db, providers.Value, clock)
                    .ConnectAsync(userId, m.Input.Provider, m.Input.ExternalAccountId, m.Input.GrantedScopes ?? [], received, m.Cancellation);
                await db.SaveChangesAsync(m.Cancellation);
                return reception;
            }, retryRaces: true, inputDescription: "What the other service sent after the person's consent.")
            .Allow(Roles.User);

        mutation.Mutation<DisconnectAccountInputType, DisconnectAccountInput, Guid?>("disconnectAccount",
            PayloadGraph<Guid?>.Of<IdGraphType>("DisconnectAccountPayload", "disconnectedAccountId",
                "The id of the account that was disconnected; it and everything received from it are deleted."),
            "Disconnects one of the signed-in person's connected accounts and deletes everything received from it (P4).",
            ["CONNECTED_ACCOUNT_NOT_FOUND (also for an account that is not yours)", "USER_NOT_FOUND"],
            async m =>
            {
                var userId = await m.CallerIdAsync();
                var disconnected = Guid.TryParse(m.Input.Id, out var id)
                    && await new AccountConnections(await m.DbAsync(), providers.Value, clock).DisconnectAsync(userId, id, m.Cancellation);
                Rule.Check(disconnected, new ConnectedAccountNotFoundRule());
                return id;
            }, inputDescription: "Which account to disconnect.")
            .Allow(Roles.User);
    }
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
