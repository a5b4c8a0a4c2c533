using System.Diagnostics;
using System.Text.Json;
using Imail.Testing;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Xunit.Abstractions;

namespace Imail.Api.Tests.Transport;

/// <summary>The API on a real loopback port, for clients that are not .NET (the conformance audit).</summary>
public sealed class LoopbackApiFactory : ImailApiFactory
{
    public string GraphQLUrl { get; private set; } = "";

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        UseKestrel(0);
        StartServer();
        var address = Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        GraphQLUrl = address.Replace("://[::]", "://127.0.0.1").Replace("://localhost", "://127.0.0.1").TrimEnd('/') + "/graphql";
    }
}

/// <summary>
/// graphql-http's <c>auditServer</c>, the GraphQL-over-HTTP conformance audit, run by Node against
/// the real server: every MUST passes; the SHOULDs and MAYs it warns about are listed in the output.
/// </summary>
public sealed class GraphQLHttpAuditTests(LoopbackApiFactory api, ITestOutputHelper output) : IClassFixture<LoopbackApiFactory>
{
    [Fact]
    public async Task Audit_PassesEveryMust()
    {
        await AuditScripts.EnsureInstalledAsync();

        var (exit, stdout, stderr) = await AuditScripts.RunAsync("node", $"audit.mjs {api.GraphQLUrl}");
        Assert.True(exit == 0, $"node audit.mjs failed ({exit}): {stderr}");
        var results = JsonSerializer.Deserialize<AuditResult[]>(stdout, new JsonSerializerOptions(JsonSerializerDefaults.Web))!;

        foreach (var group in results.GroupBy(r => r.Status).OrderBy(g => g.Key))
            output.WriteLine($"{group.Key}: {group.Count()}");
        foreach (var r in results.Where(r => r.Status != "ok"))
            output.WriteLine($"{r.Status} {r.Id} {r.Name} — {r.Reason} (HTTP {r.HttpStatus})");

        Assert.NotEmpty(results);
        var errors = results.Where(r => r.Status == "error").Select(r => $"{r.Id} {r.Name}: {r.Reason} (HTTP {r.HttpStatus})").ToList();
        Assert.True(errors.Count == 0, "The audit found MUSTs broken:\n" + string.Join("\n", errors));
    }

    private sealed record AuditResult(string Id, string Name, string Status, string? Reason, int? HttpStatus);
}

/// <summary>The Node scripts beside the audit (<c>Transport/audit</c>), with the npm packages they import.</summary>
internal static class AuditScripts
{
    private static readonly string AuditDirectory = Path.Combine(TestDatabase.RepositoryRoot(), "tests", "Imail.Api.Tests", "Transport", "audit");

    private static readonly SemaphoreSlim Installing = new(1, 1); // test classes run in parallel

    public static async Task EnsureInstalledAsync()
    {
        // node_modules is not committed; npm ci installs exactly what package-lock.json names.
        var installed = Path.Combine(AuditDirectory, "node_modules", ".package-lock.json");
        await Installing.WaitAsync();
        try
        {
            if (File.Exists(installed) && File.GetLastWriteTimeUtc(installed) >= File.GetLastWriteTimeUtc(Path.Combine(AuditDirectory, "package-lock.json")))
                return;
            var (exit, _, stderr) = await RunAsync("npm", "ci --no-audit --no-fund --ignore-scripts");
            Assert.True(exit == 0, $"npm ci failed in {AuditDirectory}: {stderr}");
        }
        finally
        {
            Installing.Release();
        }
    }

    /// <summary>Starts a program in the scripts' folder, its output redirected.</summary>
    public static Process Start(string file, string arguments) => Process.Start(new ProcessStartInfo(file, arguments)
    {
        WorkingDirectory = AuditDirectory,
        RedirectStandardOutput = true,
        RedirectStandardError = true,
    })!;

    public static async Task<(int Exit, string Stdout, string Stderr)> RunAsync(string file, string arguments)
    {
        using var process = Start(file, arguments);
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, await stdout, await stderr);
    }
}
