using Imail.Worker.Purge;
using Imail.Worker.Schedules;
using Microsoft.Extensions.DependencyInjection;

namespace Imail.Worker.Tests.Purge;

/// <summary>P7 for the outbox, on a real database of each test's own, with a clock the test sets.</summary>
public sealed class OutboxCleanupJobTests : IAsyncLifetime
{
    private readonly PurgeDatabase _db = new();
    private DateTimeOffset Now => _db.Clock.GetUtcNow();

    public Task InitializeAsync() => _db.InitializeAsync();
    public Task DisposeAsync() => _db.DisposeAsync();

    [Fact]
    public async Task DeliveredMessagesPastThePeriod_LoseTheirPayload_AndNoOthers()
    {
        var due = (await _db.InsertMessagesAsync("Delivered", Now.AddDays(-2), deliveredAt: Now.AddHours(-25)))[0];
        var recent = (await _db.InsertMessagesAsync("Delivered", Now.AddDays(-2), deliveredAt: Now.AddHours(-23)))[0];
        var pending = (await _db.InsertMessagesAsync("Pending", Now.AddDays(-3)))[0];
        var dead = (await _db.InsertMessagesAsync("Dead", Now.AddDays(-3), deadAt: Now.AddDays(-3)))[0];
        var alreadyPurged = (await _db.InsertMessagesAsync("Delivered", Now.AddDays(-3), deliveredAt: Now.AddDays(-3),
            payload: "{}", payloadPurgedAt: Now.AddDays(-2)))[0];

        var result = await _db.RunOutboxCleanupAsync();

        Assert.Equal(1, PayloadsEmptied(result));
        Assert.Equal(0, result.Deleted);
        Assert.Equal(new PurgeDatabase.Row(due, "Delivered", "{}", Now), await _db.FindAsync(due));
        foreach (var untouched in new[] { recent, pending, dead })
        {
            var row = await _db.FindAsync(untouched);
            Assert.Equal(PurgeDatabase.PersonalPayload, row!.Payload);
            Assert.Null(row.PayloadPurgedAt);
        }
        Assert.Equal(Now.AddDays(-2), (await _db.FindAsync(alreadyPurged))!.PayloadPurgedAt);
    }

    [Fact]
    public async Task AWebhookDelivery_KeepsItsPayload_TwoIdsThePartnersDeliveryListReads()
    {
        const string ids = """{"eventId": "01a22688-5a80-74e0-9b89-9c503a267cf0", "eventType": "policyVersionPublished", "endpointId": "01a22688-5a80-731e-8d41-c84e1624273b"}""";
        var webhook = (await _db.InsertMessagesAsync("Delivered", Now.AddDays(-3), deliveredAt: Now.AddDays(-2), payload: ids))[0];
        await _db.ExecuteAsync($"UPDATE outbox_messages SET kind = 'webhook' WHERE id = '{webhook}'");
        var email = (await _db.InsertMessagesAsync("Delivered", Now.AddDays(-3), deliveredAt: Now.AddDays(-2)))[0];

        await _db.RunOutboxCleanupAsync();

        Assert.Equal(ids, (await _db.FindAsync(webhook))!.Payload);
        Assert.Equal("{}", (await _db.FindAsync(email))!.Payload);
    }

    [Fact]
    public async Task ThePayloadPeriod_ComesFromConfiguration()
    {
        var deliveredThreeHoursAgo = (await _db.InsertMessagesAsync("Delivered", Now.AddHours(-4), deliveredAt: Now.AddHours(-3)))[0];

        var result = await _db.RunOutboxCleanupAsync(new Dictionary<string, string?> { ["Imail:Outbox:PurgePayloadAfter"] = "02:00:00" });

        Assert.Equal(1, PayloadsEmptied(result));
        Assert.Equal("{}", (await _db.FindAsync(deliveredThreeHoursAgo))!.Payload);
    }

