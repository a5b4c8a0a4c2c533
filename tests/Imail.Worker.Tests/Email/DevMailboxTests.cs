using Imail.Api.Hosting;
using Imail.Domain.Persistence;
using Imail.Testing;
using Imail.Worker.Email;
using Imail.Worker.Relay;
using Imail.Worker.Tests.Relay;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Imail.Worker.Tests.Email;

/// <summary>The development mailbox: the relay's e-mails kept as .eml files and readable at /dev/mail.</summary>
public class DevMailboxTests : IAsyncLifetime
{
    private readonly string _local = Directory.CreateTempSubdirectory("imail-dev-mailbox-").FullName;
    private WebApplication _app = null!;
    private HttpClient _http = null!;
    private string _db = "";

    public async Task InitializeAsync()
    {
        _db = await TestDatabase.CreateAsync();
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions
        {
            EnvironmentName = Environments.Development,
            ContentRootPath = Path.Combine(TestDatabase.RepositoryRoot(), "src", "Imail.Api"),
        });
        builder.Configuration["Imail:LocalFolder"] = _local;
        builder.Configuration[$"ConnectionStrings:{DatabaseSetup.ConnectionStringName}"] = _db;
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddImailDatabase(_db);
        builder.AddImailDevMailbox();
        builder.AddImailEmail();
        builder.AddOutboxRelay();
        _app = builder.Build();
        _app.MapImailDevMailbox();
        await _app.StartAsync();
        _http = new HttpClient { BaseAddress = new Uri(_app.Urls.First()) };
    }

    public async Task DisposeAsync()
    {
        _http.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
        Directory.Delete(_local, recursive: true);
    }

    [Fact]
    public async Task WithoutAnSmtpHost_DevelopmentKeepsTheEmails_AndShowsThem()
    {
        Assert.Equal("127.0.0.1", _app.Configuration["Imail:Smtp:Host"]);
        var id = (await OutboxProbe.EnqueueEmailsAsync(_db, TimeProvider.System)).Single();

        var list = await Eventually.Async(() => _http.GetStringAsync("/dev/mail"), page => page.Contains("Bienvenue sur Imail"), "the e-mail listed");
        var file = Assert.Single(Directory.GetFiles(Path.Combine(_local, "mail"), "*.eml"));
        var name = Path.GetFileName(file);
        Assert.Contains($"/dev/mail/{name}", list);
        Assert.Contains($"{id}@imail.example", await File.ReadAllTextAsync(file));

        var view = await _http.GetStringAsync($"/dev/mail/{name}");
        Assert.Contains("<iframe sandbox", view);
        Assert.Contains("Ce que nous conservons", view); // the text part
        using var html = await _http.GetAsync($"/dev/mail/{name}/html");
        Assert.Contains("sandbox", html.Headers.GetValues("Content-Security-Policy").Single());
        Assert.Contains("Imail Solutions", await html.Content.ReadAsStringAsync());
        Assert.Equal(System.Net.HttpStatusCode.NotFound, (await _http.GetAsync("/dev/mail/..%2F..%2Fetc%2Fpasswd")).StatusCode);
    }
}
