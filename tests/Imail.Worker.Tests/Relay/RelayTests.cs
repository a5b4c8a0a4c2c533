using System.Diagnostics;
using Imail.Domain.Outbox;
using Imail.Testing;
using Npgsql;
using Xunit.Abstractions;

namespace Imail.Worker.Tests.Relay;

public class RelayTests(RelayFixture fixture, ITestOutputHelper output) : IClassFixture<RelayFixture>
{
    private string Db => fixture.ConnectionString;
    private SmtpTestServer Smtp => fixture.Smtp;

    [Fact]
    public async Task ACommittedMessage_LeavesWithinMilliseconds_WokenByNotify()
    {
        var latencies = new List<double>();
        for (var i = 0; i < 20; i++)
        {
            var id = (await OutboxProbe.EnqueueEmailsAsync(Db, fixture.Clock)).Single();
            var committed = Stopwatch.GetTimestamp();
            var email = await Smtp.WaitForAsync(e => e.OutboxId() == id, TimeSpan.FromSeconds(5));
            latencies.Add(Stopwatch.GetElapsedTime(committed, email.Timestamp).TotalMilliseconds);
        }

        latencies.Sort();
        output.WriteLine($"commit → SMTP acceptance over {latencies.Count} messages: p50 {latencies[latencies.Count / 2]:0.0} ms, max {latencies[^1]:0.0} ms");
        // The poll interval is an hour of a clock nobody moves: only NOTIFY can have woken the relay.
        Assert.True(latencies[latencies.Count / 2] < 500, $"p50 {latencies[latencies.Count / 2]:0.0} ms");
    }

    [Fact]
    public async Task ARolledBackTransaction_SendsNothing()
    {
        Guid rolledBack;
        await using (var db = OutboxProbe.Db(Db))
        await using (var transaction = await db.Database.BeginTransactionAsync())
        {
            rolledBack = db.Enqueue(EmailTemplates.KindPrefix + EmailTemplates.SignUpConfirmation,
                new EmailPayload("never@example.org", null, Domain.Users.Locale.Fr, new Dictionary<string, string>()), null, fixture.Clock.GetUtcNow()).Id;
            await db.SaveChangesAsync();
            await transaction.RollbackAsync();
        }
        var committed = (await OutboxProbe.EnqueueEmailsAsync(Db, fixture.Clock)).Single();

        await Smtp.WaitForAsync(e => e.OutboxId() == committed);
        Assert.DoesNotContain(Smtp.Received, e => e.OutboxId() == rolledBack || e.To.Contains("never@example.org"));
        await using var check = OutboxProbe.Db(Db);
        Assert.False(check.OutboxMessages.Any(m => m.Id == rolledBack));
    }

    [Fact]
    public async Task A4xxReply_IsRetriedAfterTheBackoff()
    {
        Smtp.RefuseNext(1, 451, "4.3.0 Try again later");
        var id = (await OutboxProbe.EnqueueEmailsAsync(Db, fixture.Clock)).Single();

        var failed = await OutboxProbe.WaitForRowAsync(Db, id, m => m.Attempts == 1 && m.LeasedUntil is null && m.LastError is not null, "first attempt recorded");
        Assert.Equal(OutboxState.Pending, failed.State);
        Assert.StartsWith("SMTP 451", failed.LastError);
        // 5 s ± 20 %
        Assert.InRange(failed.AvailableAt - fixture.Clock.GetUtcNow(), TimeSpan.FromSeconds(4), TimeSpan.FromSeconds(6));
        Assert.DoesNotContain(Smtp.Received, e => e.OutboxId() == id);

        fixture.Clock.Advance(TimeSpan.FromSeconds(6.5));
        await Smtp.WaitForAsync(e => e.OutboxId() == id);
        var delivered = await OutboxProbe.WaitForRowAsync(Db, id, m => m.State == OutboxState.Delivered, "delivered");
        Assert.Equal((2, (string?)null), (delivered.Attempts, delivered.LastError));
    }

    [Fact]
    public async Task RetriesRunningOut_MakeADeadLetter()
    {
        Smtp.RefuseAll(452, "4.2.2 Mailbox full");
        try
        {
            var id = (await OutboxProbe.EnqueueEmailsAsync(Db, fixture.Clock)).Single();
            for (var attempt = 1; attempt < 3; attempt++)
            {
                var n = attempt;
                await OutboxProbe.WaitForRowAsync(Db, id, m => m.Attempts == n && m.LeasedUntil is null && m.LastError is not null, $"attempt {n} recorded");
                fixture.Clock.Advance(TimeSpan.FromSeconds(13)); // past 5 s, then 10 s, + 20 %
            }

            var dead = await OutboxProbe.WaitForRowAsync(Db, id, m => m.State == OutboxState.Dead, "dead letter");
            Assert.Equal(3, dead.Attempts);
            Assert.Equal(fixture.Clock.GetUtcNow(), dead.DeadAt);
            Assert.Equal("SMTP 452 4.2.2 Mailbox full (gave up after 3 attempts)", dead.LastError);
        }
        finally
        {
            Smtp.AcceptAll();
        }
    }

