using GraphQL.Types;
using Imail.Domain.Users;

namespace Imail.Api.Consents;

/// <summary>The fields consents (P5) add to <c>User</c>.</summary>
public static class ConsentUserFields
{
    public static void AddTo(ObjectGraphType<User> user)
    {
    }
}
