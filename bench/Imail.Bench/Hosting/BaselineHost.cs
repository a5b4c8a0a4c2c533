using System.Net;
using System.Text.Json;
using System.Text.Json.Serialization;
using Imail.Api.Auth;
using Imail.Api.GraphQL.Conventions;
using Imail.Api.Hosting;
using Imail.Bench.DbFree;
using Imail.Domain.ConnectedAccounts;
using Imail.Domain.Consents;
using Imail.Domain.Persistence;
using Imail.Testing;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Imail.Bench.Hosting;

/// <summary>
/// The hand-written baselines: what a person would write without GraphQL, in the same process as
/// the API under test, on another loopback port. Same Kestrel, same authentication
/// (<c>AddImailAuth</c>/<c>UseImailAuth</c>: JWT validation and the P9 sign-in recorder), same
/// pooled DbContext factory, same logging level; then one minimal endpoint per benchmark that
/// runs the same SQL as the GraphQL resolvers (EF Core, the same LINQ) and writes the same JSON
/// with System.Text.Json (source-generated). Only the GraphQL layer differs.
/// </summary>
public sealed class BaselineHost : IAsyncDisposable
{
    public const string MePath = "/baseline/me";
    public const string InMemoryMePath = "/baseline/bench-me";
    public const string ConsentStatusPath = "/baseline/consent-status";

    private readonly WebApplication _app;

    private BaselineHost(WebApplication app, Uri address) => (_app, Address) = (app, address);

    public Uri Address { get; }

    public static async Task<BaselineHost> StartAsync(string connectionString, InMemoryMe inMemory, ConsentRules consentRules)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions
        {
            EnvironmentName = "Production",
            ContentRootPath = AppContext.BaseDirectory,
        });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Logging:LogLevel:Default"] = "Warning",
            ["Imail:Auth:SigningKey"] = ImailApiFactory.TestSigningKey,
        });
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0));
        builder.AddImailLogging();
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddImailDatabase(connectionString);
        builder.AddImailAuth();
        builder.Services.AddSingleton(inMemory);
        // The API's own rules (13 months, refusal memory, time zone), as its configuration bound them.
        builder.Services.AddSingleton(consentRules);

        var app = builder.Build();
        app.UseImailAuth();
        app.MapPost(MePath, MeAsync);
        app.MapPost(InMemoryMePath, InMemoryMeAsync);
        app.MapPost(ConsentStatusPath, ConsentStatusAsync);
        await app.StartAsync();
        return new BaselineHost(app, new Uri(app.Urls.First()));
    }

    /// <summary>
    /// B1's baseline: the user, then their current consent period (with its choices) and their connected
    /// accounts (with their shared fields): the resolvers' three queries, written with the same LINQ
    /// (hence the same SQL), one after the other on one context.
    /// </summary>
    private static async Task MeAsync(HttpContext http, IDbContextFactory<ImailDbContext> dbs, ConsentRules rules, TimeProvider clock)
    {
        if (CurrentUser.Id(http.User) is not { } id)
        {
            http.Response.StatusCode = StatusCodes.Status401Unauthorized;
            return;
        }
        var ct = http.RequestAborted;
        await using var db = await dbs.CreateDbContextAsync(ct);
        var user = await db.Users.AsNoTracking().FirstOrDefaultAsync(u => u.Id == id, ct);
        MeDto? me = null;
        if (user is not null)
        {
            var ids = new[] { user.Id };
            var consent = (await db.Consents.FromSql($"""
                    SELECT DISTINCT ON (c.user_id) c.*, c.xmin FROM consents AS c WHERE c.user_id = ANY({ids})
                    ORDER BY c.user_id, c.ended_at IS NOT NULL, c.first_deposit_at DESC
                    """).AsNoTracking().ToListAsync(ct)).FirstOrDefault();
            IReadOnlyCollection<Guid> userIds = [user.Id];
            var accounts = await db.ConnectedAccounts.AsNoTracking()
                .Where(a => userIds.Contains(a.UserId))
                .OrderBy(a => a.UserId).ThenBy(a => a.Id)
                .ToListAsync(ct);
            me = MeDto.From(ConsentStatus.For(consent, null, clock.GetUtcNow(), rules), accounts);
        }
        await http.Response.WriteAsJsonAsync(new MeResponse(new MeData(me)), BaselineJson.Default.MeResponse, cancellationToken: ct);
    }

    /// <summary>B1c's baseline: the same JSON from the same in-memory objects as <c>benchMe</c>.</summary>
    private static async Task InMemoryMeAsync(HttpContext http, InMemoryMe data, ConsentRules rules, TimeProvider clock)
    {
        if (CurrentUser.Id(http.User) is null)
        {
            http.Response.StatusCode = StatusCodes.Status401Unauthorized;
            return;
        }
        var me = data.User is null ? null : MeDto.From(ConsentStatus.For(data.Consent, null, clock.GetUtcNow(), rules), data.ConnectedAccounts);
        await http.Response.WriteAsJsonAsync(new BenchMeResponse(new BenchMeData(me)), BaselineJson.Default.BenchMeResponse, cancellationToken: http.RequestAborted);
    }

    /// <summary>
    /// B6's baseline: the visitor id from the request's <c>variables.v</c>, the device, the anonymous
    /// period in force on it with its choices (the same lookups the consent desk makes), the same status.
    /// Anonymous, like the query.
    /// </summary>
    private static async Task ConsentStatusAsync(HttpContext http, IDbContextFactory<ImailDbContext> dbs, ConsentRules rules, TimeProvider clock)
    {
        var ct = http.RequestAborted;
        var request = await http.Request.ReadFromJsonAsync(BaselineJson.Default.VisitorRequest, ct);
        var status = ConsentStatus.NeverAsked;
        if (Guid.TryParse(request?.Variables?.V, out var id) && id != Guid.Empty)
        {
            await using var db = await dbs.CreateDbContextAsync(ct);
            var device = await db.Visitors.AsNoTracking().FirstOrDefaultAsync(v => v.Id == id, ct);
            var consent = device is null ? null : await db.InForceAnonymousAsync(device.Id, ct);
            status = ConsentStatus.For(consent, device, ConsentRules.Truncate(clock.GetUtcNow()), rules);
        }
        await http.Response.WriteAsJsonAsync(new ConsentStatusResponse(new ConsentStatusData(ConsentStatusDto.From(status))),
            BaselineJson.Default.ConsentStatusResponse, cancellationToken: ct);
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}

