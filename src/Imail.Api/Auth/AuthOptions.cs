namespace Imail.Api.Auth;

public sealed class AuthOptions
{
    public const string Section = "Imail:Auth";

    public string Issuer { get; set; } = "imail";
    public string Audience { get; set; } = "imail-api";

    /// <summary>
    /// Base64 HMAC-SHA256 key, at least 32 bytes. Required outside Development; in Development a
    /// key is made once and kept in <c>.local/</c> so tokens survive restarts.
    /// </summary>
    public string? SigningKey { get; set; }

    /// <summary>Lifetime of tokens minted by the <c>token</c> command.</summary>
    public TimeSpan TokenLifetime { get; set; } = TimeSpan.FromHours(12);
}
