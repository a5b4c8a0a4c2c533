using Imail.Domain.Common;
using Imail.Domain.Users;
using Microsoft.Extensions.Time.Testing;

namespace Imail.Domain.Tests.Users;

public class UserTests
{
    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2026, 11, 27, 10, 0, 0, TimeSpan.Zero));

    [Theory]
    [InlineData("  Alice@Example.ORG ", "alice@example.org")]
    [InlineData("jean.dupont+imail@cinq-cinq.be", "jean.dupont+imail@cinq-cinq.be")]
    public void SignUp_NormalisesTheEmailAddress(string given, string stored) =>
        Assert.Equal(stored, User.SignUp(given, "Alice", "fr", _clock).Email);

    [Theory]
    [InlineData("")]
    [InlineData("alice")]
    [InlineData("alice@")]
    [InlineData("@example.org")]
    [InlineData("alice@example")]
    [InlineData("alice example@example.org")]
    [InlineData("alice@@example.org")]
    [InlineData("alice@-example.org")]
    public void SignUp_WithAnUndeliverableAddress_IsRefusedWithInvalidEmail(string email)
    {
        var error = Assert.Throws<RuleViolation>(() => User.SignUp(email, "Alice", "fr", _clock));
        Assert.Equal(("INVALID_EMAIL", "email"), (error.Code, error.Field));
    }

    [Fact]
    public void SignUp_WithAnAddressOver254Characters_IsRefused() =>
        Assert.Equal("INVALID_EMAIL",
            Assert.Throws<RuleViolation>(() => User.SignUp(new string('a', 64) + "@" + new string('b', 190) + ".be", "A", null, _clock)).Code);

    [Theory]
    [InlineData("fr", Locale.Fr)]
    [InlineData("nl-BE", Locale.Nl)]
    [InlineData("en_GB", Locale.En)]
    [InlineData("EN", Locale.En)]
    [InlineData(null, Locale.Fr)]
    [InlineData(" ", Locale.Fr)]
    public void SignUp_KeepsTheLanguageOfTheLocaleTag(string? tag, Locale expected) =>
        Assert.Equal(expected, User.SignUp("a@example.org", "A", tag, _clock).Locale);

    [Theory]
    [InlineData("de")]
    [InlineData("de-BE")]
    [InlineData("xx")]
    public void SignUp_WithAnUnsupportedLocale_IsRefused(string tag)
    {
        var error = Assert.Throws<RuleViolation>(() => User.SignUp("a@example.org", "A", tag, _clock));
        Assert.Equal(("UNSUPPORTED_LOCALE", "locale"), (error.Code, error.Field));
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("bell\a")]
    public void SignUp_WithABadDisplayName_IsRefused(string name) =>
        Assert.Equal("INVALID_DISPLAY_NAME", Assert.Throws<RuleViolation>(() => User.SignUp("a@example.org", name, "fr", _clock)).Code);

    [Fact]
    public void SignUp_WithA101CharacterName_IsRefused_And100IsAccepted()
    {
        Assert.Throws<RuleViolation>(() => User.SignUp("a@example.org", new string('x', 101), "fr", _clock));
        Assert.Equal(100, User.SignUp("a@example.org", new string('x', 100), "fr", _clock).DisplayName.Length);
    }

    [Fact]
    public void SignUp_StartsActive_WithNoAuthenticationYet()
    {
        var user = User.SignUp("a@example.org", " Alice ", "fr", _clock);
        Assert.Equal(UserStatus.Active, user.Status);
        Assert.Equal("Alice", user.DisplayName);
        Assert.Null(user.LastAuthenticatedAt);
        Assert.Equal(_clock.GetUtcNow(), user.CreatedAt);
        Assert.Equal(7, user.Id.Version);
    }

    [Fact]
    public void UpdateProfile_ChangesOnlyWhatIsGiven()
    {
        var user = User.SignUp("a@example.org", "Alice", "fr", _clock);
        _clock.Advance(TimeSpan.FromDays(1));
        Assert.True(user.UpdateProfile(null, "Alice B.", null, _clock));
        Assert.Equal(("a@example.org", "Alice B.", Locale.Fr), (user.Email, user.DisplayName, user.Locale));
        Assert.Equal(_clock.GetUtcNow(), user.UpdatedAt);
    }

    [Fact]
    public void UpdateProfile_WithTheSameValues_ChangesNothing()
    {
        var user = User.SignUp("a@example.org", "Alice", "fr", _clock);
        var updatedAt = user.UpdatedAt;
        _clock.Advance(TimeSpan.FromDays(1));
        Assert.False(user.UpdateProfile("A@EXAMPLE.ORG", "Alice", "fr-BE", _clock));
        Assert.Equal(updatedAt, user.UpdatedAt);
    }

    [Fact]
    public void UpdateProfile_WithABadValue_LeavesTheProfileUntouched()
    {
        var user = User.SignUp("a@example.org", "Alice", "fr", _clock);
        Assert.Throws<RuleViolation>(() => user.UpdateProfile("not-an-address", "Bob", null, _clock));
        Assert.Equal(("a@example.org", "Alice"), (user.Email, user.DisplayName));
    }
}