public sealed record MeResponse(MeData Data);
public sealed record MeData(MeDto? Me);
public sealed record BenchMeResponse(BenchMeData Data);
public sealed record BenchMeData(MeDto? BenchMe);
public sealed record ConsentStatusResponse(ConsentStatusData Data);
public sealed record ConsentStatusData(ConsentStatusDto ConsentStatus);
public sealed record VisitorRequest(VisitorVariables? Variables);
public sealed record VisitorVariables(string? V);

/// <summary><c>me { consents { … } connectedAccounts { … } }</c>, in the query's field order.</summary>
public sealed record MeDto(IReadOnlyList<PurposeDto> Consents, IReadOnlyList<ConnectedAccountDto> ConnectedAccounts)
{
    public static MeDto From(ConsentStatus status, IReadOnlyList<ConnectedAccount> accounts) =>
        new(PurposeDto.From(status.Purposes), accounts.Select(ConnectedAccountDto.From).ToList());
}

public sealed record PurposeDto(string Purpose, bool? Granted, bool Effective, DateTimeOffset? DecidedAt)
{
    public static IReadOnlyList<PurposeDto> From(IReadOnlyList<PurposeStatus> purposes) =>
        purposes.Select(p => new PurposeDto(GraphQLEnum.Name(p.Purpose), p.Granted, p.Effective, p.DecidedAt)).ToList();
}

public sealed record ConnectedAccountDto(Guid Id, string Provider, IReadOnlyList<string> GrantedScopes, DateTimeOffset ConnectedAt,
    IReadOnlyList<SharedFieldDto> Shared)
{
    public static ConnectedAccountDto From(ConnectedAccount a) =>
        new(a.Id, a.Provider, a.GrantedScopes, a.ConnectedAt, a.Fields.Select(f => new SharedFieldDto(f.Scope, f.Name, f.Value)).ToList());
}

public sealed record SharedFieldDto(string Scope, string Name, string Value);

/// <summary><c>consentStatus { state showBanner expiresAt cookieExpiresAt askAgainAt purposes { … } }</c>.</summary>
public sealed record ConsentStatusDto(string State, bool ShowBanner, DateTimeOffset? ExpiresAt, DateTimeOffset? CookieExpiresAt,
    DateTimeOffset? AskAgainAt, IReadOnlyList<PurposeDto> Purposes)
{
    public static ConsentStatusDto From(ConsentStatus s) =>
        new(GraphQLEnum.Name(s.State), s.State != ConsentState.Valid, s.ExpiresAt, s.CookieExpiresAt, s.AskAgainAt, PurposeDto.From(s.Purposes));
}

/// <summary>GraphQL enum values are CONSTANT_CASE: <c>RenewalRequired</c> → <c>RENEWAL_REQUIRED</c>.</summary>
internal static class GraphQLEnum
{
    public static string Name(ConsentPurpose purpose) => purpose switch
    {
        ConsentPurpose.Statistics => "STATISTICS",
        ConsentPurpose.Personalisation => "PERSONALISATION",
        ConsentPurpose.Necessary => "NECESSARY",
        _ => purpose.ToString().ToUpperInvariant(),
    };

    public static string Name(ConsentState state) => state switch
    {
        ConsentState.NeverAsked => "NEVER_ASKED",
        ConsentState.Valid => "VALID",
        ConsentState.RenewalRequired => "RENEWAL_REQUIRED",
        _ => state.ToString().ToUpperInvariant(),
    };
}

[JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(MeResponse))]
[JsonSerializable(typeof(BenchMeResponse))]
[JsonSerializable(typeof(ConsentStatusResponse))]
[JsonSerializable(typeof(VisitorRequest))]
internal sealed partial class BaselineJson : JsonSerializerContext;
