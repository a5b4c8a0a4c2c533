using GraphQL;
using GraphQL.Types;
using Imail.Api.Auth;
using Imail.Api.GraphQL;
using Imail.Api.Users;
using Imail.Domain.Consents;
using Imail.Domain.Persistence;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace Imail.Api.Consents;

public sealed record DeclareCookieInput(string Name, ConsentPurpose Purpose, string Provider, string Description, int LifetimeMonths, int LifetimeDays);

public sealed record UpdateCookieInput(string Name, string? NewName, ConsentPurpose? Purpose, string? Provider, string? Description,
    int? LifetimeMonths, int? LifetimeDays);

public sealed record RemoveCookieInput(string Name);

public sealed class CookieMutations(TimeProvider clock) : IMutationFields
{
    public void AddTo(MutationType mutation)
    {
        mutation.Field<NonNullGraphType<DeclareCookiePayloadType>>("declareCookie")
            .Description("Adds a cookie to the public registry (staff). A lifetime that could run past 13 months from the first deposit is refused (P5). Errors: `INVALID_COOKIE_NAME`, `INVALID_PURPOSE`, `INVALID_PROVIDER`, `INVALID_DESCRIPTION`, `INVALID_LIFETIME`, `LIFETIME_TOO_LONG`, `COOKIE_NAME_TAKEN`.")
            .Argument<NonNullGraphType<DeclareCookieInputType>>("input", "The cookie to declare.")
            .Allow(Roles.Staff)
            .ResolveAsync(async ctx => await Payload.Attempt(async () =>
            {
                var input = ctx.GetArgument<DeclareCookieInput>("input");
                var cookie = Cookie.Declare(input.Name, input.Purpose, input.Provider, input.Description, input.LifetimeMonths, input.LifetimeDays, clock);
                await using var db = await ctx.Db();
                if (await db.Cookies.AnyAsync(c => c.Name == cookie.Name, ctx.CancellationToken)) return NameTaken(cookie.Name, "name");
                db.Cookies.Add(cookie);
                return await SaveAsync(db, cookie, "name", ctx.CancellationToken);
            }));

        mutation.Field<NonNullGraphType<UpdateCookiePayloadType>>("updateCookie")
            .Description("Changes a cookie of the registry (staff); omitted fields stay as they are. Errors: `INVALID_COOKIE_NAME`, `INVALID_PURPOSE`, `INVALID_PROVIDER`, `INVALID_DESCRIPTION`, `INVALID_LIFETIME`, `LIFETIME_TOO_LONG`, `COOKIE_NAME_TAKEN`, `COOKIE_NOT_FOUND`.")
            .Argument<NonNullGraphType<UpdateCookieInputType>>("input", "The cookie to change and its new values.")
            .Allow(Roles.Staff)
            .ResolveAsync(async ctx => await Payload.Attempt(async () =>
            {
                var input = ctx.GetArgument<UpdateCookieInput>("input");
                await using var db = await ctx.Db();
                var name = Cookie.CheckName(input.Name);
                var cookie = await db.Cookies.FirstOrDefaultAsync(c => c.Name == name, ctx.CancellationToken);
                if (cookie is null) return NotFound(input.Name);
                cookie.Update(input.NewName, input.Purpose, input.Provider, input.Description, input.LifetimeMonths, input.LifetimeDays, clock);
                if (await db.Cookies.AnyAsync(c => c.Name == cookie.Name && c.Id != cookie.Id, ctx.CancellationToken))
                    return NameTaken(cookie.Name, "newName");
                return await SaveAsync(db, cookie, "newName", ctx.CancellationToken);
            }));

        mutation.Field<NonNullGraphType<RemoveCookiePayloadType>>("removeCookie")
            .Description("Removes a cookie the sites no longer deposit from the registry (staff). Errors: `COOKIE_NOT_FOUND`, `SYSTEM_COOKIE` (the consent and session cookies Imail deposits itself).")
            .Argument<NonNullGraphType<RemoveCookieInputType>>("input", "The cookie to remove.")
            .Allow(Roles.Staff)
            .ResolveAsync(async ctx => await Payload.Attempt(async () =>
            {
                var input = ctx.GetArgument<RemoveCookieInput>("input");
                await using var db = await ctx.Db();
                var name = Cookie.CheckName(input.Name);
                var cookie = await db.Cookies.FirstOrDefaultAsync(c => c.Name == name, ctx.CancellationToken);
                if (cookie is null) return NotFound(input.Name);
                cookie.CheckRemovable();
                db.Cookies.Remove(cookie);
                await db.SaveChangesAsync(ctx.CancellationToken);
                return Payload<Cookie>.Ok(cookie);
            }));
    }

