using System.Globalization;

namespace Imail.Bench.Measure;

/// <summary>Latency figures over a sample, in milliseconds; percentiles by nearest rank (p99 of 400 is the 396th value).</summary>
public sealed record Percentiles(int Count, double P50, double P90, double P99, double Max, double Mean)
{
    public static Percentiles Of(IEnumerable<double> values)
    {
        var sorted = values.Where(v => !double.IsNaN(v)).Order().ToArray();
        if (sorted.Length == 0) return new Percentiles(0, double.NaN, double.NaN, double.NaN, double.NaN, double.NaN);
        double Rank(double p) => sorted[Math.Clamp((int)Math.Ceiling(p * sorted.Length) - 1, 0, sorted.Length - 1)];
        return new Percentiles(sorted.Length, Rank(0.50), Rank(0.90), Rank(0.99), sorted[^1], sorted.Average());
    }

    public override string ToString() => string.Create(CultureInfo.InvariantCulture,
        $"p50 {P50:0.0} ms, p90 {P90:0.0} ms, p99 {P99:0.0} ms, max {Max:0.0} ms");
}
