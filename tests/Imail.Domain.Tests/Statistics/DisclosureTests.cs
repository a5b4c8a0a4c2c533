using CsCheck;
using Imail.Domain.Statistics;

namespace Imail.Domain.Tests.Statistics;

/// <summary>P3: statistics answers are groups of at least k people, and no answer, alone or with others, isolates fewer.</summary>
public class DisclosureTests
{
    private const int K = 10;

    private static CountedCell[] Values(params (string Value, long Count)[] counts) => counts.Select(c => new CountedCell(c.Value, null, c.Count)).ToArray();

    [Theory]
    [InlineData(K - 1, false)]
    [InlineData(K, true)]
    [InlineData(K + 1, true)]
    public void OneAxis_AGroupOfKMinusOne_K_KPlusOne(long people, bool listed)
    {
        var answer = Disclosure.OneAxis(Values(("BE", 40), ("FR", 25), ("LU", people)), K);

        Assert.Equal(listed, answer.Groups.Any(g => g.Row == "LU"));
        Assert.Equal(65 + people, answer.Population);
        Assert.Equal(answer.Population, answer.Groups.Sum(g => g.Count));
        Assert.All(answer.Groups, g => Assert.True(g.Count >= K, $"{g} is smaller than k"));
        if (!listed) Assert.Contains(answer.Groups, g => g.Row is null && g.Count >= K); // LU is inside "other", never alone
    }

    [Fact]
    public void TheSubtractionAttackOnTheTotal_FindsNoSmallGroup()
    {
        // Hiding LU (3) alone would publish BE, FR and a total of 78: 78 − 50 − 25 = 3 people in LU.
        var answer = Disclosure.OneAxis(Values(("BE", 50), ("FR", 25), ("LU", 3)), K);

        Assert.Equal([("BE", 50L), ((string?)null, 28L)], answer.Groups.Select(g => (g.Row, g.Count)));
        var attacker = new DisclosureAttack([3], [50, 25, 3]);
        attacker.Learn(answer, 0);
        Assert.Null(attacker.Isolated(K));
    }

    [Fact]
    public void APopulationUnderK_IsWithheldWhole()
    {
        var answer = Disclosure.OneAxis(Values(("BE", 5), ("FR", 4)), K);
        Assert.True(answer.Withheld);
        Assert.Empty(answer.Groups);
        Assert.True(Disclosure.TwoAxes([new("BE", "fr", K - 1)], K).Withheld);
        Assert.Equal(K, Disclosure.OneAxis(Values(("BE", K)), K).Population);
    }

