using System.Globalization;
using System.Text.Json.Nodes;
using Imail.Bench.Load;
using Imail.Bench.Measure;
using Imail.Bench.Reporting;

namespace Imail.Bench.Benchmarks;

/// <summary>
/// A GraphQL request against a hand-written endpoint that must answer the same JSON: check that
/// both answer the same thing (and which SQL each sends), then compare throughput in alternating
/// rounds and judge the median ratio.
/// </summary>
public abstract class ThroughputBenchmark : IBenchmark
{
    public abstract string Id { get; }
    protected abstract string What { get; }
    protected abstract double MinimumRatio { get; }
    protected abstract string Query { get; }
    protected abstract string BaselinePath { get; }

    /// <summary>The root field of the query: the answer is <c>data.{field}</c>.</summary>
    protected abstract string Field { get; }

    /// <summary>Judges the SQL each side sent for one request, adding checks and notes.</summary>
    protected abstract void CheckSql(ResultRow row, IReadOnlyList<string> graphql, IReadOnlyList<string> baseline);

    protected virtual Task PrepareAsync(BenchContext c) => Task.CompletedTask;

    /// <summary>The request body both sides get (the query, and its variables if any).</summary>
    protected virtual string Body(BenchContext c) => BenchContext.Body(Query);

    /// <summary>The bearer token both sides get: a user's by default; null for an anonymous request.</summary>
    protected virtual string? Token(BenchContext c) => c.UserToken;

    public async Task<ResultRow> RunAsync(BenchContext c)
    {
        var row = new ResultRow
        {
            Id = Id,
            What = What,
            Target = string.Create(CultureInfo.InvariantCulture, $"≥ {MinimumRatio:0.0#}×"),
        };
        await PrepareAsync(c);
        var body = Body(c);
        var token = Token(c);
        var graphql = new LoadTarget($"{Id} GraphQL", c.GraphQLUrl, body, token);
        var baseline = new LoadTarget($"{Id} baseline", new Uri(c.Baseline.Address, BaselinePath), body, token);
        row.Notes.Add($"GraphQL: POST {graphql.Url.AbsolutePath} `{body}` " + (token is null ? "anonymously." : "with a user token."));
        row.Notes.Add($"Baseline: POST {BaselinePath} (same body and token).");

        // The first request of each side does one-off work (schema, P9 sign-in write): not what is checked.
        await c.SendAsync(graphql);
        await c.SendAsync(baseline);

        (int Status, JsonNode? Body) g = default, b = default;
        IReadOnlyList<string> gSql, bSql;
        using (var recorder = new SqlRecorder())
        {
            gSql = await recorder.DuringAsync(async () => g = await c.SendAsync(graphql));
            bSql = await recorder.DuringAsync(async () => b = await c.SendAsync(baseline));
        }
        var gData = g.Body?["data"];
        row.Check(g.Status == 200 && g.Body?["errors"] is null && gData?[Field] is JsonObject,
            $"GraphQL answers {Field} without errors (HTTP {g.Status})" + (g.Body?["errors"] is { } errors ? $": {errors.ToJsonString()}" : ""));
        row.Check(b.Status == 200, $"baseline answers (HTTP {b.Status})");
        row.Check(JsonNode.DeepEquals(gData, b.Body?["data"]), "baseline's JSON equals GraphQL's `data`");
        if (!JsonNode.DeepEquals(gData, b.Body?["data"]))
            row.Notes.Add($"GraphQL data: {gData?.ToJsonString()}\nBaseline data: {b.Body?["data"]?.ToJsonString()}");
        CheckSql(row, gSql, bSql);
        row.Figures["graphqlStatements"] = gSql.Count;
        row.Figures["baselineStatements"] = bSql.Count;
        row.Figures["graphqlSql"] = gSql;
        row.Figures["responseBytes"] = gData?.ToJsonString().Length;

        if (!row.ChecksPassed)
        {
            c.Log($"  {Id}: a check failed, not measured: {string.Join("; ", row.Checks.Where(x => x.StartsWith('✗')))}");
            row.Decide(false);
            return row;
        }

        var comparison = await Comparison.MeasureAsync(c.Client, graphql, baseline, c.Options, c.Log, c.Cancellation);
        row.Record(comparison);
        row.Notes.Add(string.Create(CultureInfo.InvariantCulture,
            $"Warm-up: {comparison.WarmupPerSide.TotalSeconds:0} s per side, until the JIT had optimised the hot path; it compiled {comparison.RoundsCompiledMethods} methods during the rounds."));
        row.Notes.Add(string.Create(CultureInfo.InvariantCulture,
            $"CPU per request: GraphQL {comparison.GraphQL.ProcessCpuMicros:N0} µs in .NET + {comparison.GraphQL.PostgresCpuMicros:N0} µs in PostgreSQL; "
            + $"baseline {comparison.Baseline.ProcessCpuMicros:N0} + {comparison.Baseline.PostgresCpuMicros:N0} µs. "
            + $"GraphQL's own cost is ≈ {comparison.GraphQL.ProcessCpuMicros - comparison.Baseline.ProcessCpuMicros:N0} µs per request.")
            + (comparison.PostgresMetered ? "" : " (PostgreSQL is an outside server here: its CPU is not counted.)"));
        if (Math.Abs(comparison.MedianRatio - comparison.CpuRatio) > 0.15 || comparison.MaxRatio / comparison.MinRatio > 1.6)
            row.Notes.Add("⚠ Noisy run: the rounds' ratios spread widely or disagree with the CPU ratio, so other programs were taking CPU. "
                          + "The CPU ratio is the steadier estimate; rerun on a quieter machine, or with more rounds (--rounds, --duration).");
        row.Decide(comparison.MedianRatio >= MinimumRatio);
        return row;
    }
}
