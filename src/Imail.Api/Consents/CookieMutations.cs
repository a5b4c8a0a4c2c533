using GraphQL.Types;
using Imail.Api.Auth;
using Imail.Api.GraphQL;
using Imail.Domain.Common;
using Imail.Domain.Consents;
using Microsoft.EntityFrameworkCore;


namespace Imail.Api.Consents;

public sealed record DeclareCookieInput(string Name, ConsentPurpose Purpose, string Provider, string Description, int LifetimeMonths, int LifetimeDays);

public sealed record UpdateCookieInput(string Name, string? NewName, ConsentPurpose? Purpose, string? Provider, string? Description,
    int? LifetimeMonths, int? LifetimeDays);

public sealed record RemoveCookieInput(string Name);

public sealed class CookieMutations(TimeProvider clock) : IMutationFields
{
    private static readonly Conflict NameTaken = new("COOKIE_NAME_TAKEN", "The registry already has a cookie with this name.", "name");

    public void AddTo(MutationType mutation)
    {
        mutation.Mutation<DeclareCookieInputType, DeclareCookieInput, Cookie>("declareCookie",
            PayloadGraph<Cookie>.Of<CookieType>("DeclareCookiePayload", "cookie", "The cookie as declared."),
            "Adds a cookie to the public registry (staff). A lifetime that could run past 13 months from the first deposit is refused (P5).",
            ["INVALID_COOKIE_NAME", "INVALID_PURPOSE", "INVALID_PROVIDER", "INVALID_DESCRIPTION", "INVALID_LIFETIME", "LIFETIME_TOO_LONG", "COOKIE_NAME_TAKEN"],
            async m =>
            {
                var i = m.Input;
                var cookie = Cookie.Declare(i.Name, i.Purpose, i.Provider, i.Description, i.LifetimeMonths, i.LifetimeDays, clock.GetUtcNow());
                var db = await m.DbAsync();
                await CheckNameFreeAsync(m, cookie, "name");
                db.Cookies.Add(cookie);
                await db.SaveChangesAsync(m.Cancellation);
                return cookie;
            }, onUniqueViolation: NameTaken, inputDescription: "The cookie to declare.")
            .Allow(Roles.Staff);

        mutation.Mutation<UpdateCookieInputType, UpdateCookieInput, Cookie>("updateCookie",
            PayloadGraph<Cookie>.Of<CookieType>("UpdateCookiePayload", "cookie", "The cookie as it now is."),
            "Changes a cookie of the registry (staff); omitted fields stay as they are.",
            ["INVALID_COOKIE_NAME", "INVALID_PURPOSE", "INVALID_PROVIDER", "INVALID_DESCRIPTION", "INVALID_LIFETIME", "LIFETIME_TOO_LONG", "COOKIE_NAME_TAKEN", "COOKIE_NOT_FOUND"],
            async m =>
            {
                var i = m.Input;
                var cookie = await FindAsync(m, i.Name);
                cookie.Update(i.NewName, i.Purpose, i.Provider, i.Description, i.LifetimeMonths, i.LifetimeDays, clock.GetUtcNow());
                await CheckNameFreeAsync(m, cookie, "newName");
                await (await m.DbAsync()).SaveChangesAsync(m.Cancellation);
                return cookie;
            }, onUniqueViolation: NameTaken with { Field = "newName" }, inputDescription: "The cookie to change and its new values.")
            .Allow(Roles.Staff);

        mutation.Mutation<RemoveCookieInputType, RemoveCookieInput, Cookie>("removeCookie",
            PayloadGraph<Cookie>.Of<CookieType>("RemoveCookiePayload", "cookie", "The cookie as it was."),
            "Removes a cookie the sites no longer deposit from the registry (staff).",
            ["COOKIE_NOT_FOUND", "SYSTEM_COOKIE (the consent and session cookies Imail deposits itself)"],
            async m =>
            {
                var cookie = await FindAsync(m, m.Input.Name);
                cookie.CheckRemovable();
                var db = await m.DbAsync();
                db.Cookies.Remove(cookie);
                await db.SaveChangesAsync(m.Cancellation);
                return cookie;
            }, inputDescription: "The cookie to remove.")
            .Allow(Roles.Staff);
    }

    private static async Task<Cookie> FindAsync<TInput>(MutationContext<TInput> m, string rawName)
    {
        var name = Cookie.CheckName(rawName);
        var db = await m.DbAsync();
        return Rule.Found(await db.Cookies.FirstOrDefaultAsync(c => c.Name == name, m.Cancellation),
            "COOKIE_NOT_FOUND", $"The registry has no cookie named {Excerpt.Quote(name)}.");
    }

    private static async Task CheckNameFreeAsync<TInput>(MutationContext<TInput> m, Cookie cookie, string field)
    {
        var db = await m.DbAsync();
        Rule.Unique(!await db.Cookies.AnyAsync(c => c.Name == cookie.Name && c.Id != cookie.Id, m.Cancellation),
            "COOKIE_NAME_TAKEN", $"The registry already has a cookie named '{cookie.Name}'.", field);
    }
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
