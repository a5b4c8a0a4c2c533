using Imail.Bench.Reporting;

namespace Imail.Bench.Benchmarks;

/// <summary>A target of DESIGN.md measured by this harness.</summary>
public interface IBenchmark
{
    string Id { get; }
    Task<ResultRow> RunAsync(BenchContext context);
}

public static class Catalog
{
    /// <summary>
    /// In the order they run: the statement count first, as it is quick and needs a quiet machine;
    /// then the API's throughput (B1, B1c, B6); then the outbox (B2 latency, B3 relay throughput), which start their own
    /// SMTP server and relay workers on the API's database; then the data lifecycle (B5: purge and erasure); then partner events across two API replicas (B7).
    /// </summary>
    public static IReadOnlyList<IBenchmark> All { get; } = [new B1b(), new B1(), new B1c(), new B6(), .. B9.All, new B2(), new B3(), new B5(), new B7(), new B4(), new B8()];

    public static IEnumerable<string> Ids => All.Select(b => b.Id);

    /// <summary>What <c>--only</c> accepts: every id, and a family's name for all its members (B9 for B9.users, B9.me…).</summary>
    public static IEnumerable<string> Selectable => Ids.Concat(Ids.Where(id => id.Contains('.')).Select(id => id[..id.IndexOf('.')]).Distinct());
}
