using GraphQL.Types;
using Imail.Api.Auth;
using Imail.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace Imail.Api.Tests.Auth;

/// <summary>
/// R5, complete by construction: every root field of the schema × every kind of caller
/// (anonymous, the person themselves, another person naming the first one's ids, a partner,
/// staff), expected from the field's own declaration (<c>.Allow(…)</c>, <c>.AllowAnyone()</c>;
/// nothing declared is nobody). A new field is covered the day it is added. Field-level cases
/// below the root (what staff may not read inside an account) are in <see cref="AccessTests"/>.
/// </summary>
public sealed class AccessMatrixTests(ImailApiFactory api) : IClassFixture<ImailApiFactory>
{
    private static readonly string[] AccessCodes = ["AUTH_NOT_AUTHENTICATED", "ACCESS_DENIED"];

    [Fact]
    public async Task R5_EveryRootField_AnswersExactlyTheCallersItDeclares()
    {
        var person = await api.CreateUserAsync($"{Guid.NewGuid():N}@example.org");
        var other = await api.CreateUserAsync($"{Guid.NewGuid():N}@example.org");
        // Staff act on an account of their own: restrictAccount (SIGN_IN) and terminateAccount would
        // otherwise take the person's account away from the rows that follow.
        var staffTarget = await api.CreateUserAsync($"{Guid.NewGuid():N}@example.org");
        var callers = new (string Name, string? Role, string? Token)[]
        {
            ("anonymous", null, null),
            ("the person", Roles.User, api.UserToken(person.Id)),
            ("another person", Roles.User, api.UserToken(other.Id)),
            ("partner", Roles.Partner, api.Token(Roles.Partner, "partner-test")),
            ("staff", Roles.Staff, api.StaffToken()),
        };
        var roots = SchemaRequests.RootFields(api.Services.GetRequiredService<ISchema>()).ToList();
        Assert.True(roots.Count >= 25, $"Only {roots.Count} root fields found.");
        var failures = new List<string>();

        foreach (var root in roots)
        {
            var declared = root.Field.GetMetadata<string[]>("imail:allow") ?? [];
            foreach (var (name, role, token) in callers)
            {
                var allowed = declared.Contains(Roles.Anyone) || role is not null && declared.Contains(role);
                // Every id the request names is the person's: another person must not get anything of theirs.
                var target = role == Roles.Staff ? staffTarget : person;
                var (query, variables) = SchemaRequests.Request(root, id: () => target.Id.ToString());
                var response = await api.GraphQLAsync(query, variables, token);
                var codes = response.ErrorCodes.ToList();
                string? problem = allowed
                    ? codes.Intersect(AccessCodes).Any() ? $"refused ({string.Join(", ", codes)})" : null
                    : response.Data is not null ? "answered with data"
                    : !codes.Contains(role is null ? "AUTH_NOT_AUTHENTICATED" : "ACCESS_DENIED") ? $"refused without the access code ({string.Join(", ", codes)})"
                    : response.Status != (role is null ? 401 : 403) ? $"HTTP {response.Status}"
                    : null;
                if (problem is not null) failures.Add($"{root} as {name} (declared: {string.Join(", ", declared)}): {problem}");
            }
        }

        Assert.True(failures.Count == 0, string.Join("\n", failures));
    }
}
