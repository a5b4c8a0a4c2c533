using Imail.Domain.Outbox;
using Imail.Domain.Persistence;
using Imail.Domain.Users;
using Imail.Testing;
using Microsoft.EntityFrameworkCore;

namespace Imail.Worker.Tests.Relay;

/// <summary>Puts e-mails in the outbox the way a mutation does, and reads rows back, for relay tests.</summary>
public static class OutboxProbe
{
    public static ImailDbContext Db(string connectionString) => new(DatabaseSetup.Options(connectionString));

    /// <summary>Enqueues e-mails in one committed transaction (one NOTIFY), to unique addresses.</summary>
    public static async Task<List<Guid>> EnqueueEmailsAsync(string connectionString, TimeProvider clock, int count = 1,
        Locale locale = Locale.Fr, string template = EmailTemplates.SignUpConfirmation)
    {
        await using var db = Db(connectionString);
        var run = Guid.NewGuid().ToString("N")[..8];
        var ids = new List<Guid>(count);
        for (var i = 0; i < count; i++)
        {
            var payload = new EmailPayload($"r{i}-{run}@example.org", $"Recipient {i}", locale, new Dictionary<string, string>());
            ids.Add(db.Enqueue(EmailTemplates.KindPrefix + template, payload, null, clock.GetUtcNow()).Id);
        }
        await db.SaveChangesAsync();
        return ids;
    }

    public static async Task<OutboxMessage> RowAsync(string connectionString, Guid id)
    {
        await using var db = Db(connectionString);
        return await db.OutboxMessages.AsNoTracking().SingleAsync(m => m.Id == id);
    }

    public static Task<OutboxMessage> WaitForRowAsync(string connectionString, Guid id, Func<OutboxMessage, bool> done, string what, TimeSpan? timeout = null) =>
        Eventually.Async(() => RowAsync(connectionString, id), done, what, timeout);

    public static async Task<Dictionary<OutboxState, int>> CountByStateAsync(string connectionString)
    {
        await using var db = Db(connectionString);
        return await db.OutboxMessages.GroupBy(m => m.State).Select(g => new { g.Key, Count = g.Count() }).ToDictionaryAsync(x => x.Key, x => x.Count);
    }

    /// <summary>The outbox id an e-mail carries in its Message-ID (<c>&lt;id@domain&gt;</c>).</summary>
    public static Guid OutboxId(this ReceivedEmail email) => Guid.Parse(email.MessageId!.Split('@')[0]);
}
