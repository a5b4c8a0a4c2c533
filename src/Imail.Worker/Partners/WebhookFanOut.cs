using Imail.Domain.Partners;
using Npgsql;
using NpgsqlTypes;

namespace Imail.Worker.Partners;

/// <summary>
/// Owes each logged event to every active endpoint that wants its type: one statement for the whole batch
/// (<see cref="WebhookDeliveries.FanOutSql"/>), in the transaction that logs the events. The outbox trigger's
/// NOTIFY, at commit, wakes the relays that deliver them.
/// </summary>
public sealed partial class WebhookFanOut(TimeProvider clock, ILogger<WebhookFanOut> log) : IPartnerEventFanOut
{
    public async Task FanOutAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, Guid[] eventIds, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand(WebhookDeliveries.FanOutSql, connection, transaction);
        command.Parameters.Add(new NpgsqlParameter<Guid[]>("event_ids", NpgsqlDbType.Array | NpgsqlDbType.Uuid) { TypedValue = eventIds });
        command.Parameters.Add(new NpgsqlParameter<DateTimeOffset>("now", NpgsqlDbType.TimestampTz) { TypedValue = clock.GetUtcNow() });
        var owed = await command.ExecuteNonQueryAsync(ct);
        if (owed > 0) Owed(owed, eventIds.Length);
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "{Deliveries} webhook deliveries owed for {Events} partner events")]
    private partial void Owed(int deliveries, int events);
}
