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

        var users = (await api.GraphQLAsync("{ users(first: 100, where: { emailContains: \"p4-batch-\" }) { nodes { email connectedAccounts { provider grantedScopes } } } }", token: api.StaffToken()))
            .DataOrFail()["users"]!["nodes"]!.AsArray();

        Assert.Equal(5, users.Count);
        Assert.All(users, u => Assert.Equal("mastodon", (string?)u!["connectedAccounts"]![0]!["provider"]));
        Assert.Contains(api.Statements, s => s.Contains("FROM users")); // the log hears this request
        Assert.Single(api.Statements, s => s.Contains("connected_accounts"));
    }

    // Issue 10 item 2: the statement asks for what the document asks for.
    [Fact]
    public async Task SharedFields_AreReadOnlyWhenTheDocumentSelectsThem()
    {
        var catalogue = new ConnectedAccountProviders();
        var user = await api.CreateUserAsync("p4-projection@example.org");
        await api.ExecuteDbAsync(async db =>
        {
            db.ConnectedAccounts.Add(ConnectedAccount.Connect(user.Id, "mastodon", "projection", ["profile"], [new ReceivedField("username", "@projection")], catalogue, api.Clock.GetUtcNow()).Account);
            await db.SaveChangesAsync();
        });

        api.Statements.Clear();
        var without = (await api.GraphQLAsync("{ me { connectedAccounts { provider grantedScopes } } }", token: api.UserToken(user.Id))).DataOrFail();
        Assert.Equal("mastodon", (string?)without["me"]!["connectedAccounts"]![0]!["provider"]);
        var read = Assert.Single(api.Statements, s => s.Contains("connected_accounts"));
        Assert.DoesNotContain("connected_account_fields", read);

        api.Statements.Clear();
        var with = (await api.GraphQLAsync("{ me { connectedAccounts { provider shared { name value } } } }", token: api.UserToken(user.Id))).DataOrFail();
        Assert.Equal("@projection", (string?)with["me"]!["connectedAccounts"]![0]!["shared"]![0]!["value"]);
        Assert.Contains(api.Statements, s => s.Contains("connected_account_fields"));

        // Asked for under an alias or through a fragment, it is asked for all the same.
        var aliased = (await api.GraphQLAsync("{ me { connectedAccounts { s: shared { value } } } }", token: api.UserToken(user.Id))).DataOrFail();
        Assert.Equal("@projection", (string?)aliased["me"]!["connectedAccounts"]![0]!["s"]![0]!["value"]);
        var fragment = (await api.GraphQLAsync("{ me { connectedAccounts { ...F } } } fragment F on ConnectedAccount { shared { value } }", token: api.UserToken(user.Id))).DataOrFail();
        Assert.Equal("@projection", (string?)fragment["me"]!["connectedAccounts"]![0]!["shared"]![0]!["value"]);
    }

    // Issue 10: every page after a cursor is one parameterized statement (one cached query, one prepared
    // statement), not a new query text per cursor.
    [Fact]
    public async Task PagesAfterDifferentCursors_SendTheSameStatement()
    {
        for (var i = 0; i < 3; i++) await api.CreateUserAsync($"cursor-{i}@example.org");
        const string query = "query($after: String) { users(first: 1, after: $after, where: { emailContains: \"cursor-\" }) { nodes { id } pageInfo { endCursor } } }";
        var statements = new List<string>();
        string? after = null;
        for (var page = 0; page < 3; page++)
        {
            api.Statements.Clear();
            var users = (await api.GraphQLAsync(query, new { after }, api.StaffToken())).DataOrFail()["users"]!;
            var id = (string)users["nodes"]![0]!["id"]!;
            var sql = Assert.Single(api.Statements, s => s.Contains("FROM users"));
            Assert.DoesNotContain(id, sql, StringComparison.OrdinalIgnoreCase);
            if (after is not null) statements.Add(sql);
            after = (string?)users["pageInfo"]!["endCursor"];
        }
        Assert.Equal(2, statements.Count);
        Assert.Equal(statements[0], statements[1]);
    }
}
