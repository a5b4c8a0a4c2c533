using System.Net;
using System.Text.Json;
using System.Text.Json.Serialization;
using Imail.Api.Auth;
using Imail.Api.Hosting;
using Imail.Api.Users;
using Imail.Bench.DbFree;
using Imail.Domain.DataCategories;
using Imail.Domain.Persistence;
using Imail.Domain.Users;
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

    private readonly WebApplication _app;

    private BaselineHost(WebApplication app, Uri address) => (_app, Address) = (app, address);

    public Uri Address { get; }

    public static async Task<BaselineHost> StartAsync(string connectionString, InMemoryMe inMemory)
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
        builder.Services.AddSingleton<PersonalDataMap>();
        builder.Services.AddSingleton(inMemory);

        var app = builder.Build();
        app.UseImailAuth();
        app.MapPost(MePath, MeAsync);
        app.MapPost(InMemoryMePath, InMemoryMeAsync);
        await app.StartAsync();
        return new BaselineHost(app, new Uri(app.Urls.First()));
    }

    /// <summary>B1's baseline: the user, then the categories of their data; the resolvers' two queries.</summary>
    private static async Task MeAsync(HttpContext http, IDbContextFactory<ImailDbContext> dbs)
    {
        if (CurrentUser.Id(http.User) is not { } id)
        {
            http.Response.StatusCode = StatusCodes.Status401Unauthorized;
            return;
        }
        var ct = http.RequestAborted;
        await using var db = await dbs.CreateDbContextAsync(ct);
        var user = await db.Users.AsNoTracking().FirstOrDefaultAsync(u => u.Id == id, ct);
        UserDto? me = null;
        if (user is not null)
        {
            var items = PersonalDataItem.Of(user, http.RequestServices).ToList();
            var codes = items.Select(i => i.CategoryCode).Distinct().ToList();
            var categories = await db.DataCategories.AsNoTracking().Where(c => codes.Contains(c.Code)).ToDictionaryAsync(c => c.Code, ct);
            me = UserDto.From(user, items, categories);
        }
        await http.Response.WriteAsJsonAsync(new MeResponse(new MeData(me)), BaselineJson.Default.MeResponse, cancellationToken: ct);
    }

    /// <summary>B1c's baseline: the same JSON from the same in-memory objects as <c>benchMe</c>.</summary>
    private static async Task InMemoryMeAsync(HttpContext http, InMemoryMe data)
    {
        if (CurrentUser.Id(http.User) is null)
        {
            http.Response.StatusCode = StatusCodes.Status401Unauthorized;
            return;
        }
        UserDto? me = data.User is { } user ? UserDto.From(user, PersonalDataItem.Of(user, http.RequestServices).ToList(), data.Categories) : null;
        await http.Response.WriteAsJsonAsync(new BenchMeResponse(new BenchMeData(me)), BaselineJson.Default.BenchMeResponse, cancellationToken: http.RequestAborted);
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}

public sealed record MeResponse(MeData Data);
public sealed record MeData(UserDto? Me);
public sealed record BenchMeResponse(BenchMeData Data);
public sealed record BenchMeData(UserDto? BenchMe);

public sealed record UserDto(Guid Id, string Email, string DisplayName, string Locale, IReadOnlyList<PersonalDataDto> PersonalData)
{
    public static UserDto From(User user, IReadOnlyList<PersonalDataItem> items, IReadOnlyDictionary<string, DataCategory> categories) =>
        new(user.Id, user.Email, user.DisplayName, LocaleName(user.Locale),
            items.Select(i => new PersonalDataDto(CategoryDto.From(categories[i.CategoryCode]), i.Fields)).ToList());

    /// <summary>GraphQL enum values are CONSTANT_CASE.</summary>
    private static string LocaleName(Locale locale) => locale switch
    {
        Domain.Users.Locale.Fr => "FR",
        Domain.Users.Locale.Nl => "NL",
        Domain.Users.Locale.En => "EN",
        _ => locale.ToString().ToUpperInvariant(),
    };
}

public sealed record PersonalDataDto(CategoryDto Category, IReadOnlyList<string> Fields);

public sealed record CategoryDto(string Code, string Name, RetentionDto Retention)
{
    public static CategoryDto From(DataCategory c) => new(c.Code, c.Name, new RetentionDto(c.Retention.Iso8601));
}

public sealed record RetentionDto(string Iso8601);

[JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(MeResponse))]
[JsonSerializable(typeof(BenchMeResponse))]
internal sealed partial class BaselineJson : JsonSerializerContext;
