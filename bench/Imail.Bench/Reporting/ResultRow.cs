using System.Text.Json.Serialization;
using Imail.Bench.Measure;

namespace Imail.Bench.Reporting;

[JsonConverter(typeof(JsonStringEnumConverter<Outcome>))]
public enum Outcome
{
    /// <summary>Measured, and the target is met.</summary>
    Pass,

    /// <summary>Measured, and the target is missed.</summary>
    Fail,

    /// <summary>Not measured fairly: a check failed (errors, different answers, failed requests).</summary>
    Invalid,
}

/// <summary>One line of the report, with what backs it.</summary>
public sealed class ResultRow
{
    public required string Id { get; init; }
    public required string What { get; init; }
    public required string Target { get; init; }
    public string GraphQL { get; set; } = "—";
    public string Baseline { get; set; } = "—";
    public string Ratio { get; set; } = "—";
    public Outcome Outcome { get; set; } = Outcome.Invalid;

    /// <summary>What was verified before measuring ("✓ …" or "✗ …").</summary>
    public List<string> Checks { get; } = [];

    /// <summary>Explanations and details for a newcomer (SQL sent, how the baseline works).</summary>
    public List<string> Notes { get; } = [];

    /// <summary>Raw numbers for the JSON file.</summary>
    public Dictionary<string, object?> Figures { get; } = [];

    public Comparison? Comparison { get; set; }

    /// <summary>Tables of figures for the markdown report (each: a title, then rows whose first is the headers), e.g. B2's intervals or B3's runs.</summary>
    public List<(string Title, IReadOnlyList<string[]> Rows)> Tables { get; } = [];

    public bool ChecksPassed => Checks.All(c => !c.StartsWith('✗'));

    /// <summary>Records a check; a failed one makes the row <see cref="Outcome.Invalid"/>.</summary>
    public bool Check(bool ok, string what)
    {
        Checks.Add((ok ? "✓ " : "✗ ") + what);
        return ok;
    }

    /// <summary>A measured comparison: both sides' figures, the ratios (shown and in the JSON), and the check that no request failed.</summary>
    public void Record(Comparison comparison)
    {
        Comparison = comparison;
        Check(comparison.Failures == 0, $"no failed requests under load ({comparison.Failures} failed)");
        GraphQL = comparison.GraphQL.ToString();
        Baseline = comparison.Baseline.ToString();
        Ratio = string.Create(System.Globalization.CultureInfo.InvariantCulture,
            $"{comparison.MedianRatio:0.00}× ({comparison.MinRatio:0.00}–{comparison.MaxRatio:0.00}); CPU {comparison.CpuRatio:0.00}×");
        Figures["medianRatio"] = Math.Round(comparison.MedianRatio, 4);
        Figures["minRatio"] = Math.Round(comparison.MinRatio, 4);
        Figures["maxRatio"] = Math.Round(comparison.MaxRatio, 4);
        Figures["cpuRatio"] = Math.Round(comparison.CpuRatio, 4);
    }

    /// <summary>Sets the outcome from the target, unless a check failed.</summary>
    public void Decide(bool targetMet) => Outcome = !ChecksPassed ? Outcome.Invalid : targetMet ? Outcome.Pass : Outcome.Fail;

    public static string Label(Outcome outcome) => outcome switch
    {
        Outcome.Pass => "PASS",
        Outcome.Fail => "FAIL",
        _ => "INVALID",
    };
}
