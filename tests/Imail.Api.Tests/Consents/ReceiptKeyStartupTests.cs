using System.Diagnostics;
using Imail.Testing;

namespace Imail.Api.Tests.Consents;

public class ReceiptKeyStartupTests
{
    [Fact]
    public async Task OutsideDevelopment_WithoutAReceiptSigningKey_TheApiRefusesToStart_AndSaysWhatToSet()
    {
        var start = new ProcessStartInfo("dotnet", [typeof(Program).Assembly.Location])
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
            Environment =
            {
                ["ASPNETCORE_ENVIRONMENT"] = "Production",
                ["ASPNETCORE_URLS"] = "http://127.0.0.1:0",
                ["Logging__LogLevel__Default"] = "None",
                ["ConnectionStrings__Imail"] = await TestDatabase.CreateAsync(),
                ["Imail__Auth__SigningKey"] = ImailApiFactory.TestSigningKey,
                ["Imail__Worker__InProcess"] = "false",
            },
        };
        using var api = Process.Start(start)!;
        var stderr = api.StandardError.ReadToEndAsync();
        _ = api.StandardOutput.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        try { await api.WaitForExitAsync(timeout.Token); }
        finally { if (!api.HasExited) api.Kill(entireProcessTree: true); }

        Assert.Equal(2, api.ExitCode);
        Assert.Contains("Imail__Consents__ReceiptSigningKey", await stderr);
    }
}
