using System.Security.Cryptography;
using Imail.Domain.Consents;
using Imail.Domain.Persistence;
using Imail.Worker.Purge;
using Imail.Worker.Schedules;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace Imail.Worker.Tests.Purge;

/// <summary>
/// P5/P7/P8: a proof of consent lives for the registry's consent_proofs retention, counted from the
/// period's last decision; an ended period then goes with its choices and records, in batches.
/// </summary>
public sealed class ConsentProofPurgeJobTests : IAsyncLifetime
{
    private static readonly ReceiptSigner Signer = new(ECDsa.Create(ECCurve.NamedCurves.nistP256));
    private readonly PurgeDatabase _db = new();
    private DateTimeOffset Now => _db.Clock.GetUtcNow();

    public Task InitializeAsync() => _db.InitializeAsync();
    public Task DisposeAsync() => _db.DisposeAsync();

    [Fact]
    public async Task P5_ProofOfConsentIsDeletedPastItsRetention()
    {
        // Seeded consent_proofs retention: 60 months, from the decision. Now is 27 November 2026 03:17 UTC.
        var boundary = new DateTimeOffset(2021, 11, 27, 3, 17, 0, TimeSpan.Zero);
        // Both periods were opened long before the limit: what counts is their last decision.
        var past = await PeriodAsync(boundary.AddMonths(-3), lastDecisionAt: boundary.AddSeconds(-1), endedAt: boundary.AddMonths(2));
        var atTheBoundary = await PeriodAsync(boundary.AddMonths(-3), lastDecisionAt: boundary, endedAt: boundary.AddMonths(2));
        var recent = await PeriodAsync(Now.AddMonths(-14), lastDecisionAt: Now.AddMonths(-14), endedAt: Now.AddMonths(-1));
        Assert.Equal((2L, 2L), (await CountAsync("consent_choices", past), await CountAsync("consent_records", past)));

        var result = await RunAsync();

        Assert.Equal((1, boundary, "P5Y", 3), (result.Deleted, result.Before, result.Retention.Iso8601, result.Statements)); // periods, devices, anonymous proofs
        Assert.Equal([atTheBoundary, recent], await RemainingAsync());
        Assert.Equal((0L, 0L), (await CountAsync("consent_choices", past), await CountAsync("consent_records", past)));
        Assert.Equal((2L, 2L), (await CountAsync("consent_choices", atTheBoundary), await CountAsync("consent_records", atTheBoundary)));
        Assert.Equal(0, (await RunAsync()).Deleted);
    }

    [Fact]
    public async Task P5_ACurrentConsentIsNeverPurged()
    {
        // Ten years old and long past its expiry, but not ended: it is still the visitor's period.
        var current = await PeriodAsync(Now.AddYears(-10), lastDecisionAt: Now.AddYears(-10), endedAt: null);
        var ended = await PeriodAsync(Now.AddYears(-10), lastDecisionAt: Now.AddYears(-10), endedAt: Now.AddYears(-9));

        Assert.Equal(1, (await RunAsync()).Deleted);

        Assert.Equal([current], await RemainingAsync());
        Assert.DoesNotContain(ended, await RemainingAsync());
        Assert.Equal((2L, 1L), (await CountAsync("consent_choices", current), await CountAsync("consent_records", current)));
    }

    [Fact]
    public async Task P7_AChangedRetentionInTheRegistryChangesWhatIsDeleted()
    {
        var fortyDaysOld = await PeriodAsync(Now.AddDays(-50), lastDecisionAt: Now.AddDays(-40), endedAt: Now.AddDays(-30));
        var tenDaysOld = await PeriodAsync(Now.AddDays(-20), lastDecisionAt: Now.AddDays(-10), endedAt: Now.AddDays(-5));
        Assert.Equal(0, (await RunAsync()).Deleted);

        await _db.ExecuteAsync("UPDATE data_categories SET retention_months = 1, retention_days = 0 WHERE code = 'consent_proofs'");

        var result = await RunAsync();
        Assert.Equal((1, "P1M"), (result.Deleted, result.Retention.Iso8601));
        Assert.Equal([tenDaysOld], await RemainingAsync());
        Assert.DoesNotContain(fortyDaysOld, await RemainingAsync());
    }