    [Fact]
    public async Task DeliveredMessagesOlderThanTheRegistryRetention_AreDeleted_DeadAndPendingOnesStay()
    {
        // Seeded delivery_logs retention: 30 days.
        var expired = (await _db.InsertMessagesAsync("Delivered", Now.AddDays(-32), deliveredAt: Now.AddDays(-31)))[0];
        var kept = (await _db.InsertMessagesAsync("Delivered", Now.AddDays(-30), deliveredAt: Now.AddDays(-29)))[0];
        var dead = (await _db.InsertMessagesAsync("Dead", Now.AddDays(-60), deadAt: Now.AddDays(-60)))[0];
        var pending = (await _db.InsertMessagesAsync("Pending", Now.AddDays(-60)))[0];

        var result = await _db.RunOutboxCleanupAsync();

        Assert.Equal(1, result.Deleted);
        Assert.Equal(Now.AddDays(-30), result.Before);
        Assert.Null(await _db.FindAsync(expired));
        Assert.Equal("{}", (await _db.FindAsync(kept))!.Payload);
        Assert.Equal(PurgeDatabase.PersonalPayload, (await _db.FindAsync(dead))!.Payload);
        Assert.Equal(PurgeDatabase.PersonalPayload, (await _db.FindAsync(pending))!.Payload);
    }

    [Fact]
    public async Task AChangedRetentionInTheRegistry_ChangesWhatIsDeleted_AtTheNextRun()
    {
        var fifteenDaysOld = (await _db.InsertMessagesAsync("Delivered", Now.AddDays(-15), deliveredAt: Now.AddDays(-15)))[0];
        var fiveDaysOld = (await _db.InsertMessagesAsync("Delivered", Now.AddDays(-5), deliveredAt: Now.AddDays(-5)))[0];
        Assert.Equal(0, (await _db.RunOutboxCleanupAsync()).Deleted);

        await _db.ExecuteAsync("UPDATE data_categories SET retention_months = 0, retention_days = 10 WHERE code = 'delivery_logs'");
        var result = await _db.RunOutboxCleanupAsync();

        Assert.Equal(1, result.Deleted);
        Assert.Null(await _db.FindAsync(fifteenDaysOld));
        Assert.NotNull(await _db.FindAsync(fiveDaysOld));

        // Months are calendar months: one month before 27 November is 27 October.
        await _db.ExecuteAsync("UPDATE data_categories SET retention_months = 1, retention_days = 0 WHERE code = 'delivery_logs'");
        Assert.Equal(new DateTimeOffset(2026, 10, 27, 3, 17, 0, TimeSpan.Zero), (await _db.RunOutboxCleanupAsync()).Before);
    }

    [Fact]
    public async Task TwelveThousandRows_AreHandledInBatchesOfFiveThousand_OneShortStatementEach()
    {
        await _db.InsertMessagesAsync("Delivered", Now.AddDays(-41), deliveredAt: Now.AddDays(-40), count: 12_000);
        await _db.InsertMessagesAsync("Delivered", Now.AddDays(-3), deliveredAt: Now.AddDays(-2), count: 12_000);

        var result = await _db.RunOutboxCleanupAsync(new Dictionary<string, string?> { ["Imail:Schedules:OutboxCleanup:BatchSize"] = "5000" });

        // 3 + 3 statements, then one each for the discarded messages, the dead ones to forget and the partner events (none here).
        Assert.Equal((12_000, 12_000, 9), (result.Deleted, PayloadsEmptied(result), result.Statements));
        var statements = _db.Statements.Select(PurgeDatabase.Folded).ToList();
        Assert.Equal(9, statements.Count);
        Assert.All(statements.Take(3), sql => Assert.Equal(
            "DELETE FROM outbox_messages WHERE ctid = ANY(ARRAY( SELECT ctid FROM outbox_messages WHERE state = 'Delivered' AND delivered_at < @p0 " +
            "ORDER BY delivered_at LIMIT @p1 FOR UPDATE SKIP LOCKED))", sql));
        Assert.All(statements.Skip(3).Take(3), sql => Assert.Equal(
            "UPDATE outbox_messages SET payload = '{}'::jsonb, payload_purged_at = @p0 WHERE id = ANY(ARRAY( SELECT id FROM outbox_messages " +
            "WHERE state = 'Delivered' AND payload_purged_at IS NULL AND delivered_at < @p1 AND kind <> 'webhook' ORDER BY delivered_at LIMIT @p2 FOR UPDATE SKIP LOCKED))", sql));
        Assert.Equal(12_000L, await _db.ScalarAsync<long>("SELECT count(*) FROM outbox_messages WHERE payload = '{}'::jsonb"));
    }

