using System.Text.RegularExpressions;
using Imail.Domain.Persistence;
using Imail.Testing;

namespace Imail.Domain.Tests;

/// <summary>Who may use whom: the model knows no host; the API uses the worker only through its front doors.</summary>
public class ArchitectureTests
{
    [Fact]
    public void TheDomain_ReferencesNeitherAspNetNorQuartzNorGraphQLNorTheHosts()
    {
        var references = typeof(ImailDbContext).Assembly.GetReferencedAssemblies().Select(a => a.Name!).ToList();
        Assert.Contains(references, r => r.StartsWith("Microsoft.EntityFrameworkCore", StringComparison.Ordinal));
        Assert.DoesNotContain(references, r => r.StartsWith("Microsoft.AspNetCore", StringComparison.Ordinal)
                                               || r.StartsWith("Microsoft.Extensions.Hosting", StringComparison.Ordinal)
                                               || r.StartsWith("Quartz", StringComparison.Ordinal)
                                               || r.StartsWith("GraphQL", StringComparison.Ordinal)
                                               || r.StartsWith("MailKit", StringComparison.Ordinal)
                                               || r is "Imail.Api" or "Imail.Worker");
    }

    /// <summary>
    /// The API runs the worker in-process (<c>AddImailWorker</c>), reads the publisher's defaults
    /// (<c>PublisherDefaults</c>) and lets operators run a schedule (<c>run-job</c>); e-mail
    /// rendering and the relay are the worker's own business.
    /// </summary>
    [Fact]
    public void TheApi_UsesOnlyTheWorkersFrontDoors()
    {
        string[] allowed = ["Imail.Worker", "Imail.Worker.Schedules"];
        var api = Path.Combine(TestDatabase.RepositoryRoot(), "src", "Imail.Api");
        var uses = Directory.EnumerateFiles(api, "*.cs", SearchOption.AllDirectories)
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}"))
            .SelectMany(f => Regex.Matches(File.ReadAllText(f), @"\bImail\.Worker(\.[A-Z][A-Za-z]*)*").Select(m => (File: Path.GetFileName(f), Namespace: Namespace(m.Value))))
            .Where(u => !allowed.Contains(u.Namespace))
            .Select(u => $"{u.File}: {u.Namespace}")
            .Distinct()
            .ToList();

        Assert.True(uses.Count == 0, "The API reaches into the worker: " + string.Join(", ", uses));
    }

    /// <summary><c>Imail.Worker.Email.EmailExtensions</c> → <c>Imail.Worker.Email</c>; a type directly under the root stays at the root.</summary>
    private static string Namespace(string name)
    {
        var parts = name.Split('.');
        return parts.Length > 2 && char.IsUpper(parts[2][0]) && parts[2] is "Email" or "Relay" or "Consents" or "Schedules" or "Purge"
            ? string.Join('.', parts.Take(3))
            : "Imail.Worker";
    }
}
