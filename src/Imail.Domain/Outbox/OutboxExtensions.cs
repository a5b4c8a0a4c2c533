using Imail.Domain.Persistence;

namespace Imail.Domain.Outbox;

public static class OutboxExtensions
{
    /// <summary>
    /// Adds a message to the unit of work: it is written by the same <c>SaveChanges</c> as the
    /// change that causes it, so a rolled-back change sends nothing.
    /// </summary>
    public static OutboxMessage Enqueue<T>(this ImailDbContext db, string kind, T payload, Guid? userId, DateTimeOffset now)
    {
        var message = OutboxMessage.Create(kind, payload, userId, now);
        db.OutboxMessages.Add(message);
        return message;
    }
}

/// <summary>The PostgreSQL channel a trigger notifies when outbox rows are added or become due again.</summary>
public static class OutboxChannel
{
    public const string Name = "imail_outbox";
}
