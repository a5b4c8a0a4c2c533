using System.Collections.Concurrent;
using System.Data.Common;
using Imail.Domain.ConnectedAccounts;
using Imail.Domain.Consents;
using Imail.Domain.Persistence;
using Imail.Domain.Policies;
using Imail.Domain.Users;
using Imail.Testing;
using Imail.Worker.Tests.Purge;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace Imail.Worker.Tests.Policies;

/// <summary>Policy versions written through the domain's <see cref="PolicyBook"/> on a database of the test's own, every statement logged.</summary>
internal static class PolicyFixture
{
    public static readonly ConnectedAccountProviders Providers = new();

    public static PolicyVersionChange Change(DateTimeOffset effectiveAt, bool substantial = true, bool lowersPrivacy = false,
        IReadOnlyCollection<ConsentPurpose>? purposes = null, IReadOnlyCollection<ProviderScopeRef>? scopes = null) => new(
        effectiveAt, substantial, lowersPrivacy,
        new LocalizedTextChange("Résumé des changements.", "Samenvatting van de wijzigingen.", "Summary of the changes."),
        new LocalizedTextChange("Texte complet.", "Volledige tekst.", "Full text."),
        purposes, scopes);

    /// <summary>A DbContext whose every statement (reads included) lands in <paramref name="statements"/>.</summary>
    public static ImailDbContext Db(this PurgeDatabase db, ConcurrentQueue<string>? statements = null)
    {
        var options = new DbContextOptionsBuilder<ImailDbContext>(DatabaseSetup.Options(db.ConnectionString));
        if (statements is not null) options.AddInterceptors(new AllStatements(statements));
        return new ImailDbContext(options.Options);
    }

    public static async Task<PolicyVersion> DraftAsync(this PurgeDatabase db, string number, PolicyVersionChange change)
    {
        await using var context = db.Db();
        return await new PolicyBook(context, db.Clock).DraftAsync(number, change, Providers, CancellationToken.None);
    }

    public static async Task<Publication> PublishAsync(this PurgeDatabase db, string number, int batchSize = 10_000, ConcurrentQueue<string>? statements = null)
    {
        await using var context = db.Db(statements);
        return await new PolicyBook(context, db.Clock).PublishAsync(number, new PolicyOptions { AnnouncementBatchSize = batchSize }, CancellationToken.None);
    }

    public static async Task<User> SignUpAsync(this PurgeDatabase db, string email, string locale)
    {
        var user = User.SignUp(email, $"Name of {email}", locale, db.Clock.GetUtcNow());
        await db.InsertAsync(user);
        return user;
    }

    private sealed class AllStatements(ConcurrentQueue<string> statements) : DbCommandInterceptor
    {
        public override ValueTask<InterceptionResult<DbDataReader>> ReaderExecutingAsync(DbCommand command, CommandEventData eventData,
            InterceptionResult<DbDataReader> result, CancellationToken ct = default)
        {
            statements.Enqueue(command.CommandText);
            return base.ReaderExecutingAsync(command, eventData, result, ct);
        }

        public override ValueTask<InterceptionResult<int>> NonQueryExecutingAsync(DbCommand command, CommandEventData eventData,
            InterceptionResult<int> result, CancellationToken ct = default)
        {
            statements.Enqueue(command.CommandText);
            return base.NonQueryExecutingAsync(command, eventData, result, ct);
        }
    }
}
