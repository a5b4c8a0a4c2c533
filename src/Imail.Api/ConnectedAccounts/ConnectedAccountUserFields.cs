using GraphQL.Types;
using Imail.Api.Auth;
using Imail.Domain.Users;

namespace Imail.Api.ConnectedAccounts;

/// <summary>The fields connected accounts (P4) add to <c>User</c>.</summary>
public static class ConnectedAccountUserFields
{
    public static void AddTo(ObjectGraphType<User> user)
    {
        user.Field<NonNullGraphType<ListGraphType<NonNullGraphType<ConnectedAccountType>>>>("connectedAccounts")
            .Description("The accounts of other services this person connected (P4), oldest first. What each one shared is readable by the person only.")
            .Allow(Roles.User, Roles.Staff)
            .Resolve(ctx => ConnectedAccountLoader.ByUser(ctx, ctx.Source.Id));
    }
}
