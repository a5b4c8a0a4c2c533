using GraphQL;
using Imail.Api.GraphQL.Http;
using Imail.Api.Hosting;
using Imail.Api.Lifecycle;
using Imail.Domain.Lifecycle;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Tokens;

namespace Imail.Api.Auth;

public static class AuthExtensions
{
    public static WebApplicationBuilder AddImailAuth(this WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<AuthOptions>().BindConfiguration(AuthOptions.Section);
        builder.Services.AddSingleton<LocalFolder>();
        builder.Services.AddSingleton<SigningKeyProvider>();
        builder.Services.AddSingleton<TokenIssuer>();
        builder.Services.AddSingleton<BearerTokens>();
        builder.Services.AddMemoryCache();
        builder.Services.AddSingleton<AuthenticationRecorder>();
        builder.Services.AddSingleton<SignInRestrictions>();
        builder.Services.AddAuthentication(JwtBearerDefaults.AuthenticationScheme).AddJwtBearer();
        builder.Services.AddOptions<JwtBearerOptions>(JwtBearerDefaults.AuthenticationScheme)
            .Configure<IOptions<AuthOptions>, SigningKeyProvider, TimeProvider>((jwt, auth, keys, clock) =>
            {
                // Keep the token's claim names (sub, role, auth_time) instead of WS-Fed URIs.
                jwt.MapInboundClaims = false;
                jwt.TokenValidationParameters = new TokenValidationParameters
                {
                    ValidIssuer = auth.Value.Issuer,
                    ValidAudience = auth.Value.Audience,
                    IssuerSigningKey = keys.Key,
                    ValidAlgorithms = [SecurityAlgorithms.HmacSha256],
                    NameClaimType = "sub",
                    RoleClaimType = "role",
                    ClockSkew = TimeSpan.FromSeconds(30),
                    // Expiry read from the same TimeProvider as every other rule, so tests that move time move it too.
                    LifetimeValidator = (notBefore, expires, _, parameters) =>
                    {
                        var now = clock.GetUtcNow().UtcDateTime;
                        return (notBefore is null || notBefore.Value <= now + parameters.ClockSkew)
                               && expires is not null && expires.Value >= now - parameters.ClockSkew;
                    },
                };
                // One role per token: a token carrying several would otherwise get all of them.
                jwt.Events = new JwtBearerEvents { OnTokenValidated = SingleRole.Check };
            });
        builder.Services.AddAuthorization();
        return builder;
    }

    /// <summary>
    /// Authenticates every request (a bad token is a 401), refuses the token of an account staff
    /// restricted from signing in (403 <c>ACCOUNT_RESTRICTED</c>, P11; its sign-in time is not
    /// recorded), then records sign-in times for P9. When the database is away that record cannot
    /// be written: the request is answered 503
    /// <c>SERVICE_UNAVAILABLE</c> with <c>Retry-After</c> right there, rather than a 500, and rather
    /// than after a second wait for the same database in the resolvers.
    /// </summary>
    public static WebApplication UseImailAuth(this WebApplication app)
    {
        app.UseAuthentication();
        app.Use(async (context, next) =>
        {
            // A token that does not verify is refused outright rather than treated as anonymous:
            // the caller meant to be someone, and silently answering as nobody hides the mistake.
            if (context.Request.Headers.Authorization.Count > 0 && context.User.Identity?.IsAuthenticated != true)
            {
                var result = await context.AuthenticateAsync(JwtBearerDefaults.AuthenticationScheme);
                if (!result.Succeeded)
                {
                    var reason = result.Failure switch
                    {
                        SecurityTokenExpiredException => "The token has expired.",
                        SecurityTokenRoleException role => role.Message,
                        _ => "The token is not valid for this API.",
                    };
                    context.Response.StatusCode = StatusCodes.Status401Unauthorized;
                    context.Response.Headers.WWWAuthenticate = "Bearer error=\"invalid_token\"";
                    await context.Response.WriteAsJsonAsync(new { errors = new[] { new { message = reason, extensions = new { code = "AUTH_INVALID_TOKEN" } } } });
                    return;
                }
            }
            if (context.User.Identity?.IsAuthenticated == true)
            {
                try
                {
                    if (CurrentUser.Id(context.User) is { } userId
                        && await context.RequestServices.GetRequiredService<SignInRestrictions>().IsRestrictedAsync(userId, context.RequestAborted))
                    {
                        var rule = new AccountRestrictedRule(Capability.SignIn);
                        await ErrorResponse.WriteAsync(context, StatusCodes.Status403Forbidden, new ExecutionError(rule.Message) { Code = rule.Code });
                        return;
                    }
                    await context.RequestServices.GetRequiredService<AuthenticationRecorder>().RecordAsync(context.User, context.RequestAborted);
                }
                catch (Exception e) when (DatabaseOutage.Is(e))
                {
                    context.RequestServices.GetRequiredService<ILogger<AuthenticationRecorder>>()
                        .LogWarning("Sign-in restriction not checked or sign-in time not recorded, request answered SERVICE_UNAVAILABLE: {Reason}", e.GetBaseException().Message);
                    await ErrorResponse.WriteAsync(context, StatusCodes.Status503ServiceUnavailable, new ServiceUnavailableError(e));
                    return;
                }
            }
            await next();
        });
        return app;
    }
}
