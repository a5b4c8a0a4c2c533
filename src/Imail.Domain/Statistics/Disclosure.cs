namespace Imail.Domain.Statistics;

/// <summary>How many people share one value (one axis) or one pair of values (two axes); people in no cell are not counted.</summary>
public sealed record CountedCell(string Row, string? Column, long Count);

/// <summary>
/// One group of a statistics answer. <c>null</c> on an axis means "any value this answer does not list on that axis":
/// in a one-axis answer, (null) is everybody whose value is not listed; in a two-axis answer, (r, null) is row r outside
/// the listed columns, (null, c) column c outside the listed rows, (null, null) the people in neither.
/// </summary>
public sealed record ReleasedGroup(string? Row, string? Column, long Count);

/// <summary>What may be told: groups of at least k people that together cover the population, or nothing (a population under k).</summary>
public sealed record Release(long? Population, IReadOnlyList<ReleasedGroup> Groups)
{
    public bool Withheld => Population is null;

    public static readonly Release Nothing = new(null, []);
}

/// <summary>
/// The disclosure rules of statistics answers (P3, <c>docs/statistics.md</c>). An answer is a partition of the
/// population into groups of at least k people; small cells are never shown, only merged, and the merge is
/// chosen so that subtracting one answer from another never leaves fewer than k people:
/// <list type="bullet">
/// <item>One axis: values with fewer than k people go to "other"; if "other" then holds 1 to k−1 people, the
/// smallest listed values join it until it reaches k.</item>
/// <item>Two axes: the rows and columns listed are at most those the one-axis answers list (so an answer's rows
/// are never finer than the rows anyone can ask for alone). Then, until nothing changes: a listed cell of 1 to
/// k−1 people takes its row or column (the smaller) out of the list; a row whose people outside the listed
/// columns number 1 to k−1 leaves the list, and so does such a column; if the people in neither list number
/// 1 to k−1, the smallest listed row or column leaves. Every listed row × listed column cell is given (0 when
/// absent), plus each listed row's rest, each listed column's rest, and the rest of the rest.</item>
/// </list>
/// Everything is decided from counts, in a fixed order (count, then value), so the same population always
/// gives the same answer: asking again teaches nothing new.
/// </summary>
public static class Disclosure
{
    /// <summary>The smallest k configuration accepts: k = 1 would publish single people.</summary>
    public const int MinK = 2;

    public static Release OneAxis(IEnumerable<CountedCell> cells, int k)
    {
        CheckK(k);
        var totals = Totals(cells, c => c.Row);
        var population = totals.Values.Sum();
        if (population < k) return Release.Nothing;
        var listed = Listed(totals, k);
        var groups = listed.OrderBy(v => v, StringComparer.Ordinal).Select(v => new ReleasedGroup(v, null, totals[v])).ToList();
        var other = population - groups.Sum(g => g.Count);
        if (other > 0) groups.Add(new ReleasedGroup(null, null, other));
        return new Release(population, groups);
    }

