using System.Security.Claims;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.Extensions.Options;

namespace Imail.Api.Auth;

/// <summary>
/// Reads a bearer token that did not come in an <c>Authorization</c> header (a WebSocket's
/// <c>connection_init</c> payload) exactly as the JWT bearer handler reads a header: same
/// parameters, same clock, same one-role rule.
/// </summary>
public sealed class BearerTokens(IOptionsMonitor<JwtBearerOptions> options)
{
    /// <summary>The caller the token names, or null when it does not verify. Accepts "Bearer …" or the bare token.</summary>
    public async Task<ClaimsPrincipal?> ReadAsync(string value)
    {
        var token = value.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) ? value["Bearer ".Length..].Trim() : value.Trim();
        if (token.Length == 0) return null;
        var jwt = options.Get(JwtBearerDefaults.AuthenticationScheme);
        foreach (var handler in jwt.TokenHandlers)
        {
            var result = await handler.ValidateTokenAsync(token, jwt.TokenValidationParameters);
            if (!result.IsValid) continue;
            var principal = new ClaimsPrincipal(result.ClaimsIdentity);
            return SingleRole.Holds(principal, result.SecurityToken) ? principal : null;
        }
        return null;
    }
}
