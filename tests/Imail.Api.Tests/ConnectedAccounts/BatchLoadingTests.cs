using System.Collections.Concurrent;
using System.Data.Common;
using Imail.Domain.ConnectedAccounts;
using Imail.Domain.Persistence;
using Imail.Testing;
using Microsoft.AspNetCore.Hosting;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.DependencyInjection;

namespace Imail.Api.Tests.ConnectedAccounts;

/// <summary>The API host with every SQL statement its DbContexts run recorded (the wiring is production's; only an interceptor is added).</summary>
public sealed class StatementCountingApiFactory : ImailApiFactory
{
    public ConcurrentQueue<string> Statements { get; } = new();

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.ConfigureServices(services => services.ConfigureDbContext<ImailDbContext>(o => o.AddInterceptors(new StatementLog(Statements))));
    }

    private sealed class StatementLog(ConcurrentQueue<string> statements) : DbCommandInterceptor
    {
        public override ValueTask<InterceptionResult<DbDataReader>> ReaderExecutingAsync(DbCommand command, CommandEventData eventData,
            InterceptionResult<DbDataReader> result, CancellationToken ct = default)
        {
            statements.Enqueue(command.CommandText);
            return base.ReaderExecutingAsync(command, eventData, result, ct);
        }

        public override InterceptionResult<DbDataReader> ReaderExecuting(DbCommand command, CommandEventData eventData, InterceptionResult<DbDataReader> result)
        {
            statements.Enqueue(command.CommandText);
            return base.ReaderExecuting(command, eventData, result);
        }
    }
}

public class BatchLoadingTests(StatementCountingApiFactory api) : IClassFixture<StatementCountingApiFactory>
{
    [Fact]
    public async Task ConnectedAccounts_OfAPageOfUsers_AreLoadedInOneStatement()
    {
        var catalogue = new ConnectedAccountProviders();
        for (var i = 0; i < 5; i++)
        {
            var user = await api.CreateUserAsync($"p4-batch-{i}@example.org");
            await api.ExecuteDbAsync(async db =>
            {
                db.ConnectedAccounts.Add(ConnectedAccount.Connect(user.Id, "mastodon", $"batch-{i}", ["profile"], [new ReceivedField("username", $"u{i}")], catalogue, api.Clock.GetUtcNow()).Account);
                await db.SaveChangesAsync();
            });
        }
        api.Statements.Clear();

        var users = (await api.GraphQLAsync("{ users(first: 100) { nodes { email connectedAccounts { provider grantedScopes } } } }", token: api.StaffToken()))
            .DataOrFail()["users"]!["nodes"]!.AsArray();

        Assert.Equal(5, users.Count);
        Assert.All(users, u => Assert.Equal("mastodon", (string?)u!["connectedAccounts"]![0]!["provider"]));
        Assert.Contains(api.Statements, s => s.Contains("FROM users")); // the log hears this request
        Assert.Single(api.Statements, s => s.Contains("connected_accounts"));
    }
}