    [Fact]
    public async Task P7_TwoThousandFiveHundredPeriods_AreDeletedInBatchesOfAThousand_OneShortStatementEach()
    {
        await InsertManyAsync(Now.AddMonths(-75), 2_500);
        await InsertManyAsync(Now.AddMonths(-30), 10);
        var settings = new Dictionary<string, string?> { ["Imail:Schedules:ConsentProofPurge:BatchSize"] = "1000" };

        var result = await RunAsync(settings);

        Assert.Equal((2_500, 5), (result.Deleted, result.Statements)); // three batches of periods, one of devices, one of anonymous proofs
        var statements = _db.Statements.Select(PurgeDatabase.Folded).Where(sql => sql.StartsWith("DELETE FROM consents", StringComparison.Ordinal)).ToList();
        Assert.Equal(3, statements.Count);
        Assert.All(statements, sql => Assert.Equal(
            "DELETE FROM consents WHERE ctid = ANY(ARRAY( SELECT c.ctid FROM consents AS c " +
            "WHERE c.ended_at IS NOT NULL AND c.first_deposit_at < @p0 " +
            "AND NOT EXISTS (SELECT 1 FROM consent_records AS r WHERE r.consent_id = c.id AND r.decided_at >= @p1) " +
            "ORDER BY c.first_deposit_at LIMIT @p2 FOR UPDATE OF c SKIP LOCKED))", sql));
        Assert.Equal(10L, await _db.ScalarAsync<long>("SELECT count(*) FROM consents"));
        Assert.Equal(20L, await _db.ScalarAsync<long>("SELECT count(*) FROM consent_choices"));
        Assert.Equal(10L, await _db.ScalarAsync<long>("SELECT count(*) FROM consent_records"));
        Assert.Equal(0, (await RunAsync(settings)).Deleted);
    }

    [Fact]
    public async Task P8_ADeviceGoes_OnceItsCookieEndedBeforeTheRetention_AndNoPeriodProofOrPageViewNamesIt()
    {
        // Seeded consent_proofs retention: 60 months. The cookie's end counts, like a proof's decision.
        var forgotten = await DeviceAsync(cookieExpiresAt: Now.AddMonths(-61));
        var stillNamedByAPeriod = await DeviceAsync(cookieExpiresAt: Now.AddMonths(-61));
        var period = await PeriodAsync(Now.AddMonths(-10), lastDecisionAt: Now.AddMonths(-10), endedAt: null);
        await _db.ExecuteAsync($"UPDATE consents SET visitor_id = '{stillNamedByAPeriod}' WHERE id = '{period}'");
        var stillNamedByAPageView = await DeviceAsync(cookieExpiresAt: Now.AddMonths(-61));
        await _db.ExecuteAsync($"""
            INSERT INTO navigation_events (id, visitor_id, kind, name, front_end, occurred_at)
            VALUES ('{Guid.NewGuid()}', '{stillNamedByAPageView}', 'PageView', '/inbox', 'webmail', now())
            """);
        var recent = await DeviceAsync(cookieExpiresAt: Now.AddMonths(-59));

        var result = await RunAsync();

        Assert.Equal(1, DevicesDeleted(result));
        var left = await _db.ScalarAsync<long>($"SELECT count(*) FROM visitors WHERE id IN ('{stillNamedByAPeriod}', '{stillNamedByAPageView}', '{recent}')");
        Assert.Equal(3L, left);
        Assert.Equal(0L, await _db.ScalarAsync<long>($"SELECT count(*) FROM visitors WHERE id = '{forgotten}'"));
    }

