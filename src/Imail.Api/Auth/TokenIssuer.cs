using System.IdentityModel.Tokens.Jwt;
using System.Security.Claims;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Tokens;

namespace Imail.Api.Auth;

/// <summary>Mints tokens with the API's own key: the development command and the tests use it.</summary>
public sealed class TokenIssuer(IOptions<AuthOptions> options, SigningKeyProvider keys, TimeProvider clock)
{
    public string Issue(string role, string subject, DateTimeOffset? authenticatedAt = null, TimeSpan? lifetime = null)
    {
        if (!Roles.All.Contains(role)) throw new ArgumentException($"Unknown role '{role}'; use one of {string.Join(", ", Roles.All)}.");
        var now = clock.GetUtcNow();
        var auth = authenticatedAt ?? now;
        var claims = new List<Claim>
        {
            new(JwtRegisteredClaimNames.Sub, subject),
            new("role", role),
            new(JwtRegisteredClaimNames.AuthTime, auth.ToUnixTimeSeconds().ToString(), ClaimValueTypes.Integer64),
        };
        var token = new JwtSecurityToken(options.Value.Issuer, options.Value.Audience, claims,
            notBefore: now.UtcDateTime.AddSeconds(-5),
            expires: now.UtcDateTime.Add(lifetime ?? options.Value.TokenLifetime),
            signingCredentials: new SigningCredentials(keys.Key, SecurityAlgorithms.HmacSha256));
        return new JwtSecurityTokenHandler().WriteToken(token);
    }
}