    [Fact]
    public void KBelowTwo_IsRefused()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => Disclosure.OneAxis([], 1));
    }

    [Fact]
    public void TwoAxes_ACrossTableAndItsMargins_DoNotRevealASmallCell()
    {
        // Country × locale. BE×en = 4: hiding that cell alone, BE (1-axis) − BE×fr − BE×nl would give it back.
        var people = new long[] { 30, 20, 4, /* NL */ 2, 25, 12 };
        var attacker = new DisclosureAttack([2, 3], people);
        var byCountry = attacker.Ask(K, 0);
        var byLocale = attacker.Ask(K, 1);
        var both = attacker.Ask(K, 0, 1);
        attacker.Learn(byCountry, 0);
        attacker.Learn(byLocale, 1);
        attacker.Learn(both, 0, 1);

        Assert.All(both.Groups, g => Assert.True(g.Count >= K, $"{g} is smaller than k"));
        Assert.DoesNotContain(both.Groups, g => g.Count == 4);
        Assert.Null(attacker.Isolated(K));
    }

    /// <summary>Populations of one to three dimensions (at most 12 cells), 0 to 3k people per cell, k from 2 to 6.</summary>
    private static readonly Gen<(int K, int[] Sizes, long[] People)> Populations =
        from k in Gen.Int[2, 6]
        from sizes in Gen.OneOf(new[] { 3, 4 }, new[] { 2, 6 }, new[] { 4, 3 }, new[] { 2, 2, 3 }, new[] { 3, 2, 2 }, new[] { 2, 3, 2 })
        from people in Gen.Frequency((3, (IGen<long>)Gen.Const(0L)), (4, Gen.Long[1, 6]), (3, Gen.Long[1, 18])).Array[sizes.Aggregate(1, (a, b) => a * b)]
        select (k, sizes, people);

    [Fact]
    public void Property_EveryAnswerIsAPartitionIntoGroupsOfAtLeastK()
    {
        Populations.Sample(p =>
        {
            var attacker = new DisclosureAttack(p.Sizes, p.People);
            foreach (var dimensions in Queries(p.Sizes.Length))
            {
                var answer = attacker.Ask(p.K, dimensions);
                if (p.People.Sum() < p.K)
                {
                    Assert.True(answer.Withheld);
                    continue;
                }
                Assert.Equal(p.People.Sum(), answer.Population);
                Assert.Equal(p.People.Sum(), answer.Groups.Sum(g => g.Count));
                Assert.All(answer.Groups, g => Assert.True(g.Count >= p.K, $"{g} < k={p.K}"));
                Assert.Equal(answer.Groups.Count, answer.Groups.Select(g => (g.Row, g.Column)).Distinct().Count());
            }
        }, iter: 2000);
    }

    [Fact]
    public void Property_NoAnswerAloneOrWithAnyOtherAllowedAnswer_IsolatesFewerThanKPeople()
    {
        // Each pair of answers, together with the one-axis answers of every dimension they use (allowed answers too).
        Populations.Sample(p =>
        {
            var attacker = new DisclosureAttack(p.Sizes, p.People);
            var queries = Queries(p.Sizes.Length).ToList();
            foreach (var first in queries)
                foreach (var second in queries.Where(q => Compare(q, first) >= 0))
                {
                    var learner = new DisclosureAttack(p.Sizes, p.People);
                    foreach (var d in first.Concat(second).Distinct()) learner.Learn(attacker.Ask(p.K, d), d);
                    learner.Learn(attacker.Ask(p.K, first), first);
                    learner.Learn(attacker.Ask(p.K, second), second);
                    if (learner.Isolated(p.K) is { } found)
                        Assert.Fail($"k={p.K}, answers by [{string.Join(",", first)}] and [{string.Join(",", second)}]: {learner.Describe(found.Mask)} = {found.People} people follow from them");
                }
        }, iter: 300);
    }

    /// <summary>Populations of four dimensions of two values (16 cells).</summary>
    private static readonly Gen<(int K, int[] Sizes, long[] People)> FourDimensions =
        from k in Gen.Int[2, 6]
        from people in Gen.Frequency((3, (IGen<long>)Gen.Const(0L)), (4, Gen.Long[1, 6]), (3, Gen.Long[1, 18])).Array[16]
        select (k, new[] { 2, 2, 2, 2 }, people);

    [Fact]
    public void Property_AllOneAxisAnswers_AndTwoAxisAnswersWhosePairsFormNoCycle_IsolateNoOneTogether()
    {
        // What one asker may hold (StatisticsDesk refuses the two-axis answer that would close a cycle of dimensions).
        int[][][] forests3 = [[[0, 1], [1, 2]], [[0, 1], [0, 2]], [[0, 2], [1, 2]]];
        int[][][] forests4 = [[[0, 1], [1, 2], [2, 3]], [[0, 1], [0, 2], [0, 3]], [[0, 1], [2, 3]], [[0, 3], [1, 3], [1, 2]]];
        void Check((int K, int[] Sizes, long[] People) p, int[][][] forests)
        {
            var attacker = new DisclosureAttack(p.Sizes, p.People);
            foreach (var forest in forests)
            {
                var learner = new DisclosureAttack(p.Sizes, p.People);
                for (var d = 0; d < p.Sizes.Length; d++) learner.Learn(attacker.Ask(p.K, d), d);
                foreach (var pair in forest) learner.Learn(attacker.Ask(p.K, pair), pair);
                if (learner.Isolated(p.K) is { } found)
                    Assert.Fail($"k={p.K}, pairs {string.Join(" ", forest.Select(f => string.Join("×", f)))}: {learner.Describe(found.Mask)} = {found.People}");
            }
        }
        Populations.Where(p => p.Sizes.Length == 3).Sample(p => Check(p, forests3), iter: 300);
        FourDimensions.Sample(p => Check(p, forests4), iter: 40);
    }

    [Fact]
    public void ThreeTwoAxisAnswersInACycle_CanIsolateSomeone_WhichIsWhyACycleIsRefused()
    {
        // Found by sampling populations: k = 6, dimensions of 2, 2 and 3 values, cells in order (x0, x1, x2) with x2 varying fastest.
        // Each two answers are safe (the property above); the three two-axis answers together give a group of 1 to 5 back.
        var people = new long[] { 9, 0, 17, 5, 13, 1, 11, 0, 0, 15, 17, 15 };
        var found = CycleLeak(6, [2, 2, 3], people);
        Assert.NotNull(found);
        Assert.InRange(found.Value.People, 1, 5);
    }

    private static (int Mask, long People)? CycleLeak(int k, int[] sizes, long[] people)
    {
        var attacker = new DisclosureAttack(sizes, people);
        var learner = new DisclosureAttack(sizes, people);
        foreach (var q in Queries(sizes.Length)) learner.Learn(attacker.Ask(k, q), q);
        return learner.Isolated(k);
    }

    [Fact]
    public void TheAttacker_FindsWhatHidingSmallCellsAloneLeaks()
    {
        // The check can fail: per-cell suppression (BE×en hidden, everything else shown) with the margins gives BE×en back.
        var people = new long[] { 30, 20, 4, 2, 25, 12 };
        var attacker = new DisclosureAttack([2, 3], people);
        attacker.Learn(attacker.Ask(K, 0), 0);
        attacker.Learn(attacker.Ask(K, 1), 1);
        attacker.Learn(new Release(93, [new("v0", "v0", 30), new("v0", "v1", 20), new("v1", "v1", 25), new("v1", "v2", 12), new(null, null, 6)]), 0, 1);
        var found = attacker.Isolated(K);
        Assert.NotNull(found);
        Assert.InRange(found.Value.People, 1, K - 1);
    }

    private static IEnumerable<int[]> Queries(int dimensions)
    {
        for (var a = 0; a < dimensions; a++)
        {
            yield return [a];
            for (var b = a + 1; b < dimensions; b++) yield return [a, b];
        }
    }

    private static int Compare(int[] a, int[] b) => string.CompareOrdinal(string.Join(",", a), string.Join(",", b));
}
