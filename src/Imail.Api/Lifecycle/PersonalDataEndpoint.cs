using Imail.Api.Auth;
using Imail.Api.Hosting;
using Imail.Domain.Common;
using Imail.Domain.Lifecycle;
using Imail.Domain.Persistence;
using Microsoft.EntityFrameworkCore;

namespace Imail.Api.Lifecycle;

/// <summary>
/// <c>GET /personal-data</c>: the person's copy of everything held about them (GDPR art. 15 and 20), one
/// JSON document to download, built by <see cref="PersonalDataExport"/> from the same catalogue as erasure.
/// A <c>user</c> token gets its own; a <c>staff</c> token gets anyone's (<c>?userId=…&amp;reason=…</c>, for a
/// request made by post), and the export lands in the audit trail. Errors have the API's shape:
/// <c>{"errors":[{"message","extensions":{"code"}}]}</c>.
/// </summary>
public static class PersonalDataEndpoint
{
    public const string Path = "/personal-data";

    public static WebApplication MapPersonalDataExport(this WebApplication app)
    {
        app.MapGet(Path, ExportAsync);
        return app;
    }

    private static async Task<IResult> ExportAsync(HttpContext http, IDbContextFactory<ImailDbContext> dbs, PersonalDataCatalogue catalogue,
        TimeProvider clock, string? userId, string? reason, CancellationToken ct)
    {
        var principal = http.User;
        if (principal.Identity?.IsAuthenticated != true)
            return Error(StatusCodes.Status401Unauthorized, "AUTH_REQUIRED", "Sign in to download your data (Authorization: Bearer …).");

        Guid account;
        string? staff = null;
        if (principal.IsInRole(Roles.User) && Guid.TryParse(principal.FindFirst("sub")?.Value, out var own))
        {
            if (userId is not null && userId != own.ToString())
                return Error(StatusCodes.Status403Forbidden, "FORBIDDEN", "A person downloads their own data only: leave out userId.");
            account = own;
        }
        else if (principal.IsInRole(Roles.Staff))
        {
            if (!Guid.TryParse(userId, out account))
                return Error(StatusCodes.Status400BadRequest, "INVALID_USER_ID", "Staff name the account: ?userId=<the account's id>.");
            staff = principal.FindFirst("sub")?.Value ?? "staff";
        }
        else
        {
            return Error(StatusCodes.Status403Forbidden, "FORBIDDEN", "Only the person (user token) or staff can download personal data.");
        }

        await using var db = await dbs.CreateDbContextAsync(ct);
        try
        {
            if (staff is not null)
            {
                // Staff say why: the audit trail keeps who produced whose data, when and why (P11).
                var why = StaffAction.CheckReason(reason);
                var subject = await db.Users.Where(u => u.Id == account).Select(u => (Guid?)u.AuditRef).SingleOrDefaultAsync(ct);
                Rule.Check(subject is not null, new AccountNotFoundRule());
                db.StaffActions.Add(StaffAction.Record(staff, StaffActionKind.PersonalDataExported, subject!.Value, why, null, clock.GetUtcNow()));
                await db.SaveChangesAsync(ct);
            }
            var document = await new PersonalDataExport(db, catalogue, clock).ForAsync(account, ct);
            http.Response.Headers.CacheControl = "no-store";
            http.Response.Headers.ContentDisposition = $"attachment; filename=\"imail-personal-data-{document.GeneratedAt:yyyy-MM-dd}.json\"";
            return Results.Text(document.ToJson(), "application/json; charset=utf-8");
        }
        catch (RuleViolation e) when (e.Kind == RuleKind.NotFound)
        {
            return Error(StatusCodes.Status404NotFound, e.Code, e.Message);
        }
        catch (RuleViolation e)
        {
            return Error(StatusCodes.Status400BadRequest, e.Code, e.Message);
        }
        catch (Exception e) when (DatabaseOutage.Is(e))
        {
            http.Response.Headers.RetryAfter = "5";
            return Error(StatusCodes.Status503ServiceUnavailable, "SERVICE_UNAVAILABLE", "The database is not reachable; try again shortly.");
        }
    }

    private static IResult Error(int status, string code, string message) =>
        Results.Json(new { errors = new[] { new { message, extensions = new { code } } } }, statusCode: status);
}