    [Fact]
    public async Task PartnerEventsOlderThanTheEventRetention_AreDeleted_InBatches_NewerOnesStay()
    {
        await _db.ExecuteAsync($"""
            INSERT INTO partner_events (id, type, body, occurred_at, logged_at)
            SELECT gen_random_uuid(), 'policyVersionPublished', '{"{}"}', at, at
            FROM (SELECT '{Now.AddDays(-11):O}'::timestamptz AS at FROM generate_series(1, 5)
                  UNION ALL SELECT '{Now.AddDays(-9):O}'::timestamptz FROM generate_series(1, 2)) AS e
            """);

        var result = await _db.RunOutboxCleanupAsync(new Dictionary<string, string?>
        {
            ["Imail:Partners:EventRetention"] = "10.00:00:00",
            ["Imail:Schedules:OutboxCleanup:BatchSize"] = "2",
        });

        Assert.Equal(5, Step(result, "partner events"));
        Assert.Contains($"5 partner events deleted (logged before {Now.AddDays(-10):u}, Imail:Partners:EventRetention 10.00:00:00)", result.ToString());
        Assert.Equal(2L, await _db.ScalarAsync<long>("SELECT count(*) FROM partner_events"));
        Assert.Equal(3, _db.Statements.Select(PurgeDatabase.Folded).Count(sql => sql.StartsWith("DELETE FROM partner_events", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task ASecondRun_FindsNothingLeftToDo()
    {
        await _db.InsertMessagesAsync("Delivered", Now.AddDays(-41), deliveredAt: Now.AddDays(-40), count: 3);
        await _db.InsertMessagesAsync("Delivered", Now.AddDays(-3), deliveredAt: Now.AddDays(-2), count: 3);
        Assert.Equal((3, 3), await RunAsync());

        Assert.Equal((0, 0), await RunAsync());

        async Task<(int, int)> RunAsync()
        {
            var result = await _db.RunOutboxCleanupAsync();
            return (result.Deleted, PayloadsEmptied(result));
        }
    }

    [Fact]
    public async Task ADryRun_CountsWhatARunThenDeletesAndEmpties_AndChangesNothing()
    {
        await _db.InsertMessagesAsync("Delivered", Now.AddDays(-41), deliveredAt: Now.AddDays(-40), count: 2_500);
        await _db.InsertMessagesAsync("Delivered", Now.AddDays(-3), deliveredAt: Now.AddDays(-2), count: 1_500);
        await _db.InsertMessagesAsync("Dead", Now.AddDays(-60), deadAt: Now.AddDays(-60));
        var settings = new Dictionary<string, string?> { ["Imail:Schedules:OutboxCleanup:BatchSize"] = "1000" };
        const string stillPersonal = $"SELECT count(*) FROM outbox_messages WHERE payload = '{PurgeDatabase.PersonalPayload}'::jsonb AND payload_purged_at IS NULL";

        PurgeResult dry;
        await using (var services = _db.Services(settings))
            dry = await services.GetRequiredService<OutboxCleanupJob>().DryRunAsync(CancellationToken.None);

        // Only the 1,500 left after the deletions have a payload to empty: the dry run counts as the run goes. (One statement more: the partner events, none.)
        Assert.Equal((2_500, 1_500, 8), (dry.Deleted, PayloadsEmptied(dry), dry.Statements));
        Assert.Equal(4_001L, await _db.ScalarAsync<long>(stillPersonal));
        var run = await _db.RunOutboxCleanupAsync(settings);
        Assert.Equal((2_500, 1_500, 8), (run.Deleted, PayloadsEmptied(run), run.Statements));
        Assert.Equal(1L, await _db.ScalarAsync<long>(stillPersonal));
    }

    [Fact]
    public async Task P7_DiscardedMessages_AreDeletedLikeDeliveredOnes_PastTheRegistryRetention()
    {
        // The relay dated the discard in payload_purged_at when it emptied the payload. Seeded retention: 30 days.
        var old = (await _db.InsertMessagesAsync("Discarded", Now.AddDays(-40), payload: "{}", payloadPurgedAt: Now.AddDays(-31)))[0];
        var recent = (await _db.InsertMessagesAsync("Discarded", Now.AddDays(-40), payload: "{}", payloadPurgedAt: Now.AddDays(-29)))[0];

        var result = await _db.RunOutboxCleanupAsync();

        Assert.Equal(1, Step(result, "discarded messages"));
        Assert.Null(await _db.FindAsync(old));
        Assert.NotNull(await _db.FindAsync(recent));
        Assert.Contains("1 discarded messages deleted (discarded before 2026-10-28 03:17:00Z, delivery_logs retention P30D)", result.ToString());
    }

    [Fact]
    public async Task P8_ADeadMessageToForgetOnDelivery_LosesItsPayloadAfterTheDelay_OtherDeadOnesKeepTheirs()
    {
        var forget = (await _db.InsertMessagesAsync("Dead", Now.AddDays(-3), deadAt: Now.AddHours(-25)))[0];
        var forgetRecent = (await _db.InsertMessagesAsync("Dead", Now.AddDays(-3), deadAt: Now.AddHours(-23)))[0];
        var requeueable = (await _db.InsertMessagesAsync("Dead", Now.AddDays(-3), deadAt: Now.AddDays(-3)))[0];
        await _db.ExecuteAsync($"UPDATE outbox_messages SET erase_payload_on_delivery = true WHERE id IN ('{forget}', '{forgetRecent}')");

        var result = await _db.RunOutboxCleanupAsync();
        var again = await _db.RunOutboxCleanupAsync();

        Assert.Equal((1, 0), (Step(result, "payloads of dead messages to forget"), Step(again, "payloads of dead messages to forget")));
        Assert.Equal(new PurgeDatabase.Row(forget, "Dead", "{}", Now), await _db.FindAsync(forget));
        Assert.Equal(PurgeDatabase.PersonalPayload, (await _db.FindAsync(forgetRecent))!.Payload);
        Assert.Equal(PurgeDatabase.PersonalPayload, (await _db.FindAsync(requeueable))!.Payload);
    }

    [Fact]
    public async Task AnOperator_RunsItByName()
    {
        var expired = (await _db.InsertMessagesAsync("Delivered", Now.AddDays(-41), deliveredAt: Now.AddDays(-40)))[0];
        await using var services = _db.Services();

        Assert.Equal(2, await ScheduledJobs.RunJobByNameAsync(services, "no-such-job"));
        Assert.NotNull(await _db.FindAsync(expired));

        Assert.Equal(0, await ScheduledJobs.RunJobByNameAsync(services, "outbox-cleanup"));
        Assert.Null(await _db.FindAsync(expired));
    }

    [Fact]
    public async Task TheWorkerProgram_RunsAJob_AndExits()
    {
        // The worker reads the real clock.
        var expired = (await _db.InsertMessagesAsync("Delivered", DateTimeOffset.UtcNow.AddDays(-41), deliveredAt: DateTimeOffset.UtcNow.AddDays(-40)))[0];

        var exitCode = await WorkerProgram.Main([ScheduledJobs.RunJobCommand, "outbox-cleanup", $"--ConnectionStrings:Imail={_db.ConnectionString}"]);

        Assert.Equal(0, exitCode);
        Assert.Null(await _db.FindAsync(expired));
        Assert.Equal(2, await WorkerProgram.Main([ScheduledJobs.RunJobCommand, $"--ConnectionStrings:Imail={_db.ConnectionString}"]));
    }

    private static int Step(PurgeResult result, string rows) => result.Counts.Single(c => c.Rows == rows).Count;

    /// <summary>The second step: payloads emptied.</summary>
    private static int PayloadsEmptied(PurgeResult result) => result.Counts[1].Count;
}
