using System.Text.Json.Nodes;
using Imail.Bench.Load;
using Imail.Bench.Measure;
using Imail.Bench.Reporting;

namespace Imail.Bench.Benchmarks;

/// <summary>
/// B1b: how many SQL statements one page of users with nested data costs. The target is absolute
/// (≤ 3) and must not grow with the page: counted for several page sizes, one request at a time,
/// from Npgsql's own tracing (exact, no sampling).
/// </summary>
public sealed class B1b : IBenchmark
{
    public const int MaxStatements = 3;
    public static readonly int[] PageSizes = [10, 50, 100];

    public string Id => "B1b";

    public static string Query(int first) =>
        $"query Users {{ users(first: {first}) {{ nodes {{ consents {{ purpose }} connectedAccounts {{ provider }} }} }} }}";

    public async Task<ResultRow> RunAsync(BenchContext c)
    {
        var row = new ResultRow
        {
            Id = Id,
            What = "SQL statements per `users(first: N) { consents connectedAccounts }` page",
            Target = $"≤ {MaxStatements}, same for every N",
        };
        var counts = new Dictionary<int, int>();
        IReadOnlyList<string> largest = [];
        foreach (var first in PageSizes)
        {
            var target = new LoadTarget($"B1b first {first}", c.GraphQLUrl, BenchContext.Body(Query(first)), c.StaffToken);
            await c.SendAsync(target); // not counted: the first request may do one-off work
            (int Status, JsonNode? Body) answer = default;
            IReadOnlyList<string> sql;
            using (var recorder = new SqlRecorder()) sql = await recorder.DuringAsync(async () => answer = await c.SendAsync(target));
            var nodes = answer.Body?["data"]?["users"]?["nodes"] as JsonArray;
            var expected = Math.Min(first, c.Options.Users);
            row.Check(answer.Status == 200 && answer.Body?["errors"] is null && nodes?.Count == expected,
                $"first: {first} answers {nodes?.Count} users without errors (HTTP {answer.Status})"
                + (answer.Body?["errors"] is { } errors ? $": {errors.ToJsonString()}" : ""));
            counts[first] = sql.Count;
            largest = sql;
            c.Log($"  first: {first,3} → {sql.Count} SQL statements");
        }

        row.GraphQL = string.Join(" / ", PageSizes.Select(n => counts[n])) + $" statements (first: {string.Join(" / ", PageSizes)})";
        row.Figures["statementsByPageSize"] = counts.ToDictionary(kv => kv.Key.ToString(), kv => kv.Value);
        row.Figures["sql"] = largest;
        row.Notes.Add($"SQL for first: {PageSizes[^1]}:\n" + string.Join("\n", largest.Select(s => "    " + B1.OneLine(s))));
        var max = counts.Values.Max();
        var flat = counts.Values.Distinct().Count() == 1;
        if (!flat) row.Notes.Add("The count grows with the page size: some field runs one query per item (an N+1); batch it with a DataLoader.");
        row.Decide(max <= MaxStatements && flat);
        return row;
    }
}
