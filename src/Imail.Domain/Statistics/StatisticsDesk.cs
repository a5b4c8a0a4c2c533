using Imail.Domain.Common;
using Imail.Domain.Persistence;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace Imail.Domain.Statistics;

public sealed class StatisticsOptions
{
    public const string Section = "Imail:Statistics";

    /// <summary>The smallest group an answer shows (P3): 10 unless configured, never below <see cref="Disclosure.MinK"/>.</summary>
    public int K { get; set; } = 10;

    /// <summary>The dimensions the publisher shares with partners; null: <see cref="DefaultPartnerDimensions"/>.</summary>
    public List<StatisticsDimension>? PartnerDimensions { get; set; }

    /// <summary>How long a question keeps its answer before the accounts are counted again (a day unless configured).</summary>
    public TimeSpan MaxAge { get; set; } = TimeSpan.FromDays(1);

    public static readonly IReadOnlyList<StatisticsDimension> DefaultPartnerDimensions =
        [StatisticsDimension.Country, StatisticsDimension.Locale, StatisticsDimension.SignUpMonth];

    public IReadOnlyList<StatisticsDimension> SharedWithPartners => PartnerDimensions ?? DefaultPartnerDimensions;
}

/// <summary>An answer: the axes asked, the k applied, when it was counted, and the groups (<see cref="Release"/>).</summary>
public sealed record StatisticsAnswer(IReadOnlyList<StatisticsAxis> Axes, int K, DateTimeOffset ComputedAt, Release Release);

/// <summary>
/// Answers statistics questions (P3, <c>docs/statistics.md</c>): checks the question, logs who asked what (never the
/// answer), counts the accounts in one set-based statement, and lets <see cref="Disclosure"/> decide what may be told.
/// A partner may ask only the dimensions the publisher shares, and never a two-axis question that would close a cycle
/// with the two-axis answers they already hold (<c>COMBINATION_REFUSED</c>): the property tests show that such cycles,
/// and only they, can give a small group back.
/// </summary>
public sealed class StatisticsDesk(ImailDbContext db, StatisticsOptions options, TimeProvider clock)
{
    public int K => Math.Max(Disclosure.MinK, options.K);

    public async Task<StatisticsAnswer> AskAsync(StatisticsAsker asker, IReadOnlyList<StatisticsAxis> axes, CancellationToken ct)
    {
        CheckQuestion(axes);
        var now = clock.GetUtcNow();
        if (await LogAsync(asker, axes, now, ct) is { } refused) throw refused;
        // A pair is counted in one order whichever way it is asked, so (a, b) and (b, a) are the same answer, transposed.
        var swapped = axes.Count == 2 && string.CompareOrdinal(axes[0].Key, axes[1].Key) > 0;
        IReadOnlyList<StatisticsAxis> canonical = swapped ? [axes[1], axes[0]] : axes;
        var answer = await StoredOrCountedAsync(canonical, now, ct);
        var release = answer.Release;
        if (swapped) release = release with { Groups = release.Groups.Select(g => new ReleasedGroup(g.Column, g.Row, g.Count)).ToList() };
        return new StatisticsAnswer(axes, K, answer.CountedAt, release);
    }

    /// <summary>The question's stored answer while it is younger than <see cref="StatisticsOptions.MaxAge"/>; else the accounts are counted now, once (concurrent askers wait for that count).</summary>
    private async Task<StoredAnswer> StoredOrCountedAsync(IReadOnlyList<StatisticsAxis> axes, DateTimeOffset now, CancellationToken ct)
    {
        var question = string.Join(" × ", axes.Select(a => a.Key));
        var stored = await db.StatisticsAnswers.AsNoTracking().FirstOrDefaultAsync(a => a.Question == question, ct);
        if (stored?.AnswersAt(now, K, options.MaxAge) == true) return stored;

        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        await db.Database.LockUntilCommitAsync($"statistics-count:{question}", ct);
        var current = await db.StatisticsAnswers.FirstOrDefaultAsync(a => a.Question == question, ct);
        if (current?.AnswersAt(now, K, options.MaxAge) == true) return current;
        // A count joins a million accounts to their consents (or connected accounts): hash them in memory, not in batches on disk.
        await db.Database.ExecuteSqlRawAsync("SET LOCAL work_mem = '64MB'", ct);
        var cells = await CountAsync(axes, now, ct);
        var fresh = StoredAnswer.Of(question, K, now, axes.Count == 1 ? Disclosure.OneAxis(cells, K) : Disclosure.TwoAxes(cells, K));
        if (current is null) db.StatisticsAnswers.Add(fresh);
        else current.Replace(fresh);
        await db.SaveChangesAsync(ct);
        await transaction.CommitAsync(ct);
        return current ?? fresh;
    }

