using System.Diagnostics;
using System.Globalization;
using Imail.Bench.Load;

namespace Imail.Bench.Measure;

/// <summary>
/// One side's round. Throughput and CPU are taken over a window in the middle of the load, from
/// the server's count of finished requests (see <see cref="RequestCounter"/>); latencies are the
/// load generator's, over its whole run.
/// </summary>
public sealed record RoundResult(double RequestsPerSecond, long Requests, long Failures, double ProcessCpuMicros, double PostgresCpuMicros, LoadResult Load)
{
    public double CpuMicros => ProcessCpuMicros + PostgresCpuMicros;
}

/// <summary>One GraphQL round and the baseline round next to it.</summary>
public sealed record RoundPair(int Round, RoundResult GraphQL, RoundResult Baseline)
{
    public double Ratio => GraphQL.RequestsPerSecond / Baseline.RequestsPerSecond;
    public double CpuRatio => Baseline.CpuMicros / GraphQL.CpuMicros;
}

/// <summary>
/// Throughput of GraphQL against its baseline, measured in alternating rounds in one run: the
/// machine is shared and noisy, so only a ratio between neighbouring rounds means anything.
/// </summary>
public sealed record Comparison(IReadOnlyList<RoundPair> Rounds)
{
    /// <summary>The figure the targets are judged on: median over the rounds of GraphQL req/s ÷ baseline req/s.</summary>
    public double MedianRatio => Median(Rounds.Select(r => r.Ratio));
    public double MinRatio => Rounds.Min(r => r.Ratio);
    public double MaxRatio => Rounds.Max(r => r.Ratio);

    /// <summary>
    /// Baseline CPU per request ÷ GraphQL CPU per request (this process + PostgreSQL): what the
    /// throughput ratio would be on a machine of our own, when CPU is the limit. Much steadier
    /// than req/s when other programs take CPU; a cross-check for <see cref="MedianRatio"/>.
    /// </summary>
    public double CpuRatio => Median(Rounds.Select(r => r.CpuRatio));

    public Side GraphQL => Side.Of(Rounds.Select(r => r.GraphQL));
    public Side Baseline => Side.Of(Rounds.Select(r => r.Baseline));
    public long Failures => Rounds.Sum(r => r.GraphQL.Failures + r.Baseline.Failures);

    /// <summary>False when PostgreSQL is an outside server (IMAIL_TEST_POSTGRES): CPU then counts this process only.</summary>
    public bool PostgresMetered { get; init; }

    /// <summary>Warm-up load per side before the rounds.</summary>
    public TimeSpan WarmupPerSide { get; init; }

    /// <summary>Methods the JIT compiled during the rounds: a few dozen late call sites when the code was warm.</summary>
    public long RoundsCompiledMethods { get; init; }

    /// <summary>Medians over the rounds of one side.</summary>
    public sealed record Side(double RequestsPerSecond, double P50Ms, double P99Ms, double ProcessCpuMicros, double PostgresCpuMicros, long Requests)
    {
        public static Side Of(IEnumerable<RoundResult> results)
        {
            var list = results.ToList();
            return new Side(Median(list.Select(r => r.RequestsPerSecond)), Median(list.Select(r => r.Load.P50Ms)),
                Median(list.Select(r => r.Load.P99Ms)), Median(list.Select(r => r.ProcessCpuMicros)),
                Median(list.Select(r => r.PostgresCpuMicros)), list.Sum(r => r.Requests));
        }

        public override string ToString() => string.Create(CultureInfo.InvariantCulture,
            $"{RequestsPerSecond:N0} req/s, p50 {P50Ms:0.0} ms, p99 {P99Ms:0.0} ms, CPU/req {ProcessCpuMicros + PostgresCpuMicros:N0} µs")
            + (PostgresCpuMicros > 0 ? string.Create(CultureInfo.InvariantCulture, $" ({PostgresCpuMicros:N0} in PostgreSQL)") : "");
    }

    public static double Median(IEnumerable<double> values)
    {
        var sorted = values.Where(v => !double.IsNaN(v)).Order().ToArray();
        if (sorted.Length == 0) return double.NaN;
        var mid = sorted.Length / 2;
        return sorted.Length % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
    }

    /// <summary>
    /// Warms both sides up, then runs <see cref="BenchOptions.Rounds"/> rounds per side in ABBA order
    /// (baseline, GraphQL, GraphQL, baseline, …) so that a steady drift weighs on both alike.
    /// </summary>
    public static async Task<Comparison> MeasureAsync(ILoadClient client, LoadTarget graphql, LoadTarget baseline,
        BenchOptions options, Action<string> log, CancellationToken ct)
    {
        var meter = new CpuMeter();
        using var counter = new RequestCounter();
        var inProcess = new InProcessServer(meter, counter);
        return await MeasureAsync(client, graphql, inProcess, baseline, inProcess, meter.SeesPostgres, options, log, ct);
    }