    private static async Task<Payload<Cookie>> SaveAsync(ImailDbContext db, Cookie cookie, string field, CancellationToken ct)
    {
        try
        {
            await db.SaveChangesAsync(ct);
            return Payload<Cookie>.Ok(cookie);
        }
        catch (DbUpdateException e) when (e.InnerException is PostgresException { SqlState: PostgresErrorCodes.UniqueViolation })
        {
            return NameTaken(cookie.Name, field); // two declarations raced past the check: the unique index decides
        }
    }

    private static Payload<Cookie> NameTaken(string name, string field) =>
        Payload<Cookie>.Fail(new ConflictError("COOKIE_NAME_TAKEN", $"The registry already has a cookie named '{name}'.", field));

    private static Payload<Cookie> NotFound(string name) =>
        Payload<Cookie>.Fail(new NotFoundError("COOKIE_NOT_FOUND", $"The registry has no cookie named {Imail.Domain.Common.Excerpt.Quote(name.Trim())}."));
}

public sealed class DeclareCookieInputType : InputObjectGraphType<DeclareCookieInput>
{
    public DeclareCookieInputType()
    {
        Name = "DeclareCookieInput";
        Description = "A cookie for the registry. Texts are trimmed.";
        Field(i => i.Name).Description("1 to 100 characters allowed in a cookie name (RFC 6265 token); unique in the registry.");
        Field(i => i.Purpose, type: typeof(NonNullGraphType<ConsentPurposeType>)).Description("What it is for.");
        Field(i => i.Provider).Description("Who deposits and reads it, 1 to 100 characters.");
        Field(i => i.Description).Description("What it holds and does, 1 to 1000 characters.");
        Field(i => i.LifetimeMonths).Description("Lifetime from the first deposit, whole months (0 and 0 days: a session cookie).");
        Field(i => i.LifetimeDays).Description("Days after the months; months then days must end within 13 months of any deposit date (12 months + 28 days fits, 12 months + 29 days does not).");
    }
}

public sealed class UpdateCookieInputType : InputObjectGraphType<UpdateCookieInput>
{
    public UpdateCookieInputType()
    {
        Name = "UpdateCookieInput";
        Description = "Changes to a cookie of the registry; omitted fields stay as they are.";
        Field(i => i.Name).Description("The cookie to change, by its current name.");
        Field(i => i.NewName, nullable: true).Description("A new name (RFC 6265 token, unique in the registry).");
        Field(i => i.Purpose, type: typeof(ConsentPurposeType)).Description("A new purpose.");
        Field(i => i.Provider, nullable: true).Description("A new provider, 1 to 100 characters.");
        Field(i => i.Description, nullable: true).Description("A new description, 1 to 1000 characters.");
        Field(i => i.LifetimeMonths, nullable: true).Description("New lifetime months.");
        Field(i => i.LifetimeDays, nullable: true).Description("New lifetime days; the whole lifetime stays within 13 months from any deposit date.");
    }
}

public sealed class RemoveCookieInputType : InputObjectGraphType<RemoveCookieInput>
{
    public RemoveCookieInputType()
    {
        Name = "RemoveCookieInput";
        Description = "The cookie to take out of the registry.";
        Field(i => i.Name).Description("The cookie's name.");
    }
}

public sealed class DeclareCookiePayloadType() : PayloadType<Cookie, CookieType>("DeclareCookiePayload", "cookie", "The cookie as declared.");

public sealed class UpdateCookiePayloadType() : PayloadType<Cookie, CookieType>("UpdateCookiePayload", "cookie", "The cookie as it now is.");

public sealed class RemoveCookiePayloadType() : PayloadType<Cookie, CookieType>("RemoveCookiePayload", "cookie", "The cookie as it was.");
