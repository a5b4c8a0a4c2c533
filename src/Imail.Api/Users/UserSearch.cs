using GraphQL;
using GraphQL.Types;
using Imail.Domain.Persistence;
using Imail.Domain.Users;
using Microsoft.EntityFrameworkCore;

namespace Imail.Api.Users;

public sealed record UserFilter(
    string? EmailContains,
    UserStatus? Status,
    DateTimeOffset? LastAuthenticatedBefore,
    DateTimeOffset? LastAuthenticatedAfter,
    bool? NeverAuthenticated);

public sealed class UserFilterInputType : InputObjectGraphType<UserFilter>
{
    public UserFilterInputType()
    {
        Name = "UserFilter";
        Description = "Conditions on accounts; all given conditions must hold.";
        Field(f => f.EmailContains, nullable: true).Description("Part of the e-mail address, case-insensitive.");
        Field(f => f.Status, type: typeof(UserStatusType)).Description("The account's status.");
        Field(f => f.LastAuthenticatedBefore, nullable: true).Description("Last authenticated strictly before this instant (never-authenticated accounts excluded).");
        Field(f => f.LastAuthenticatedAfter, nullable: true).Description("Last authenticated at or after this instant.");
        Field(f => f.NeverAuthenticated, nullable: true).Description("True: only accounts with no recorded authentication; false: only those with one.");
    }
}

public sealed class UserConnectionType() : ConnectionType<UserType, User>("User");

internal static class UserSearch
{
    public static Task<Page<User>> PageAsync(IResolveFieldContext ctx)
    {
        var filter = ctx.GetArgument<UserFilter?>("where");
        // UUIDv7 ids sort by creation time, so the id is a stable keyset cursor.
        return KeysetPaging.ByIdAsync(ctx, db => Filtered(db, filter), u => u.Id);
    }

    private static IQueryable<User> Filtered(ImailDbContext db, UserFilter? f)
    {
        var users = db.Users.AsNoTracking();
        if (f is null) return users;
        if (!string.IsNullOrWhiteSpace(f.EmailContains))
        {
            var pattern = "%" + EscapeLike(f.EmailContains.Trim().ToLowerInvariant()) + "%";
            users = users.Where(u => EF.Functions.Like(u.Email, pattern, "\\"));
        }
        if (f.Status is { } status) users = users.Where(u => u.Status == status);
        if (f.LastAuthenticatedBefore is { } before) users = users.Where(u => u.LastAuthenticatedAt < before);
        if (f.LastAuthenticatedAfter is { } since) users = users.Where(u => u.LastAuthenticatedAt >= since);
        if (f.NeverAuthenticated is { } never)
            users = never ? users.Where(u => u.LastAuthenticatedAt == null) : users.Where(u => u.LastAuthenticatedAt != null);
        return users;
    }

    private static string EscapeLike(string s) => s.Replace("\\", "\\\\").Replace("%", "\\%").Replace("_", "\\_");
}
