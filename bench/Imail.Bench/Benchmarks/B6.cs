using System.Text.Json;
using Imail.Bench.Hosting;
using Imail.Bench.Reporting;
using Microsoft.EntityFrameworkCore;

namespace Imail.Bench.Benchmarks;

/// <summary>
/// B6: consent status under load. Every page load of every site asks whether the cookie banner
/// must be shown, anonymously, for the device's visitor id: <c>consentStatus(visitorId:)</c>
/// through GraphQL, against a minimal endpoint that sends the same SQL (the visitor's current
/// period with its choices, as the consent desk reads it) and writes the same JSON.
/// </summary>
public sealed class B6 : ThroughputBenchmark
{
    public const string StatusQuery =
        "query Status($v: ID) { consentStatus(visitorId: $v) { state showBanner expiresAt cookieExpiresAt askAgainAt purposes { purpose granted effective decidedAt } } }";

    private Guid _visitor;

    public override string Id => "B6";
    protected override string What => "anonymous `consentStatus(visitorId:)` vs hand-written endpoint (same SQL + JSON)";
    protected override double MinimumRatio => 0.7;
    protected override string Field => "consentStatus";
    protected override string BaselinePath => BaselineHost.ConsentStatusPath;
    protected override string Query => StatusQuery;

    protected override async Task PrepareAsync(BenchContext c) => _visitor = await AnonymousVisitorAsync(c);

    /// <summary>A seeded anonymous visitor (no account) whose current period has a refusal, so <c>askAgainAt</c> is not <c>expiresAt</c>.</summary>
    internal static Task<Guid> AnonymousVisitorAsync(BenchContext c) =>
        c.Api.ExecuteDbAsync(db => db.Consents.AsNoTracking()
            .Where(x => x.VisitorId != null && x.UserId == null && x.EndedAt == null && x.Choices.Any(ch => !ch.Granted))
            .OrderBy(x => x.Id)
            .Select(x => x.VisitorId!.Value)
            .FirstAsync(c.Cancellation));

    protected override string Body(BenchContext c) =>
        JsonSerializer.Serialize(new { query = Query, variables = new { v = _visitor.ToString() } });

    protected override string? Token(BenchContext c) => null;

    protected override void CheckSql(ResultRow row, IReadOnlyList<string> graphql, IReadOnlyList<string> baseline)
    {
        B1.SameSql(row, graphql, baseline);
        row.Notes.Add($"Visitor {_visitor}: an anonymous device (no account) with a current period; the same visitor for every request.");
    }
}