    [Fact]
    public async Task A5xxReply_IsADeadLetter_AndStaffRequeueDeliversIt()
    {
        Smtp.RefuseNext(1, 550, "5.1.1 <{to}>: Recipient address rejected");
        var id = (await OutboxProbe.EnqueueEmailsAsync(Db, fixture.Clock)).Single();

        var dead = await OutboxProbe.WaitForRowAsync(Db, id, m => m.State == OutboxState.Dead, "dead letter after 550");
        Assert.Equal(1, dead.Attempts);
        Assert.StartsWith("SMTP 550 5.1.1", dead.LastError);
        Assert.DoesNotContain("@example.org", dead.LastError); // the refusal quoted the address: not kept (P8)

        var listed = (await fixture.GraphQLAsync("{ outboxMessages(state: DEAD, first: 50) { nodes { id lastError } } }", token: fixture.StaffToken()))
            .DataOrFail()["outboxMessages"]!["nodes"]!.AsArray();
        Assert.Contains(listed, n => (string?)n!["id"] == id.ToString());

        var requeued = (await fixture.GraphQLAsync("mutation($id: ID!) { requeueOutboxMessage(input: { id: $id }) { errors { code } } }",
            new { id }, fixture.StaffToken())).DataOrFail()["requeueOutboxMessage"]!;
        Assert.Empty(requeued["errors"]!.AsArray());

        // No clock moved: the requeue's NOTIFY woke the relay.
        await Smtp.WaitForAsync(e => e.OutboxId() == id);
        var delivered = await OutboxProbe.WaitForRowAsync(Db, id, m => m.State == OutboxState.Delivered, "delivered after requeue");
        Assert.Equal(1, delivered.Attempts);
    }

    [Fact]
    public async Task AStalledServer_TimesOut_AndTheMessageIsRetried()
    {
        Smtp.Stall();
        Guid id;
        try
        {
            id = (await OutboxProbe.EnqueueEmailsAsync(Db, fixture.Clock)).Single();
            var failed = await OutboxProbe.WaitForRowAsync(Db, id, m => m.Attempts == 1 && m.LeasedUntil is null && m.LastError is not null, "timeout recorded");
            Assert.Contains("timed out", failed.LastError);
        }
        finally
        {
            Smtp.Resume();
        }

        fixture.Clock.Advance(TimeSpan.FromSeconds(6.5));
        await OutboxProbe.WaitForRowAsync(Db, id, m => m.State == OutboxState.Delivered, "delivered after the stall");
        // The stalled server may still have taken the first copy: at least once, same Message-ID.
        Assert.All(Smtp.Received.Where(e => e.OutboxId() == id), e => Assert.Equal($"{id}@imail.example", e.MessageId));
    }

    [Fact]
    public async Task AServerThatIsDown_IsRetried_UntilItIsBack()
    {
        await Smtp.StopAsync();
        Guid id;
        try
        {
            id = (await OutboxProbe.EnqueueEmailsAsync(Db, fixture.Clock)).Single();
            var failed = await OutboxProbe.WaitForRowAsync(Db, id, m => m.Attempts == 1 && m.LeasedUntil is null && m.LastError is not null, "refused connection recorded");
            Assert.Contains("ConnectionRefused", failed.LastError);
        }
        finally
        {
            await Smtp.RestartAsync();
        }

        fixture.Clock.Advance(TimeSpan.FromSeconds(6.5));
        await Smtp.WaitForAsync(e => e.OutboxId() == id);
    }

    [Fact]
    public async Task OneSmtpConnection_CarriesMessageAfterMessage()
    {
        await Smtp.WaitForAsync(0);
        var first = (await OutboxProbe.EnqueueEmailsAsync(Db, fixture.Clock)).Single();
        await Smtp.WaitForAsync(e => e.OutboxId() == first);
        var sessions = Smtp.Sessions;

        for (var i = 0; i < 5; i++)
        {
            var id = (await OutboxProbe.EnqueueEmailsAsync(Db, fixture.Clock, count: 3)).Last();
            await Smtp.WaitForAsync(e => e.OutboxId() == id);
        }

        Assert.Equal(sessions, Smtp.Sessions);
    }

    [Fact]
    public async Task TheNotificationConnection_ComesBackByItself()
    {
        await using (var admin = new NpgsqlConnection(Db))
        {
            await admin.OpenAsync();
            await using var kill = new NpgsqlCommand(
                "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE application_name = 'imail-relay-listener' AND datname = current_database()", admin);
            Assert.Equal(1L, await kill.ExecuteScalarAsync());
        }
        await Eventually.Async(() => Task.FromResult(fixture.Relay.Log.Any(l => l.Contains("Listening for outbox notifications again"))), x => x,
            "the listener reconnected");

        var id = (await OutboxProbe.EnqueueEmailsAsync(Db, fixture.Clock)).Single();
        await Smtp.WaitForAsync(e => e.OutboxId() == id, TimeSpan.FromSeconds(5));
        Assert.Contains(fixture.Relay.Log, l => l.StartsWith("Error") && l.Contains("Lost the outbox notification connection"));
    }

    [Fact]
    public async Task LosingEveryDatabaseConnection_IsLoggedAndSurvived()
    {
        // What a PostgreSQL restart does to the relay (R3), without restarting the cluster other tests share.
        await using (var admin = new NpgsqlConnection(Db))
        {
            await admin.OpenAsync();
            await using var kill = new NpgsqlCommand(
                "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE application_name LIKE 'imail-relay%' AND datname = current_database()", admin);
            Assert.True((long)(await kill.ExecuteScalarAsync())! >= 1);
        }

        var id = (await OutboxProbe.EnqueueEmailsAsync(Db, fixture.Clock)).Single();
        await Smtp.WaitForAsync(e => e.OutboxId() == id, TimeSpan.FromSeconds(30));
        await OutboxProbe.WaitForRowAsync(Db, id, m => m.State == OutboxState.Delivered, "recorded delivered");
        Assert.DoesNotContain(fixture.Relay.Log, l => l.Contains("Unhandled"));
    }
}
