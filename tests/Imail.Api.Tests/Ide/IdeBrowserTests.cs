using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using Imail.Api.Tests.Partners;
using Imail.Api.Tests.Schema;
using Imail.Testing;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Imail.Api.Tests.Ide;

/// <summary>
/// Banana Cake Pop in headless Debian Chromium against the API on a loopback port. Needs
/// <c>/usr/bin/chromium</c> (apt-get install -y chromium); Playwright's driver ships in its NuGet
/// package, and no Playwright browser is downloaded.
/// </summary>
[Collection(nameof(BrowserAlone))]
public sealed class IdeBrowserTests(IdeBrowserTests.Api api, SubscriptionApi events) : IClassFixture<IdeBrowserTests.Api>, IClassFixture<SubscriptionApi>
{
    public sealed class Api : ImailApiFactory
    {
        public Api() => UseKestrel(0);

        public string BaseAddress
        {
            get
            {
                StartServer();
                var addresses = Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!;
                return addresses.Addresses.First().TrimEnd('/');
            }
        }
    }

    // The 5 MB bundle is parsed on a shared 2-core machine: wait generously, assert strictly.
    private const float Patience = 60_000;

    private static readonly BrowserTypeLaunchOptions Chromium = new()
    {
        ExecutablePath = "/usr/bin/chromium",
        Args = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
            "--disable-background-networking", "--disable-component-update", "--disable-sync"],
    };

    [Fact]
    public async Task Browser_OpeningGraphQL_GetsTheIde_WhichLoadsTheSchema_AndRunsAQueryAgainstTheApi_Offline()
    {
        var baseAddress = api.BaseAddress;
        using var playwright = await Playwright.CreateAsync();
        await using var browser = await playwright.Chromium.LaunchAsync(Chromium);
        // Service workers are blocked so every request the IDE makes passes the route below.
        await using var context = await browser.NewContextAsync(new() { ServiceWorkers = ServiceWorkerPolicy.Block });
        var external = new ConcurrentQueue<string>();
        await context.RouteAsync("**/*", route =>
        {
            if (route.Request.Url.StartsWith(baseAddress + "/", StringComparison.Ordinal)) return route.ContinueAsync();
            external.Enqueue(route.Request.Url);
            return route.AbortAsync();
        });
        var page = await context.NewPageAsync();
        page.SetDefaultTimeout(Patience);
        // Issue 8 item 15: the IDE's introspection (after its feature probes) is answered.
        var introspection = page.WaitForResponseAsync(r =>
            r.Url == $"{baseAddress}/graphql" && r.Request.Method == "POST" && r.Request.PostData?.Contains("__schema") == true,
            new() { Timeout = Patience });

        await page.GotoAsync($"{baseAddress}/graphql");
        Assert.Equal($"{baseAddress}/graphql/", page.Url);

        // The editor is created lazily, once the app has started and read bcp-config.json.
        await page.GetByRole(AriaRole.Button, new() { Name = "Create Document" }).ClickAsync();
        var operationEditor = page.Locator(".monaco-editor[data-uri^='file:///operations/']");
        await operationEditor.ClickAsync();
        // Inserted, not typed: Monaco would auto-close the braces.
        await page.Keyboard.InsertTextAsync("{ imail: __typename }");
        // On a loaded machine the first click can land before the IDE has taken the new text in: click again until it posts.
        IResponse? response = null;
        for (var attempt = 0; attempt < 6 && response is null; attempt++)
        {
            var posted = page.WaitForResponseAsync(r =>
                r.Url == $"{baseAddress}/graphql" && r.Request.Method == "POST" && r.Request.PostData?.Contains("imail: __typename") == true,
                new() { Timeout = 15_000 });
            await page.GetByRole(AriaRole.Button, new() { Name = "Run Operation" }).ClickAsync();
            try { response = await posted; } catch (TimeoutException) { }
        }

        Assert.NotNull(response);
        Assert.Equal(200, response!.Status);
        var result = page.Locator(".monaco-editor").Filter(new() { HasText = "\"imail\": \"Query\"" });
        await Expect(result).ToBeVisibleAsync(new() { Timeout = Patience });

        // The introspection the IDE sent is the one IntrospectionTests replays, and it was answered.
        var introspected = await introspection;
        Assert.Equal(IntrospectionTests.BananaCakePopQuery, (string?)JsonNode.Parse(introspected.Request.PostData!)!["query"]);
        Assert.Equal(200, introspected.Status);
        var answer = JsonNode.Parse(await introspected.TextAsync())!;
        Assert.True(answer["errors"] is null && answer["data"]?["__schema"] is not null, answer.ToJsonString());

        // And the IDE took the schema in: its Schema Reference lists the API's types and shows them.
        await Expect(page.GetByText("Schema available", new() { Exact = true })).ToBeVisibleAsync(new() { Timeout = Patience });
        // The view selector is a tab list: clicking a selected tab keeps it selected, so click until it is, then give the
        // reference the full patience to render (on a loaded machine a click can land before the tab reacts).
        var tab = page.GetByRole(AriaRole.Tab, new() { Name = "Schema Reference" });
        for (var attempt = 0; attempt < 6 && await tab.GetAttributeAsync("aria-selected") != "true"; attempt++)
        {
            await tab.ClickAsync();
            try { await Expect(tab).ToHaveAttributeAsync("aria-selected", "true", new() { Timeout = 10_000 }); } catch (PlaywrightException) { }
        }
        await Expect(tab).ToHaveAttributeAsync("aria-selected", "true");
        var types = page.GetByPlaceholder("Filter...");
        await types.WaitForAsync(new() { Timeout = 2 * Patience });
        foreach (var (type, description) in new[]
        {
            ("ConsentStatus", "Whether the cookie banner must be shown"),
            ("User", "A person with an account: the data subject of the privacy policy."),
            ("StatisticsAnswer", "Accounts counted by one or two axes, in groups of at least k"),
        })
        {
            await types.FillAsync(type);
            await page.GetByRole(AriaRole.Button, new() { Name = type, Exact = true }).ClickAsync();
            await Expect(page.GetByText(description)).ToBeVisibleAsync(new() { Timeout = Patience });
        }
        Assert.Empty(external);
    }

    /// <summary>
    /// Issue 12: the IDE runs a subscription against the running API — graphql-transport-ws, the partner's
    /// token in its connection settings (sent as <c>connection_init</c>'s payload), an event enqueued through the
    /// outbox and logged by the worker's relay showing in the IDE's response pane.
    /// </summary>
    [Fact]
    public async Task TheIde_RunsASubscription_AndShowsAnEventAsItIsPublished()
    {
        var baseAddress = events.GraphQLUrl[..^"/graphql".Length];
        using var playwright = await Playwright.CreateAsync();
        await using var browser = await playwright.Chromium.LaunchAsync(Chromium);
        await using var context = await browser.NewContextAsync(new() { ServiceWorkers = ServiceWorkerPolicy.Block });
        // The connection settings a partner fills in (Authorization: Bearer …), given as the IDE's preset.
        await context.RouteAsync($"{baseAddress}/graphql/bcp-config.json", async route =>
        {
            var preset = JsonNode.Parse(await (await route.FetchAsync()).TextAsync())!.AsObject();
            preset["httpHeaders"] = new JsonObject { ["Authorization"] = $"Bearer {events.PartnerToken()}" };
            await route.FulfillAsync(new() { ContentType = "application/json", Body = preset.ToJsonString() });
        });
        var page = await context.NewPageAsync();
        page.SetDefaultTimeout(Patience);
        var frames = new ConcurrentQueue<string>();
        page.WebSocket += (_, socket) => socket.FrameReceived += (_, frame) => frames.Enqueue(frame.Text ?? "");

        await page.GotoAsync($"{baseAddress}/graphql");
        await page.GetByRole(AriaRole.Button, new() { Name = "Create Document" }).ClickAsync();
        await page.Locator(".monaco-editor[data-uri^='file:///operations/']").ClickAsync();
        await page.Keyboard.InsertTextAsync("subscription { partnerEvents { id type } }");
        var subscribers = events.Backplane.LiveSubscribers;
        for (var attempt = 0; attempt < 6 && events.Backplane.LiveSubscribers == subscribers; attempt++)
        {
            await page.GetByRole(AriaRole.Button, new() { Name = "Run Operation" }).ClickAsync();
            try
            {
                await Eventually.Async(() => Task.FromResult(events.Backplane.LiveSubscribers), n => n > subscribers, "the IDE's subscription", TimeSpan.FromSeconds(15));
            }
            catch (TimeoutException)
            {
            }
        }
        Assert.True(events.Backplane.LiveSubscribers > subscribers, "the IDE never subscribed");

        var id = await events.EnqueueEventAsync("ide-1");

        await Expect(page.Locator(".monaco-editor").Filter(new() { HasText = id.ToString() }).First).ToBeVisibleAsync(new() { Timeout = Patience });
        Assert.Contains(frames, f => f.Contains("\"connection_ack\"", StringComparison.Ordinal));
        Assert.Contains(frames, f => f.Contains("\"next\"", StringComparison.Ordinal) && f.Contains(id.ToString(), StringComparison.Ordinal));
    }
}

/// <summary>
/// The browser test runs after the others, alone: on two shared cores, Chromium rendering the IDE's schema
/// reference next to a dozen API hosts under test missed its minute-long waits; alone it takes seconds.
/// </summary>
[CollectionDefinition(nameof(BrowserAlone), DisableParallelization = true)]
public sealed class BrowserAlone;
