using Imail.Bench.Hosting;
using Imail.Bench.Reporting;

namespace Imail.Bench.Benchmarks;

/// <summary>
/// B1: a signed-in user reads their consents and connected accounts (DESIGN.md's
/// <c>me { consents connectedAccounts }</c>) through GraphQL, against a minimal endpoint that
/// sends the same SQL (user; current consent period with its choices; connected accounts with
/// their shared fields) and writes the same JSON.
/// </summary>
public sealed class B1 : ThroughputBenchmark
{
    public override string Id => "B1";
    protected override string What => "`me { consents connectedAccounts }` vs hand-written endpoint (same SQL + JSON)";
    protected override double MinimumRatio => 0.7;
    protected override string Field => "me";
    protected override string BaselinePath => BaselineHost.MePath;

    protected override string Query =>
        "query Me { me { consents { purpose granted effective decidedAt } connectedAccounts { id provider grantedScopes connectedAt shared { scope name value } } } }";

    protected override void CheckSql(ResultRow row, IReadOnlyList<string> graphql, IReadOnlyList<string> baseline) =>
        SameSql(row, graphql, baseline);

    /// <summary>Both sides must send the same statements (in any order); lists them in the report.</summary>
    internal static void SameSql(ResultRow row, IReadOnlyList<string> graphql, IReadOnlyList<string> baseline)
    {
        row.Check(graphql.Count > 0, $"GraphQL reads the database ({graphql.Count} statements)");
        var same = graphql.Order().SequenceEqual(baseline.Order());
        row.Notes.Add(same
            ? $"Both sides send the same {graphql.Count} SQL statements per request:\n" + string.Join("\n", graphql.Select(s => "    " + OneLine(s)))
            : "⚠ The sides send different SQL: update the baseline (Hosting/BaselineHost.cs) to match the resolvers.\n  GraphQL:\n"
              + string.Join("\n", graphql.Select(s => "    " + OneLine(s))) + "\n  Baseline:\n" + string.Join("\n", baseline.Select(s => "    " + OneLine(s))));
        row.Check(same, $"baseline sends the same SQL ({graphql.Count} vs {baseline.Count} statements)");
    }

    internal static string OneLine(string sql) => string.Join(' ', sql.Split((char[])['\n', '\r', ' '], StringSplitOptions.RemoveEmptyEntries));
}
