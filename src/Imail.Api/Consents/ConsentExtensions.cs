using System.Security.Cryptography;
using Imail.Api.Hosting;
using Imail.Domain.Common;
using Imail.Domain.Consents;
using Imail.Worker;
using Microsoft.Extensions.Options;

namespace Imail.Api.Consents;

/// <summary>The key receipts are signed with (<c>Imail:Consents:ReceiptSigningKey</c>, a PEM EC P-256 private key).</summary>
public sealed class ReceiptKeyOptions
{
    public string? ReceiptSigningKey { get; set; }

    /// <summary>PEM public (or private) keys of earlier signing keys: receipts they signed keep verifying after a rotation.</summary>
    public List<string> RetiredReceiptKeys { get; set; } = [];
}

public static class ConsentExtensions
{
    private const string MissingKey =
        "Set Imail:Consents:ReceiptSigningKey (environment Imail__Consents__ReceiptSigningKey): a PEM EC P-256 private key that signs consent receipts, e.g. from `openssl ecparam -name prime256v1 -genkey -noout | openssl pkcs8 -topk8 -nocrypt`.";

    /// <summary>The 13-month rules (P5), the receipt signer and the controller named in receipts (P1).</summary>
    public static WebApplicationBuilder AddImailConsents(this WebApplicationBuilder builder)
    {
        PublisherDefaults.AddTo(builder.Configuration);
        builder.Services.AddOptions<ConsentRules>().BindConfiguration(ConsentRules.Section)
            .Validate(r => r.ValidityMonths is > 0 and <= ConsentRules.MaxValidityMonths, "Imail:Consents:ValidityMonths must be 1 to 13 (P5).")
            .Validate(r => r.RefusalMemoryMonths is > 0 and <= ConsentRules.MaxValidityMonths, "Imail:Consents:RefusalMemoryMonths must be 1 to 13.")
            .Validate(r => TimeZoneInfo.TryFindSystemTimeZoneById(r.TimeZone, out _), "Imail:Consents:TimeZone is not a known time zone.")
            .ValidateOnStart();
        // A missing key stops the start, rather than failing the first consent request.
        builder.Services.AddOptions<ReceiptKeyOptions>().BindConfiguration(ConsentRules.Section)
            .Validate<IHostEnvironment>((o, environment) => environment.IsDevelopment() || !string.IsNullOrWhiteSpace(o.ReceiptSigningKey), MissingKey)
            .ValidateOnStart();
        builder.Services.AddOptions<Publisher>().BindConfiguration(Publisher.Section);
        builder.Services.AddSingleton(sp => sp.GetRequiredService<IOptions<ConsentRules>>().Value);
        builder.Services.AddSingleton(sp =>
        {
            var options = sp.GetRequiredService<IOptions<ReceiptKeyOptions>>().Value;
            return new ReceiptSigner(LoadKey(options, sp.GetRequiredService<IHostEnvironment>(), sp.GetRequiredService<LocalFolder>()),
                options.RetiredReceiptKeys.Select(LoadRetired).ToList());
        });
        builder.Services.AddSingleton(sp =>
        {
            var publisher = sp.GetRequiredService<IOptions<Publisher>>().Value;
            return new ReceiptController(publisher.Name, publisher.Address, publisher.PrivacyContact);
        });
        return builder;
    }

    private static ECDsa LoadRetired(string pem)
    {
        var key = ECDsa.Create();
        try { key.ImportFromPem(pem); }
        catch (ArgumentException) { throw new InvalidOperationException("An entry of Imail:Consents:RetiredReceiptKeys is not a PEM EC key."); }
        return key;
    }

    private static ECDsa LoadKey(ReceiptKeyOptions options, IHostEnvironment environment, LocalFolder local)
    {
        var pem = options.ReceiptSigningKey;
        if (string.IsNullOrWhiteSpace(pem))
        {
            if (!environment.IsDevelopment()) throw new InvalidOperationException(MissingKey);
            var file = local.PathOf("dev-receipt-key.pem");
            if (!File.Exists(file)) File.WriteAllText(file, ECDsa.Create(ECCurve.NamedCurves.nistP256).ExportPkcs8PrivateKeyPem());
            pem = File.ReadAllText(file);
        }
        var key = ECDsa.Create();
        try { key.ImportFromPem(pem); }
        catch (ArgumentException) { throw new InvalidOperationException("Imail:Consents:ReceiptSigningKey is not a PEM EC private key."); }
        if (key.KeySize != 256) throw new InvalidOperationException("Imail:Consents:ReceiptSigningKey must be a P-256 key (ES256).");
        return key;
    }
}
