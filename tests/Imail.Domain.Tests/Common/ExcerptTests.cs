using Imail.Domain.Common;
using Imail.Domain.Users;

namespace Imail.Domain.Tests.Common;

public class ExcerptTests
{
    private static readonly string Long = new('x', 10_000);

    [Fact]
    public void Quote_KeepsAShortValueWhole() => Assert.Equal("'fr-BE'", Excerpt.Quote("fr-BE"));

    [Fact]
    public void Quote_CutsALongValue_AndSaysHowLongItWas() =>
        Assert.Equal($"'{new string('x', Excerpt.MaxLength)}…' (10000 characters)", Excerpt.Quote(Long));

    [Fact]
    public void Quote_NeverSplitsASurrogatePair()
    {
        var value = new string('a', Excerpt.MaxLength - 1) + "🏃" + Long;

        Assert.StartsWith($"'{new string('a', Excerpt.MaxLength - 1)}…'", Excerpt.Quote(value));
    }

    [Fact]
    public void Quote_NamesControlAndDirectionCharacters_InsteadOfPrintingThem() =>
        Assert.Equal("'admin[U+202E]gpj.exe[U+0000]'", Excerpt.Quote("admin\u202Egpj.exe\0"));

    [Fact]
    public void List_ShowsAFewValues_AndCountsTheRest() =>
        Assert.Equal("'a', 'b', 'c', 'd', 'e' and 2 more", Excerpt.List(["a", "b", "c", "d", "e", "f", "g"]));

    [Theory]
    [InlineData("Cannot query field 'me' on type 'Query'.")]
    [InlineData("Expected Name, found String \"x\"; for more information see http://spec.graphql.org/October2021/#sec-Language.Operations-and-Selections")]
    public void Shorten_LeavesOrdinaryMessagesAlone(string message) => Assert.Equal(message, Excerpt.Shorten(message));

    [Theory]
    [InlineData("Cannot query field '{0}' on type 'Query'.")]
    [InlineData("Expected Name, found String \"{0}\"; for more information see http://spec.graphql.org/")]
    [InlineData("Argument 'code' has invalid value. Expected type 'String', found {0}.")]
    [InlineData("Unable to convert 'it''s {0}' to 'Int'")]
    public void Shorten_CutsWhatTheClientSent(string template)
    {
        var shortened = Excerpt.Shorten(string.Format(template, Long));

        Assert.DoesNotContain(new string('x', Excerpt.MaxLength + 1), shortened);
        Assert.Equal(shortened, Excerpt.Shorten(shortened)); // a message already cut stays as it is
    }

    [Fact]
    public void Shorten_BoundsAMessageOfManyShortWords() =>
        Assert.True(Excerpt.Shorten(string.Join(", ", Enumerable.Repeat("'a'", 10_000))).Length <= Excerpt.MaxMessageLength + 20);

    [Fact]
    public void Item14_AnInvalidEmailAddress_IsQuotedAsAShortPrefix()
    {
        var violation = Assert.Throws<RuleViolation>(() => EmailAddress.Normalize(new string('e', 200_000) + "@example.org"));

        Assert.True(violation.Message.Length < 200, violation.Message);
    }
}
