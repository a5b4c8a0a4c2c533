using Imail.Bench.DbFree;
using Imail.Testing;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Imail.Bench.Hosting;

/// <summary>
/// The real API host (Program.cs, every <c>AddImail…()</c> call) on a loopback Kestrel port, on a
/// database of its own cloned from the tests' migrated template. Set up as production would be:
/// Production environment, logs at Warning, no exception details, the system clock, and the
/// worker's jobs out of process. The one addition is the bench-only DB-free field of B1c; the one setting of its own, a receipt signing key.
/// </summary>
public sealed class ApiUnderTest : ImailApiFactory
{
    public InMemoryMe InMemory { get; } = new();

    public Uri Address { get; private set; } = null!;

    protected override IDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["Logging:LogLevel:Default"] = "Warning",
        ["Imail:GraphQL:ExposeExceptionDetails"] = "false",
        // Production runs the worker as its own process; in-process jobs would compete for the same 2 cores.
        ["Imail:Worker:InProcess"] = "false",
        // Outside Development the API refuses to start without a receipt key (P5): one made for this run.
        ["Imail:Consents:ReceiptSigningKey"] = ReceiptKey,
    };

    private static readonly string ReceiptKey = System.Security.Cryptography.ECDsa.Create(System.Security.Cryptography.ECCurve.NamedCurves.nistP256).ExportPkcs8PrivateKeyPem();

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        // The testing package looks for the API's folder from the test assembly; this is no test assembly.
        builder.UseContentRoot(Path.Combine(TestDatabase.RepositoryRoot(), "src", "Imail.Api"));
        builder.UseEnvironment("Production");
        builder.ConfigureServices(services =>
        {
            services.Replace(ServiceDescriptor.Singleton(TimeProvider.System));
            DbFreeFields.Add(services, InMemory);
        });
    }

    /// <summary>A second replica: this host on the database another one already uses (instead of <see cref="ImailApiFactory.InitializeAsync"/>).</summary>
    public void UseDatabase(string connectionString) => ConnectionString = connectionString;

    /// <summary>Starts the host on 127.0.0.1 with a free port; <see cref="ImailApiFactory.ConnectionString"/> must be set first.</summary>
    public void Start()
    {
        UseKestrel(k => k.Listen(System.Net.IPAddress.Loopback, 0));
        StartServer();
        var address = Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        Address = new Uri(address);
    }
}