    /// <summary>The same, with each side's server read by its own meter (B9's baseline is another process).</summary>
    public static async Task<Comparison> MeasureAsync(ILoadClient client, LoadTarget graphql, IServerMeter graphqlServer,
        LoadTarget baseline, IServerMeter baselineServer, bool postgresMetered, BenchOptions options, Action<string> log, CancellationToken ct)
    {
        var warmup = await WarmUpAsync(client, graphql, baseline, options, log, ct);
        var compiledBefore = System.Runtime.JitInfo.GetCompiledMethodCount();

        var rounds = new List<RoundPair>();
        for (var i = 1; i <= options.Rounds; i++)
        {
            RoundResult g, b;
            if (i % 2 == 1)
            {
                b = await RunAsync(baselineServer, client, baseline, options.Round, ct);
                g = await RunAsync(graphqlServer, client, graphql, options.Round, ct);
            }
            else
            {
                g = await RunAsync(graphqlServer, client, graphql, options.Round, ct);
                b = await RunAsync(baselineServer, client, baseline, options.Round, ct);
            }
            var pair = new RoundPair(i, g, b);
            rounds.Add(pair);
            log(string.Create(CultureInfo.InvariantCulture,
                    $"  round {i,2}/{options.Rounds}: GraphQL {g.RequestsPerSecond,7:N0} req/s {g.CpuMicros,6:N0} µs CPU/req | baseline {b.RequestsPerSecond,7:N0} req/s {b.CpuMicros,6:N0} µs CPU/req | ratio {pair.Ratio:0.00}, CPU ratio {pair.CpuRatio:0.00}")
                + (pair.GraphQL.Failures + pair.Baseline.Failures is > 0 and var failed
                    ? $"  ({failed} failed requests: GraphQL {pair.GraphQL.Failures}, baseline {pair.Baseline.Failures}; load generator: {pair.GraphQL.Load.Failures} / {pair.Baseline.Load.Failures})"
                    : ""));
        }
        return new Comparison(rounds) { PostgresMetered = postgresMetered, WarmupPerSide = warmup, RoundsCompiledMethods = System.Runtime.JitInfo.GetCompiledMethodCount() - compiledBefore };
    }

    /// <summary>
    /// Runs the load a little longer than <paramref name="window"/> and measures only the window in
    /// its middle: the load generator's first and last moments (connecting, dropping requests in
    /// flight) stay out of the figures.
    /// </summary>
    private static async Task<RoundResult> RunAsync(IServerMeter server, ILoadClient client, LoadTarget target,
        TimeSpan window, CancellationToken ct)
    {
        var run = TimeSpan.FromSeconds(Math.Ceiling(window.TotalSeconds + 0.8)); // wrk takes whole seconds
        var margin = (run - window) / 2;
        var load = client.RunAsync(target, run, ct);
        await Task.Delay(margin, ct);
        var (start, started) = (await server.ReadAsync(ct), Stopwatch.GetTimestamp());
        await Task.Delay(window, ct);
        var (end, elapsed) = (await server.ReadAsync(ct), Stopwatch.GetElapsedTime(started));
        var result = await load;
        var served = end.Completed - start.Completed;
        double PerRequest(TimeSpan t) => served == 0 ? double.NaN : t.TotalMicroseconds / served;
        return new RoundResult(served / elapsed.TotalSeconds, served, end.Failed - start.Failed + result.Failures,
            PerRequest(end.Process - start.Process), PerRequest(end.Postgres - start.Postgres), result);
    }

    /// <summary>
    /// Loads both sides until the JIT has finished optimising what they run: tiered compilation
    /// (with PGO) recompiles hot code in the background, which on a busy 2-core machine can take a
    /// minute, and a side measured before that looks several times slower than it is. At least
    /// <see cref="BenchOptions.Warmup"/> per side; then until a warm-up step compiles almost
    /// nothing new, or <see cref="BenchOptions.MaxWarmup"/> per side.
    /// </summary>
    private static async Task<TimeSpan> WarmUpAsync(ILoadClient client, LoadTarget graphql, LoadTarget baseline,
        BenchOptions options, Action<string> log, CancellationToken ct)
    {
        // Methods compiled per step (both sides) once the hot path is optimised: a few dozen rarely
        // used call sites that cross the tiering threshold late, not the code being measured.
        const int quiet = 100;
        var step = TimeSpan.FromSeconds(2);
        var spent = TimeSpan.Zero;
        var quietSteps = 0;
        long compiled;
        do
        {
            var before = System.Runtime.JitInfo.GetCompiledMethodCount();
            var b = await client.RunAsync(baseline, step, ct);
            var g = await client.RunAsync(graphql, step, ct);
            compiled = System.Runtime.JitInfo.GetCompiledMethodCount() - before;
            quietSteps = compiled <= quiet ? quietSteps + 1 : 0;
            spent += step;
            if (options.Verbose)
                log(string.Create(CultureInfo.InvariantCulture,
                    $"  warm-up {spent.TotalSeconds,3:0} s: GraphQL {g.RequestsPerSecond,7:N0} req/s | baseline {b.RequestsPerSecond,7:N0} req/s | {compiled} methods compiled"));
        } while (spent < options.MaxWarmup && (spent < options.Warmup || quietSteps < 2));
        log(string.Create(CultureInfo.InvariantCulture, $"  warm-up: {spent.TotalSeconds:0} s per side, {compiled} methods compiled in the last step")
            + (quietSteps < 2 ? " (the JIT is still busy: numbers may be low)" : ""));
        return spent;
    }
}