    public static Release TwoAxes(IEnumerable<CountedCell> cells, int k)
    {
        CheckK(k);
        var all = cells.Where(c => c.Count > 0).ToList();
        if (all.Any(c => c.Column is null)) throw new ArgumentException("A two-axis count names a column for every cell.", nameof(cells));
        var rowTotals = Totals(all, c => c.Row);
        var columnTotals = Totals(all, c => c.Column!);
        var population = rowTotals.Values.Sum();
        if (population < k) return Release.Nothing;
        var rows = Listed(rowTotals, k);
        var columns = Listed(columnTotals, k);

        while (true)
        {
            var inside = all.Where(c => rows.Contains(c.Row) && columns.Contains(c.Column!)).ToList();
            // A small cell: its row or its column stops being broken down.
            var small = inside.Where(c => c.Count < k)
                .OrderBy(c => c.Count).ThenBy(c => c.Row, StringComparer.Ordinal).ThenBy(c => c.Column, StringComparer.Ordinal).FirstOrDefault();
            if (small is not null)
            {
                if (rowTotals[small.Row] <= columnTotals[small.Column!]) rows.Remove(small.Row);
                else columns.Remove(small.Column!);
                continue;
            }
            var rowRest = Rests(rows, rowTotals, inside, c => c.Row);
            if (Smallest(rowRest, k) is { } row)
            {
                rows.Remove(row);
                continue;
            }
            var columnRest = Rests(columns, columnTotals, inside, c => c.Column!);
            if (Smallest(columnRest, k) is { } column)
            {
                columns.Remove(column);
                continue;
            }
            var corner = population - inside.Sum(c => c.Count) - rowRest.Values.Sum() - columnRest.Values.Sum();
            if (corner > 0 && corner < k)
            {
                var r = rows.Select(v => (Axis: 0, Value: v, Total: rowTotals[v]));
                var c = columns.Select(v => (Axis: 1, Value: v, Total: columnTotals[v]));
                var leaving = r.Concat(c).OrderBy(x => x.Total).ThenBy(x => x.Axis).ThenBy(x => x.Value, StringComparer.Ordinal).First();
                if (leaving.Axis == 0) rows.Remove(leaving.Value);
                else columns.Remove(leaving.Value);
                continue;
            }

            var groups = new List<ReleasedGroup>();
            foreach (var cell in inside.OrderBy(c => c.Row, StringComparer.Ordinal).ThenBy(c => c.Column, StringComparer.Ordinal))
                groups.Add(new ReleasedGroup(cell.Row, cell.Column, cell.Count));
            groups.AddRange(rowRest.Where(x => x.Value > 0).OrderBy(x => x.Key, StringComparer.Ordinal).Select(x => new ReleasedGroup(x.Key, null, x.Value)));
            groups.AddRange(columnRest.Where(x => x.Value > 0).OrderBy(x => x.Key, StringComparer.Ordinal).Select(x => new ReleasedGroup(null, x.Key, x.Value)));
            if (corner > 0) groups.Add(new ReleasedGroup(null, null, corner));
            return new Release(population, groups);
        }
    }

    private static void CheckK(int k)
    {
        if (k < MinK) throw new ArgumentOutOfRangeException(nameof(k), k, $"k is at least {MinK}.");
    }

    private static Dictionary<string, long> Totals(IEnumerable<CountedCell> cells, Func<CountedCell, string> key)
    {
        var totals = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var cell in cells.Where(c => c.Count > 0))
            totals[key(cell)] = totals.GetValueOrDefault(key(cell)) + cell.Count;
        return totals;
    }

    /// <summary>The one-axis rule: the values listed, given the population's totals per value (which reach k overall).</summary>
    private static HashSet<string> Listed(Dictionary<string, long> totals, int k)
    {
        var listed = totals.Where(t => t.Value >= k).Select(t => t.Key).ToHashSet(StringComparer.Ordinal);
        var other = totals.Where(t => !listed.Contains(t.Key)).Sum(t => t.Value);
        while (other > 0 && other < k && listed.Count > 0)
        {
            var smallest = listed.OrderBy(v => totals[v]).ThenBy(v => v, StringComparer.Ordinal).First();
            listed.Remove(smallest);
            other += totals[smallest];
        }
        return listed;
    }

    /// <summary>Per listed value, its people outside the listed cells of the other axis.</summary>
    private static Dictionary<string, long> Rests(HashSet<string> listed, Dictionary<string, long> totals, List<CountedCell> inside, Func<CountedCell, string> key)
    {
        var rests = listed.ToDictionary(v => v, v => totals[v], StringComparer.Ordinal);
        foreach (var cell in inside) rests[key(cell)] -= cell.Count;
        return rests;
    }

    private static string? Smallest(Dictionary<string, long> rests, int k) =>
        rests.Where(x => x.Value > 0 && x.Value < k).OrderBy(x => x.Value).ThenBy(x => x.Key, StringComparer.Ordinal).Select(x => x.Key).FirstOrDefault();
}
