using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Imail.Bench.Load;
using Imail.Bench.Measure;
using Imail.Bench.Peers;
using Imail.Bench.Reporting;

namespace Imail.Bench.Benchmarks;

/// <summary>
/// B9: the API against the best peer a user would pick for GraphQL over PostgreSQL, PostGraphile 5,
/// on the same database and the same data, for four reads: a page of 100 users with their consents
/// and connected accounts (staff), <c>me</c> with shared fields (user), <c>user(id:)</c> (staff), and
/// anonymous <c>consentStatus</c>. Each side gets a document of its own schema whose <c>data</c> must be
/// the same JSON, checked before measuring; then alternating rounds, and CPU per request split
/// between the server's process and PostgreSQL. One benchmark per read: B9.users, B9.me, B9.user,
/// B9.status (<c>--only B9</c> runs the four).
/// </summary>
public sealed class B9(string read, string what, B9.Caller caller, string imailQuery, string peerQuery, Func<BenchContext, Task<object?>>? variables = null)
    : IBenchmark
{
    public enum Caller { Anonymous, User, Staff }

    public const string Family = "B9";
    public const double MinimumRatio = 1.0;
    public const double MinimumCpuRatio = 0.7;

    public string Id => $"{Family}.{read}";

    public static IReadOnlyList<B9> All { get; } =
    [
        new("users", "staff `users(first: 100)` with consents and connected accounts vs PostGraphile", Caller.Staff,
            "query Users { users(first: 100) { nodes { id email consents { purpose granted } connectedAccounts { provider grantedScopes } } } }",
            "query Users { users: allUsers(first: 100, orderBy: PRIMARY_KEY_ASC) { nodes { id: rowId email consents { purpose granted } connectedAccounts { provider grantedScopes } } } }"),
        new("me", "user's `me` with consents, connected accounts and shared fields vs PostGraphile", Caller.User,
            "query Me { me { id email consents { purpose granted } connectedAccounts { provider grantedScopes shared { scope name value } } } }",
            "query Me { me { id: rowId email consents { purpose granted } connectedAccounts { provider grantedScopes shared { scope name value } } } }"),
        new("user", "staff `user(id:)` with consents and connected accounts vs PostGraphile", Caller.Staff,
            "query User($id: ID!) { user(id: $id) { id email consents { purpose granted } connectedAccounts { provider grantedScopes } } }",
            "query User($id: UUID!) { user: userByRowId(rowId: $id) { id: rowId email consents { purpose granted } connectedAccounts { provider grantedScopes } } }",
            c => Task.FromResult<object?>(new { id = c.UserId.ToString() })),
        new("status", "anonymous `consentStatus(visitorId:)` vs PostGraphile", Caller.Anonymous,
            "query Status($v: ID) { consentStatus(visitorId: $v) { state purposes { purpose granted effective } } }",
            "query Status($v: UUID!) { consentStatus(visitorId: $v) { state purposes { purpose granted effective } } }",
            async c => new { v = (await B6.AnonymousVisitorAsync(c)).ToString() }),
    ];

    public async Task<ResultRow> RunAsync(BenchContext c)
    {
        var row = new ResultRow
        {
            Id = Id,
            What = what,
            Target = string.Create(CultureInfo.InvariantCulture, $"≥ {MinimumRatio:0.0}×, CPU ≥ {MinimumCpuRatio:0.0}×"),
        };
        var vars = variables is null ? null : await variables(c);
        var token = caller switch { Caller.User => c.UserToken, Caller.Staff => c.StaffToken, _ => null };
        var imailBody = JsonSerializer.Serialize(new { query = imailQuery, variables = vars });
        var peerBody = JsonSerializer.Serialize(new { query = peerQuery, variables = vars });
        var checking = await c.PostGraphileAsync(logSql: true);
        var peer = await c.PostGraphileAsync(logSql: false);
        var imail = new LoadTarget($"{Id} Imail", c.GraphQLUrl, imailBody, token);
        var peerChecked = new LoadTarget($"{Id} PostGraphile (SQL logged)", checking.GraphQLUrl, peerBody, token);
        var peerLoad = new LoadTarget($"{Id} PostGraphile", peer.GraphQLUrl, peerBody, token);
        row.Notes.Add($"Imail: POST /graphql `{imailBody}` as {caller.ToString().ToLowerInvariant()}.");
        row.Notes.Add($"PostGraphile: POST /graphql `{peerBody}` with the same token. {PostGraphilePeer.Settings}; {peer.NodeVersion}.");

        // First requests do one-off work on each side (schema, plans, the P9 sign-in write).
        await c.SendAsync(imail);
        await c.SendAsync(peerChecked);
        await c.SendAsync(peerLoad);
        await checking.DrainSqlAsync();

        (int Status, JsonNode? Body) i = default;
        IReadOnlyList<string> iSql;
        using (var recorder = new SqlRecorder())
            iSql = await recorder.DuringAsync(async () => i = await c.SendAsync(imail));
        var p = await c.SendAsync(peerChecked);
        var pSql = await checking.DrainSqlAsync();
        var pLoad = await c.SendAsync(peerLoad);

        var field = read == "status" ? "consentStatus" : read;
        var iData = i.Body?["data"];
        row.Check(i.Status == 200 && i.Body?["errors"] is null && iData?[field] is JsonObject,
            $"Imail answers {field} without errors (HTTP {i.Status})" + (i.Body?["errors"] is { } ie ? $": {ie.ToJsonString()}" : ""));
        row.Check(p.Status == 200 && p.Body?["errors"] is null && p.Body?["data"]?[field] is JsonObject,
            $"PostGraphile answers {field} without errors (HTTP {p.Status})" + (p.Body?["errors"] is { } pe ? $": {pe.ToJsonString()}" : ""));
        var same = JsonNode.DeepEquals(iData, p.Body?["data"]) && JsonNode.DeepEquals(p.Body?["data"], pLoad.Body?["data"]);
        row.Check(same, "PostGraphile's `data` equals Imail's (same people, same nested data)" + Size(iData));
        if (p.Body?["errors"] is not null)
            row.Notes.Add("PostGraphile's log:\n" + string.Join('\n', checking.LastOutput.Where(l => !l.StartsWith("    ", StringComparison.Ordinal)).TakeLast(40)));
        if (!same)
            row.Notes.Add($"Imail data: {Clip(iData)}\nPostGraphile data: {Clip(p.Body?["data"])}");
        row.Notes.Add($"Imail sends {iSql.Count} SQL statement(s) per request:\n" + string.Join("\n", iSql.Select(s => "    " + B1.OneLine(s))));
        row.Notes.Add($"PostGraphile sends {pSql.Count} SQL statement(s) per request:\n" + string.Join("\n", pSql.Select(s => "    " + B1.OneLine(s))));
        var plans = await PlanRecorder.DuringAsync(c.Api.ConnectionString, async () => await c.SendAsync(imail));
        if (plans.Count > 0)
        {
            var scans = PlanRecorder.SequentialScans(plans).ToList();
            row.Check(scans.Count == 0, "Imail's statements reach users, consents and connected accounts by index" + (scans.Count > 0 ? $" (sequential scan on {string.Join(", ", scans)})" : ""));
            row.Notes.Add($"Imail's plans (auto_explain, EXPLAIN ANALYZE of the {PlanRecorder.Repeats}th request, prepared):\n"
                          + string.Join("\n\n", plans.Select(p => "    " + B1.OneLine(p.Sql) + "\n" + string.Join('\n', p.Plan.Split('\n').Select(l => "      " + l)))));
            row.Figures["imailPlans"] = plans.Select(p => new { sql = p.Sql, plan = p.Plan }).ToList();
        }
        row.Figures["imailStatements"] = iSql.Count;
        row.Figures["postgraphileStatements"] = pSql.Count;
        row.Figures["imailSql"] = iSql;
        row.Figures["postgraphileSql"] = pSql;

        if (!row.ChecksPassed)
        {
            c.Log($"  {Id}: a check failed, not measured: {string.Join("; ", row.Checks.Where(x => x.StartsWith('✗')))}");
            row.Decide(false);
            return row;
        }

        var meter = new CpuMeter();
        using var counter = new RequestCounter();
        var comparison = await Comparison.MeasureAsync(c.Client, imail, new InProcessServer(meter, counter), peerLoad, peer,
            meter.SeesPostgres, c.Options, c.Log, c.Cancellation);
        row.Record(comparison);
        row.Figures["imailPostgresCpuMicros"] = Math.Round(comparison.GraphQL.PostgresCpuMicros, 1);
        row.Figures["postgraphilePostgresCpuMicros"] = Math.Round(comparison.Baseline.PostgresCpuMicros, 1);
        row.Notes.Add(string.Create(CultureInfo.InvariantCulture,
            $"CPU per request: Imail {comparison.GraphQL.ProcessCpuMicros:N0} µs in .NET + {comparison.GraphQL.PostgresCpuMicros:N0} µs in PostgreSQL; "
            + $"PostGraphile {comparison.Baseline.ProcessCpuMicros:N0} µs in Node + {comparison.Baseline.PostgresCpuMicros:N0} µs in PostgreSQL.")
            + (comparison.PostgresMetered ? "" : " (PostgreSQL is an outside server here: its CPU is not counted.)"));
        row.Notes.Add("The ratio is Imail's req/s ÷ PostGraphile's; CPU is PostGraphile's CPU per request ÷ Imail's (higher is better for Imail). "
                      + "PostGraphile is one Node process (one core for JavaScript), Imail uses both cores: the CPU ratio is the fairer figure on a larger machine.");
        row.Decide(comparison.MedianRatio >= MinimumRatio && comparison.CpuRatio >= MinimumCpuRatio);
        return row;
    }

    private static string Size(JsonNode? data) => data is null ? "" : $" ({data.ToJsonString().Length:N0} bytes)";

    private static string Clip(JsonNode? data) => data?.ToJsonString() is { } s ? s.Length > 4000 ? s[..4000] + "…" : s : "null";
}