    [Fact]
    public async Task P8_TheAnonymousProofsAnErasureKept_GoPastTheSameRetention_AWholeDayAtATime()
    {
        // The limit is 27 November 2021 03:17 UTC: a proof of the 26th is past it all day long; one of the 27th is not yet.
        await AnonymousProofAsync(new DateOnly(2021, 11, 26));
        await AnonymousProofAsync(new DateOnly(2021, 11, 27));
        await AnonymousProofAsync(new DateOnly(2025, 1, 1));

        var result = await RunAsync();

        Assert.Equal(1, result.Counts.Single(c => c.Rows == "anonymous proofs kept after an erasure").Count);
        Assert.Contains("1 anonymous proofs kept after an erasure deleted (decided on a day before 2021-11-27 03:17:00Z, consent_proofs retention P5Y)", result.ToString());
        Assert.Equal(0L, await _db.ScalarAsync<long>("SELECT count(*) FROM anonymous_consent_proofs WHERE decided_on < '2021-11-27'"));
        Assert.Equal(2L, await _db.ScalarAsync<long>("SELECT count(*) FROM anonymous_consent_proofs"));
    }

    private Task AnonymousProofAsync(DateOnly decidedOn) => _db.ExecuteAsync($"""
        INSERT INTO anonymous_consent_proofs (id, decided_on, action, decided_signed_in, granted, refused, policy_version, banner_version, front_end)
        VALUES ('{Guid.NewGuid()}', '{decidedOn:yyyy-MM-dd}', 'Granted', true, ARRAY['statistics'], ARRAY[]::text[], '2026-01', 'v3', 'webmail')
        """);

    [Fact]
    public async Task ADryRun_CountsWhatARunThenDeletes_AndDeletesNothing()
    {
        await InsertManyAsync(Now.AddMonths(-75), 2_500);
        await InsertManyAsync(Now.AddMonths(-30), 10);
        await DeviceAsync(cookieExpiresAt: Now.AddMonths(-61));
        // A device only an old period and its proof name: it goes in the same run, after them, and the dry run sees that too.
        var freedByThePurge = await DeviceAsync(cookieExpiresAt: Now.AddMonths(-61));
        var period = await PeriodAsync(Now.AddMonths(-75), lastDecisionAt: Now.AddMonths(-75), endedAt: Now.AddMonths(-62));
        await _db.ExecuteAsync($"UPDATE consents SET visitor_id = '{freedByThePurge}' WHERE id = '{period}'");
        await _db.ExecuteAsync($"UPDATE consent_records SET visitor_id = '{freedByThePurge}' WHERE consent_id = '{period}'");
        var settings = new Dictionary<string, string?> { ["Imail:Schedules:ConsentProofPurge:BatchSize"] = "1000" };
        var before = await TableCountsAsync();

        var dry = await RunAsync(settings, dryRun: true);

        Assert.Equal((2_501, 2, 5), (dry.Deleted, DevicesDeleted(dry), dry.Statements));
        Assert.Equal(before, await TableCountsAsync());
        var run = await RunAsync(settings);
        Assert.Equal((2_501, 2, 5), (run.Deleted, DevicesDeleted(run), run.Statements));
        Assert.Equal((10L, 20L, 10L, 0L), await TableCountsAsync());
    }

    private async Task<(long, long, long, long)> TableCountsAsync() => (
        await _db.ScalarAsync<long>("SELECT count(*) FROM consents"), await _db.ScalarAsync<long>("SELECT count(*) FROM consent_choices"),
        await _db.ScalarAsync<long>("SELECT count(*) FROM consent_records"), await _db.ScalarAsync<long>("SELECT count(*) FROM visitors"));

    private async Task<Guid> DeviceAsync(DateTimeOffset cookieExpiresAt)
    {
        var id = Guid.NewGuid();
        await _db.ExecuteAsync($"""
            INSERT INTO visitors (id, issued_at, cookie_deposited_at, cookie_expires_at)
            VALUES ('{id}', '{cookieExpiresAt.AddMonths(-13):O}', '{cookieExpiresAt.AddMonths(-13):O}', '{cookieExpiresAt:O}')
            """);
        return id;
    }

    [Fact]
    public async Task AnOperator_RunsItByName()
    {
        var old = await PeriodAsync(Now.AddMonths(-75), lastDecisionAt: Now.AddMonths(-75), endedAt: Now.AddMonths(-70));
        await using var services = _db.Services();

        Assert.Equal(0, await ScheduledJobs.RunJobByNameAsync(services, "consent-proof-purge"));

        Assert.DoesNotContain(old, await RemainingAsync());
    }