    /// <summary>One or two axes, different, not linked (<see cref="StatisticsAxis.Linked"/>).</summary>
    public static void CheckQuestion(IReadOnlyList<StatisticsAxis> axes)
    {
        Rule.Check(axes.Count is 1 or 2, "INVALID_STATISTICS_AXES", $"Count by one axis or two; {axes.Count} were given.", "by");
        if (axes.Count < 2) return;
        Rule.Check(axes[0].Key != axes[1].Key, "INVALID_STATISTICS_AXES", $"The two axes are the same ({axes[0].Key}).", "by");
        if (StatisticsAxis.Linked(axes[0], axes[1]) is { } why)
            throw new RuleViolation("LINKED_DIMENSIONS", $"{axes[0].Key} and {axes[1].Key} are not crossed: {why}. Ask each alone.", "by");
    }

    private async Task<RuleViolation?> LogAsync(StatisticsAsker asker, IReadOnlyList<StatisticsAxis> axes, DateTimeOffset now, CancellationToken ct)
    {
        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        // One asker's questions one at a time: two racing two-axis questions cannot close a cycle together.
        await db.Database.LockUntilCommitAsync($"statistics:{asker.Role}:{asker.Subject}", ct);
        var refusal = asker.IsPartner ? await PartnerRefusalAsync(asker, axes, ct) : null;
        db.StatisticsRequests.Add(StatisticsRequest.Record(asker, axes, K, refusal?.Code, now));
        await db.SaveChangesAsync(ct);
        await transaction.CommitAsync(ct);
        return refusal;
    }

    private async Task<RuleViolation?> PartnerRefusalAsync(StatisticsAsker asker, IReadOnlyList<StatisticsAxis> axes, CancellationToken ct)
    {
        var shared = options.SharedWithPartners;
        if (axes.FirstOrDefault(a => !shared.Contains(a.Dimension)) is { } withheld)
            return new RuleViolation("DIMENSION_NOT_SHARED",
                $"The publisher does not share {StatisticsAxis.Name(withheld.Dimension)} with partners; shared: {string.Join(", ", shared.Select(StatisticsAxis.Name))}.",
                "by", RuleKind.Forbidden);
        if (axes.Count < 2) return null;
        var held = await db.StatisticsRequests.AsNoTracking()
            .Where(r => r.Role == asker.Role && r.Asker == asker.Subject && r.Refusal == null && r.Axes.Count == 2)
            .Select(r => r.Axes).ToListAsync(ct);
        var path = PathBetween(held.Select(h => (h[0], h[1])).ToList(), axes[0].Key, axes[1].Key);
        return path is null ? null : new RuleViolation("COMBINATION_REFUSED",
            $"With the two-axis answers you already hold ({string.Join(", ", path)}), {axes[0].Key} × {axes[1].Key} would close a cycle of dimensions, "
            + "and answers in a cycle can be combined to single out fewer than k people. Ask each of its axes alone, or a pair that closes no cycle.",
            "by", RuleKind.Forbidden);
    }

    /// <summary>
    /// The held pairs linking <paramref name="a"/> to <paramref name="b"/> when a new pair (a, b) would close a cycle; null when it
    /// closes none (no path, or the very pair is already held: asking again changes nothing).
    /// </summary>
    public static IReadOnlyList<string>? PathBetween(IReadOnlyList<(string A, string B)> held, string a, string b)
    {
        if (held.Any(h => (h.A == a && h.B == b) || (h.A == b && h.B == a))) return null;
        var edges = held.Distinct().ToList();
        var from = new Dictionary<string, (string Node, string Edge)> { [a] = (a, "") };
        var queue = new Queue<string>([a]);
        while (queue.Count > 0)
        {
            var node = queue.Dequeue();
            foreach (var (x, y) in edges)
            {
                var next = x == node ? y : y == node ? x : null;
                if (next is null || from.ContainsKey(next)) continue;
                from[next] = (node, $"{x} × {y}");
                if (next == b)
                {
                    var path = new List<string>();
                    for (var at = b; at != a; at = from[at].Node) path.Insert(0, from[at].Edge);
                    return path;
                }
                queue.Enqueue(next);
            }
        }
        return null;
    }

    /// <summary>Accounts per value (or pair of values), erased accounts having no row: one GROUP BY, no per-person work here. Runs in the caller's transaction.</summary>
    private async Task<IReadOnlyList<CountedCell>> CountAsync(IReadOnlyList<StatisticsAxis> axes, DateTimeOffset now, CancellationToken ct)
    {
        var (sql, parameters) = CountStatement(axes, now);
        await using var command = new NpgsqlCommand(sql, (NpgsqlConnection)db.Database.GetDbConnection());
        command.Parameters.AddRange(parameters.ToArray());
        var cells = new List<CountedCell>();
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
            cells.Add(new CountedCell(reader.GetString(0), axes.Count > 1 ? reader.GetString(1) : null, reader.GetInt64(axes.Count)));
        return cells;
    }

