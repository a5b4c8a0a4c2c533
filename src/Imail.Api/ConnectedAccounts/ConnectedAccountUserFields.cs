using GraphQL.Types;
using Imail.Domain.Users;

namespace Imail.Api.ConnectedAccounts;

/// <summary>The fields connected accounts (P4) add to <c>User</c>.</summary>
public static class ConnectedAccountUserFields
{
    public static void AddTo(ObjectGraphType<User> user)
    {
    }
}