    private async Task<PurgeResult> RunAsync(IDictionary<string, string?>? settings = null, bool dryRun = false)
    {
        await using var services = _db.Services(settings);
        var job = services.GetRequiredService<ConsentProofPurgeJob>();
        return await (dryRun ? job.DryRunAsync(CancellationToken.None) : job.RunAsync(CancellationToken.None));
    }

    /// <summary>The second step: devices.</summary>
    private static int DevicesDeleted(PurgeResult result) => result.Counts[1].Count;

    private ImailDbContext Database() => new(DatabaseSetup.Options(_db.ConnectionString));

    /// <summary>
    /// A period opened at <paramref name="openedAt"/> (first decision and record), with a second record
    /// at <paramref name="lastDecisionAt"/> when later, ended at <paramref name="endedAt"/> unless null.
    /// </summary>
    private async Task<Guid> PeriodAsync(DateTimeOffset openedAt, DateTimeOffset lastDecisionAt, DateTimeOffset? endedAt)
    {
        var clock = new FakeTimeProvider(openedAt);
        var visitorId = Guid.NewGuid();
        var consent = Consent.Open(visitorId, null,
            [new PurposeChoice(ConsentPurpose.Statistics, true), new PurposeChoice(ConsentPurpose.Personalisation, false)],
            openedAt, new ConsentRules());
        var first = Write(consent, null, openedAt);
        var records = new List<ConsentRecord> { first };
        if (lastDecisionAt > openedAt)
        {
            clock.SetUtcNow(lastDecisionAt);
            records.Add(Write(consent, first, lastDecisionAt));
        }
        if (endedAt is { } at) consent.End(at, ConsentEnd.Expired);

        await using var db = Database();
        db.Consents.Add(consent);
        db.ConsentRecords.AddRange(records);
        await db.SaveChangesAsync();
        return consent.Id;
    }

    private static ConsentRecord Write(Consent consent, ConsentRecord? previous, DateTimeOffset at) =>
        ConsentRecord.Write(consent, ConsentAction.Decision, false, new DecisionContext("p", "b", "f"), previous,
            chainKey: $"visitor:{consent.VisitorId}", new ReceiptController("n", "a", "c"), Signer, at);

    /// <summary>Ended periods (first deposit and only decision at <paramref name="at"/>), each with two choices and one record.</summary>
    private async Task InsertManyAsync(DateTimeOffset at, int count) => await _db.ExecuteAsync($"""
        WITH periods AS (
          INSERT INTO consents (id, visitor_id, first_deposit_at, expires_at, ended_at, end_reason)
          SELECT gen_random_uuid(), gen_random_uuid(), '{at:O}'::timestamptz, '{at:O}'::timestamptz + interval '13 months',
                 '{at:O}'::timestamptz + interval '13 months', 'Expired'
          FROM generate_series(1, {count})
          RETURNING id, visitor_id, first_deposit_at, expires_at),
        choices AS (
          INSERT INTO consent_choices (consent_id, purpose, granted, decided_at)
          SELECT p.id, c.purpose, c.granted, p.first_deposit_at
          FROM periods AS p CROSS JOIN (VALUES ('Statistics', true), ('Personalisation', false)) AS c (purpose, granted))
        INSERT INTO consent_records (id, consent_id, chain_key, sequence, visitor_id, decided_signed_in, action, decided_at,
          granted, refused, policy_version, banner_version, front_end, first_deposit_at, expires_at, controller, hash, receipt)
        SELECT gen_random_uuid(), p.id, 'visitor:' || p.visitor_id, 1, p.visitor_id, false, 'Decision', p.first_deposit_at,
          ARRAY['statistics'], ARRAY['personalisation'], 'p', 'b', 'f', p.first_deposit_at, p.expires_at, '{"{}"}', repeat('0', 64), 'x'
        FROM periods AS p
        """);

    private Task<long> CountAsync(string table, Guid consentId) =>
        _db.ScalarAsync<long>($"SELECT count(*) FROM {table} WHERE consent_id = '{consentId}'");

    private async Task<List<Guid>> RemainingAsync()
    {
        await using var db = Database();
        return await db.Consents.AsNoTracking().IgnoreAutoIncludes().OrderBy(c => c.FirstDepositAt).Select(c => c.Id).ToListAsync();
    }
}