    /// <summary>
    /// The counting statement and its parameters (bench B8 prints it). The inner query groups by the raw columns (a
    /// timestamp truncated to its month, a boolean, a code) and the outer one spells each group's value: text is made
    /// once per group, not once per account.
    /// </summary>
    public static (string Sql, IReadOnlyList<NpgsqlParameter> Parameters) CountStatement(IReadOnlyList<StatisticsAxis> axes, DateTimeOffset now)
    {
        var parameters = new List<NpgsqlParameter> { new("now", now.ToUniversalTime()) };
        var joins = new List<string>();
        var raw = new List<string>();
        var spelt = new List<string>();
        for (var i = 0; i < axes.Count; i++)
        {
            var axis = axes[i];
            var j = $"j{i}";
            var r = $"r{i}";
            string Parameter(string name, object value)
            {
                parameters.Add(new NpgsqlParameter($"{name}{i}", value));
                return $"@{name}{i}";
            }
            switch (axis.Dimension)
            {
                case StatisticsDimension.Country:
                    raw.Add("u.country");
                    spelt.Add($"coalesce({r}, 'none')");
                    break;
                case StatisticsDimension.Locale:
                    raw.Add("u.locale");
                    spelt.Add($"lower({r})");
                    break;
                case StatisticsDimension.SignUpMonth:
                    raw.Add("date_trunc('month', u.created_at, 'UTC')");
                    spelt.Add($"to_char({r} AT TIME ZONE 'UTC', 'YYYY-MM')");
                    break;
                case StatisticsDimension.Activity:
                    // The band's number: 0, 1, 2 within 30, 90, 365 days; 3 over a year.
                    var bands = string.Concat(StatisticsAxis.ActivityBands.Select((b, n) =>
                        $" WHEN coalesce(u.last_authenticated_at, u.created_at) > @now - {Parameter($"band{n}_", b.Before)} THEN {n}"));
                    raw.Add($"CASE{bands} ELSE {StatisticsAxis.ActivityBands.Count} END");
                    spelt.Add($"CASE {r}{string.Concat(StatisticsAxis.ActivityBands.Select((b, n) => $" WHEN {n} THEN '{b.Value}'"))} ELSE '{StatisticsAxis.OverAYear}' END");
                    break;
                case StatisticsDimension.Consent:
                    // The account's running period (one at most: ix_consents_current_user); past its 13 months it says nothing (P5).
                    joins.Add($"""
                        LEFT JOIN (SELECT c.user_id, ch.granted FROM consents c JOIN consent_choices ch ON ch.consent_id = c.id
                                   WHERE c.user_id IS NOT NULL AND c.ended_at IS NULL AND c.expires_at > @now AND ch.purpose = {Parameter("purpose", axis.Purpose!.Value.ToString())}) {j}
                          ON {j}.user_id = u.id
                        """);
                    raw.Add($"{j}.granted");
                    spelt.Add($"CASE WHEN {r} THEN 'granted' WHEN NOT {r} THEN 'refused' ELSE 'none' END");
                    break;
                case StatisticsDimension.ConnectedAccount:
                    joins.Add($"LEFT JOIN (SELECT DISTINCT user_id FROM connected_accounts WHERE provider = {Parameter("provider", axis.Provider!)}) {j} ON {j}.user_id = u.id");
                    raw.Add($"{j}.user_id IS NOT NULL");
                    spelt.Add($"CASE WHEN {r} THEN 'connected' ELSE 'not-connected' END");
                    break;
                case StatisticsDimension.GrantedScope:
                    joins.Add($"""
                        LEFT JOIN (SELECT DISTINCT user_id FROM connected_accounts
                                   WHERE provider = {Parameter("provider", axis.Provider!)} AND {Parameter("scope", axis.Scope!)} = ANY (granted_scopes)) {j}
                          ON {j}.user_id = u.id
                        """);
                    raw.Add($"{j}.user_id IS NOT NULL");
                    spelt.Add($"CASE WHEN {r} THEN 'granted' ELSE 'not-granted' END");
                    break;
                case StatisticsDimension.PolicyDecision:
                    joins.Add($"""
                        LEFT JOIN (SELECT DISTINCT ON (user_id) user_id, decision FROM policy_decisions
                                   WHERE policy_number = {Parameter("version", axis.PolicyVersion!)} ORDER BY user_id, decided_at DESC) {j}
                          ON {j}.user_id = u.id
                        """);
                    raw.Add($"{j}.decision");
                    spelt.Add($"CASE {r} WHEN 'Accepted' THEN 'accepted' WHEN 'Refused' THEN 'refused' ELSE 'none' END");
                    break;
                default:
                    throw new ArgumentOutOfRangeException(nameof(axes), axis.Dimension, "A dimension without a counting rule.");
            }
        }
        var inner = string.Join(", ", raw.Select((v, i) => $"{v} AS r{i}"));
        var groupBy = string.Join(", ", raw.Select((_, i) => (i + 1).ToString(System.Globalization.CultureInfo.InvariantCulture)));
        var sql = $"""
            SELECT {string.Join(", ", spelt)}, people FROM (
              SELECT {inner}, count(*) AS people
              FROM users u
              {string.Join("\n", joins)}
              GROUP BY {groupBy}) counted
            """;
        return (sql, parameters);
    }
}
