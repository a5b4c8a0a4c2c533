using System.Buffers.Text;
using System.Security.Claims;
using System.Text.Json;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Imail.Api.Auth;

/// <summary>
/// A token names exactly one of the three roles, as one JSON string. A token that reads as several
/// roles (an array, the member twice) or as none would otherwise be let in with all or none of
/// them; it is refused at authentication like any other invalid token.
/// </summary>
public static class SingleRole
{
    public static readonly string Rule =
        $"The token must carry exactly one 'role' claim, a single string: one of {string.Join(", ", Roles.All)}.";

    /// <summary>Fails validation of a token that does not follow the rule.</summary>
    public static Task Check(TokenValidatedContext context)
    {
        if (context.Principal is not { } principal || !Holds(principal, context.SecurityToken))
            context.Fail(new SecurityTokenRoleException(Rule));
        return Task.CompletedTask;
    }

    public static bool Holds(ClaimsPrincipal principal, SecurityToken token)
    {
        if (principal.FindAll("role").ToList() is not [var role] || !Roles.All.Contains(role.Value, StringComparer.Ordinal)) return false;
        // One claim can still come from a one-element array or from a member written twice: read what was signed.
        return token is not JsonWebToken jwt || RoleIsOneString(jwt.EncodedPayload);
    }

    private static bool RoleIsOneString(string encodedPayload)
    {
        try
        {
            using var payload = JsonDocument.Parse(Base64Url.DecodeFromChars(encodedPayload));
            return payload.RootElement.EnumerateObject().Where(member => member.NameEquals("role")).ToList()
                is [{ Value.ValueKind: JsonValueKind.String }];
        }
        catch (Exception e) when (e is FormatException or JsonException or InvalidOperationException)
        {
            return false;
        }
    }
}

/// <summary>The token's role claim is missing, repeated, or not one of the three roles.</summary>
public sealed class SecurityTokenRoleException(string message) : SecurityTokenValidationException(message);
