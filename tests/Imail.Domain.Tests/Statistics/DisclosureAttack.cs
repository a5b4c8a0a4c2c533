using Imail.Domain.Statistics;

namespace Imail.Domain.Tests.Statistics;

/// <summary>
/// The attacker of <c>docs/statistics.md</c>: knows every answer it was given and every value each dimension can take,
/// nothing else, and adds and subtracts answers. A set of people's size "follows from the answers" when the set's
/// indicator over the population's cells (one cell per combination of values) is a linear combination of the answers'
/// groups. The check enumerates every set of cells (populations of at most 16 cells) and reports one that follows from
/// the answers and holds 1 to k−1 people.
/// </summary>
public sealed class DisclosureAttack
{
    private const long P = 2_147_483_647; // arithmetic mod a prime: exact for 0/1 vectors this small
    private readonly int[] _sizes;
    private readonly long[] _people;
    private readonly List<(long[] Row, int Pivot)> _basis = [];

    /// <param name="sizes">How many values each dimension has (the attacker knows them all).</param>
    /// <param name="people">People per cell, cells numbered with the first dimension varying slowest.</param>
    public DisclosureAttack(int[] sizes, long[] people)
    {
        _sizes = sizes;
        _people = people;
        if (Cells != people.Length) throw new ArgumentException("One count per cell.");
    }

    public int Cells => _sizes.Aggregate(1, (a, b) => a * b);

    public static string Value(int v) => $"v{v}";

    public int ValueOf(int cell, int dimension)
    {
        for (var d = _sizes.Length - 1; d > dimension; d--) cell /= _sizes[d];
        return cell % _sizes[dimension];
    }

    /// <summary>The counts an answer over these dimensions is computed from, as the SQL gives them (no empty cell).</summary>
    public IEnumerable<CountedCell> Counted(params int[] dimensions)
    {
        var counts = new Dictionary<(string, string?), long>();
        for (var cell = 0; cell < Cells; cell++)
        {
            if (_people[cell] == 0) continue;
            var key = (Value(ValueOf(cell, dimensions[0])), dimensions.Length > 1 ? Value(ValueOf(cell, dimensions[1])) : null);
            counts[key] = counts.GetValueOrDefault(key) + _people[cell];
        }
        return counts.Select(c => new CountedCell(c.Key.Item1, c.Key.Item2, c.Value));
    }

    public Release Ask(int k, params int[] dimensions) =>
        dimensions.Length == 1 ? Disclosure.OneAxis(Counted(dimensions), k) : Disclosure.TwoAxes(Counted(dimensions), k);

    /// <summary>Learns an answer: each group, and each group the answer's form says is empty (an unlisted cell of listed values).</summary>
    public void Learn(Release answer, params int[] dimensions)
    {
        if (answer.Withheld) return;
        var rows = answer.Groups.Where(g => g.Row is not null).Select(g => g.Row!).ToHashSet();
        var columns = answer.Groups.Where(g => g.Column is not null).Select(g => g.Column!).ToHashSet();
        bool In(int cell, string? row, string? column)
        {
            var r = Value(ValueOf(cell, dimensions[0]));
            if (row is null ? rows.Contains(r) : r != row) return false;
            if (dimensions.Length == 1) return true;
            var c = Value(ValueOf(cell, dimensions[1]));
            return column is null ? !columns.Contains(c) : c == column;
        }
        // The whole population is known too (the sum of the groups).
        Add(Enumerable.Range(0, Cells).Select(_ => 1L).ToArray());
        var shapes = new List<(string?, string?)>();
        if (dimensions.Length == 1)
        {
            shapes.AddRange(rows.Select(r => ((string?)r, (string?)null)));
            shapes.Add((null, null));
        }
        else
        {
            foreach (var r in rows)
            {
                shapes.AddRange(columns.Select(c => ((string?)r, (string?)c)));
                shapes.Add((r, null));
            }
            shapes.AddRange(columns.Select(c => ((string?)null, (string?)c)));
            shapes.Add((null, null));
        }
        foreach (var (row, column) in shapes)
            Add(Enumerable.Range(0, Cells).Select(cell => In(cell, row, column) ? 1L : 0L).ToArray());
    }

    /// <summary>A set of cells (bit mask) that follows from what was learnt and holds 1 to k−1 people, or null.</summary>
    public (int Mask, long People)? Isolated(int k)
    {
        for (var mask = 1; mask < 1 << Cells; mask++)
        {
            long people = 0;
            for (var cell = 0; cell < Cells; cell++)
                if ((mask >> cell & 1) == 1) people += _people[cell];
            if (people == 0 || people >= k) continue;
            if (Follows(Enumerable.Range(0, Cells).Select(cell => (long)(mask >> cell & 1)).ToArray())) return (mask, people);
        }
        return null;
    }

    public string Describe(int mask) => string.Join(" + ", Enumerable.Range(0, Cells).Where(c => (mask >> c & 1) == 1)
        .Select(c => "(" + string.Join(",", Enumerable.Range(0, _sizes.Length).Select(d => Value(ValueOf(c, d)))) + $")={_people[c]}"));

    private void Add(long[] vector)
    {
        var v = Reduce(vector);
        var pivot = Array.FindIndex(v, x => x != 0);
        if (pivot < 0) return;
        var inverse = Power(v[pivot], P - 2);
        for (var i = 0; i < v.Length; i++) v[i] = v[i] * inverse % P;
        foreach (var (row, _) in _basis)
        {
            var f = row[pivot];
            if (f == 0) continue;
            for (var i = 0; i < row.Length; i++) row[i] = ((row[i] - f * v[i]) % P + P) % P;
        }
        _basis.Add((v, pivot));
    }

    private bool Follows(long[] vector) => Reduce(vector).All(x => x == 0);

    private long[] Reduce(long[] vector)
    {
        var v = vector.Select(x => (x % P + P) % P).ToArray();
        foreach (var (row, pivot) in _basis)
        {
            var f = v[pivot];
            if (f == 0) continue;
            for (var i = 0; i < v.Length; i++) v[i] = ((v[i] - f * row[i]) % P + P) % P;
        }
        return v;
    }

    private static long Power(long b, long e)
    {
        long r = 1;
        b %= P;
        for (; e > 0; e >>= 1, b = b * b % P)
            if ((e & 1) == 1) r = r * b % P;
        return r;
    }
}
