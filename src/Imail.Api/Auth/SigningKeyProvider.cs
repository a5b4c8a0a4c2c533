using System.Security.Cryptography;
using Imail.Api.Hosting;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Tokens;

namespace Imail.Api.Auth;

public sealed class SigningKeyProvider
{
    public SigningKeyProvider(IOptions<AuthOptions> options, IHostEnvironment environment, LocalFolder local)
    {
        var configured = options.Value.SigningKey;
        byte[] bytes;
        if (!string.IsNullOrWhiteSpace(configured))
        {
            try { bytes = Convert.FromBase64String(configured); }
            catch (FormatException) { throw new InvalidOperationException($"{AuthOptions.Section}:SigningKey is not base64."); }
        }
        else if (environment.IsDevelopment())
        {
            var file = local.PathOf("dev-signing-key");
            if (!File.Exists(file)) File.WriteAllText(file, Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)));
            bytes = Convert.FromBase64String(File.ReadAllText(file).Trim());
        }
        else
        {
            throw new InvalidOperationException(
                $"Set {AuthOptions.Section}:SigningKey (environment Imail__Auth__SigningKey): a base64 key of at least 32 bytes.");
        }
        if (bytes.Length < 32) throw new InvalidOperationException($"{AuthOptions.Section}:SigningKey must be at least 32 bytes.");
        Key = new SymmetricSecurityKey(bytes);
    }

    public SymmetricSecurityKey Key { get; }
}
