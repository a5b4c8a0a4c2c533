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
        Assert.Equal(stored, User.SignUp(given, "Alice", "fr", _clock.GetUtcNow()).Email);

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
        var error = Assert.Throws<RuleViolation>(() => User.SignUp(email, "Alice", "fr", _clock.GetUtcNow()));
        Assert.Equal(("INVALID_EMAIL", "email"), (error.Code, error.Field));
    }

    [Fact]
    public void SignUp_WithAnAddressOver254Characters_IsRefused() =>
        Assert.Equal("INVALID_EMAIL",
            Assert.Throws<RuleViolation>(() => User.SignUp(new string('a', 64) + "@" + new string('b', 190) + ".be", "A", null, _clock.GetUtcNow())).Code);

    [Theory]
    [InlineData("fr", Locale.Fr)]
    [InlineData("nl-BE", Locale.Nl)]
    [InlineData("en_GB", Locale.En)]
    [InlineData("EN", Locale.En)]
    [InlineData(null, Locale.Fr)]
    [InlineData(" ", Locale.Fr)]
    public void SignUp_KeepsTheLanguageOfTheLocaleTag(string? tag, Locale expected) =>
        Assert.Equal(expected, User.SignUp("a@example.org", "A", tag, _clock.GetUtcNow()).Locale);

    [Theory]
    [InlineData("de")]
    [InlineData("de-BE")]
    [InlineData("xx")]
    public void SignUp_WithAnUnsupportedLocale_IsRefused(string tag)
    {
        var error = Assert.Throws<RuleViolation>(() => User.SignUp("a@example.org", "A", tag, _clock.GetUtcNow()));
        Assert.Equal(("UNSUPPORTED_LOCALE", "locale"), (error.Code, error.Field));
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("bell\a")]
    public void SignUp_WithABadDisplayName_IsRefused(string name) =>
        Assert.Equal("INVALID_DISPLAY_NAME", Assert.Throws<RuleViolation>(() => User.SignUp("a@example.org", name, "fr", _clock.GetUtcNow())).Code);

    [Fact]
    public void SignUp_WithA101CharacterName_IsRefused_And100IsAccepted()
    {
        Assert.Throws<RuleViolation>(() => User.SignUp("a@example.org", new string('x', 101), "fr", _clock.GetUtcNow()));
        Assert.Equal(100, User.SignUp("a@example.org", new string('x', 100), "fr", _clock.GetUtcNow()).DisplayName.Length);
    }

    [Fact]
    public void SignUp_StartsActive_WithNoAuthenticationYet()
    {
        var user = User.SignUp("a@example.org", " Alice ", "fr", _clock.GetUtcNow());
        Assert.Equal(UserStatus.Active, user.Status);
        Assert.Equal("Alice", user.DisplayName);
        Assert.Null(user.LastAuthenticatedAt);
        Assert.Equal(_clock.GetUtcNow(), user.CreatedAt);
        Assert.Equal(7, user.Id.Version);
    }

    [Fact]
    public void UpdateProfile_ChangesOnlyWhatIsGiven()
    {
        var user = User.SignUp("a@example.org", "Alice", "fr", _clock.GetUtcNow());
        _clock.Advance(TimeSpan.FromDays(1));
        Assert.True(user.UpdateProfile("Alice B.", null, _clock.GetUtcNow()));
        Assert.Equal(("a@example.org", "Alice B.", Locale.Fr), (user.Email, user.DisplayName, user.Locale));
        Assert.Equal(_clock.GetUtcNow(), user.UpdatedAt);
    }

    [Fact]
    public void UpdateProfile_WithTheSameValues_ChangesNothing()
    {
        var user = User.SignUp("a@example.org", "Alice", "fr", _clock.GetUtcNow());
        var updatedAt = user.UpdatedAt;
        _clock.Advance(TimeSpan.FromDays(1));
        Assert.False(user.UpdateProfile("Alice", "fr-BE", _clock.GetUtcNow()));
        Assert.Null(user.RequestEmailChange("A@EXAMPLE.ORG", EmailChangeCodes.New(), _clock.GetUtcNow()));
        Assert.Equal(updatedAt, user.UpdatedAt);
    }

    [Fact]
    public void ANewAddress_IsUsedOnlyOnceTheCodeSentToItIsEntered_Within24Hours()
    {
        var user = User.SignUp("a@example.org", "Alice", "fr", _clock.GetUtcNow());
        var code = EmailChangeCodes.New();

        Assert.Equal("b@example.org", user.RequestEmailChange(" B@Example.org", code, _clock.GetUtcNow()));
        Assert.Equal(("a@example.org", "b@example.org"), (user.Email, user.PendingEmail));
        Assert.Equal("INVALID_EMAIL_CHANGE_CODE", Assert.Throws<RuleViolation>(() => user.ConfirmEmailChange(EmailChangeCodes.New(), _clock.GetUtcNow())).Code);
        Assert.Equal("a@example.org", user.ConfirmEmailChange(code.ToLowerInvariant().Replace("-", " "), _clock.GetUtcNow()));
        Assert.Equal(("b@example.org", (string?)null, (string?)null), (user.Email, user.PendingEmail, user.PendingEmailCodeHash));
        Assert.Equal("NO_PENDING_EMAIL_CHANGE", Assert.Throws<RuleViolation>(() => user.ConfirmEmailChange(code, _clock.GetUtcNow())).Code);

        var late = EmailChangeCodes.New();
        user.RequestEmailChange("c@example.org", late, _clock.GetUtcNow());
        _clock.Advance(TimeSpan.FromHours(24));
        Assert.Equal("INVALID_EMAIL_CHANGE_CODE", Assert.Throws<RuleViolation>(() => user.ConfirmEmailChange(late, _clock.GetUtcNow())).Code);
        Assert.Equal("b@example.org", user.Email);
    }

    [Fact]
    public void EmailChangeCodes_Carry80RandomBits_AndOnlyTheirHashIsKept()
    {
        var codes = Enumerable.Range(0, 1000).Select(_ => EmailChangeCodes.New()).ToList();
        Assert.Equal(1000, codes.Distinct().Count());
        Assert.All(codes, c => Assert.Matches("^[A-HJ-NP-Z2-9]{4}(-[A-HJ-NP-Z2-9]{4}){3}$", c));
        var user = User.SignUp("a@example.org", "Alice", "fr", _clock.GetUtcNow());
        user.RequestEmailChange("b@example.org", codes[0], _clock.GetUtcNow());
        Assert.DoesNotContain(codes[0].Replace("-", ""), user.PendingEmailCodeHash);
        Assert.Equal(64, user.PendingEmailCodeHash!.Length);
    }

    [Fact]
    public void UpdateProfile_WithABadValue_LeavesTheProfileUntouched()
    {
        var user = User.SignUp("a@example.org", "Alice", "fr", _clock.GetUtcNow());
        Assert.Throws<RuleViolation>(() => user.RequestEmailChange("not-an-address", EmailChangeCodes.New(), _clock.GetUtcNow()));
        Assert.Throws<RuleViolation>(() => user.UpdateProfile("", null, _clock.GetUtcNow()));
        Assert.Equal(("a@example.org", "Alice"), (user.Email, user.DisplayName));
    }
}
