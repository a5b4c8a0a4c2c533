using Imail.Domain.Common;
using Imail.Domain.ConnectedAccounts;
using Microsoft.Extensions.Time.Testing;

namespace Imail.Domain.Tests.ConnectedAccounts;

public class ConnectedAccountTests
{
    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2026, 11, 28, 10, 0, 0, TimeSpan.Zero));
    private readonly ConnectedAccountProviders _catalogue = new();
    private readonly Guid _user = Guid.CreateVersion7();

    private static readonly ReceivedField[] Everything =
    [
        new("username", "alice"), new("displayName", "Alice"), new("email", "alice@example.org"),
        new("followersCount", "12"), new("birthDate", "1990-01-01"),
    ];

    private Reception Connect(string[] scopes, IEnumerable<ReceivedField>? fields = null, string provider = "mastodon", string externalId = "109999") =>
        ConnectedAccount.Connect(_user, provider, externalId, scopes, fields ?? Everything, _catalogue, _clock.GetUtcNow());

    [Fact]
    public void Connect_KeepsOnlyTheFieldsAGrantedScopeCovers_AndNamesTheOthers()
    {
        var (account, dropped) = Connect(["profile", "write:statuses"]);

        Assert.Equal([("profile", "username", "alice"), ("profile", "displayName", "Alice")],
            account.Fields.Select(f => (f.Scope, f.Name, f.Value)));
        Assert.Equal(["email", "followersCount", "birthDate"], dropped);
        Assert.Equal(["profile", "write:statuses"], account.GrantedScopes);
        Assert.Equal(("mastodon", "109999", _user), (account.Provider, account.ExternalAccountId, account.UserId));
        Assert.Equal(_clock.GetUtcNow(), account.ConnectedAt);
    }

    [Fact]
    public void Connect_WithNoDataScope_StoresNoProfileData() =>
        Assert.Empty(Connect(["write:statuses"]).Account.Fields);

    [Fact]
    public void Connect_MatchesTheProviderCaseInsensitively_AndStoresTheCatalogueName() =>
        Assert.Equal("bluesky", Connect(["profile"], [new("handle", "alice.bsky.social")], provider: " Bluesky").Account.Provider);

    [Fact]
    public void Reconnect_WithFewerScopes_DeletesWhatLiesOutsideThem()
    {
        var (account, _) = Connect(["profile", "email"]);
        _clock.Advance(TimeSpan.FromDays(1));

        var dropped = account.Reconnect(["email"], Everything, _catalogue, _clock.GetUtcNow());

        Assert.Equal([("email", "email")], account.Fields.Select(f => (f.Scope, f.Name)));
        Assert.Equal(["email"], account.GrantedScopes);
        Assert.Equal(["username", "displayName", "followersCount", "birthDate"], dropped);
        Assert.Equal(_clock.GetUtcNow(), account.UpdatedAt);
        Assert.NotEqual(account.UpdatedAt, account.ConnectedAt);
    }

    [Fact]
    public void Reconnect_ThatBreaksARule_ChangesNothing()
    {
        var (account, _) = Connect(["profile"]);

        Assert.Throws<RuleViolation>(() => account.Reconnect(["email", "nope"], Everything, _catalogue, _clock.GetUtcNow()));

        Assert.Equal(["profile"], account.GrantedScopes);
        Assert.Equal(2, account.Fields.Count);
    }

    [Theory]
    [InlineData("twitter", "1", "UNKNOWN_PROVIDER", "provider")]
    [InlineData("mastodon", "", "INVALID_EXTERNAL_ACCOUNT_ID", "externalAccountId")]
    [InlineData("mastodon", "   ", "INVALID_EXTERNAL_ACCOUNT_ID", "externalAccountId")]
    public void Connect_WithAnUnknownProviderOrABadId_IsRefused(string provider, string externalId, string code, string field)
    {
        var error = Assert.Throws<RuleViolation>(() => Connect(["profile"], provider: provider, externalId: externalId));
        Assert.Equal((code, field), (error.Code, error.Field));
    }

    [Fact]
    public void Connect_WithAnIdOver200Characters_IsRefused() =>
        Assert.Equal("INVALID_EXTERNAL_ACCOUNT_ID", Assert.Throws<RuleViolation>(() => Connect(["profile"], externalId: new string('9', 201))).Code);

    [Fact]
    public void Connect_WithAScopeTheCatalogueDoesNotKnow_IsRefused()
    {
        var error = Assert.Throws<RuleViolation>(() => Connect(["profile", "read:notifications"]));
        Assert.Equal(("INVALID_SCOPE", "grantedScopes"), (error.Code, error.Field));
        Assert.Contains("read:notifications", error.Message);
    }

    [Fact]
    public void Connect_WithAFieldSentTwice_IsRefused() =>
        Assert.Equal("DUPLICATE_FIELD",
            Assert.Throws<RuleViolation>(() => Connect(["profile"], [new("username", "a"), new("username", "b")])).Code);

    [Fact]
    public void Connect_WithAStoredValueOver2000Characters_IsRefused() =>
        Assert.Equal("VALUE_TOO_LONG",
            Assert.Throws<RuleViolation>(() => Connect(["profile"], [new("displayName", new string('x', 2001))])).Code);

    [Fact]
    public void Connect_WithALongValueOutsideTheScopes_DropsIt() =>
        Assert.Equal(["bio"], Connect(["profile"], [new("bio", new string('x', 5000))]).DroppedFields);

    [Fact]
    public void Catalogue_ConfiguredProviderReplacesTheDefault_AndDefaultsCanBeTurnedOff()
    {
        var catalogue = new ConnectedAccountProviders
        {
            Providers = new(StringComparer.OrdinalIgnoreCase) { ["mastodon"] = [new("profile", ["username"])], ["pixelfed"] = [new("read", ["username"])] },
        };
        Assert.Equal(["bluesky", "mastodon", "pixelfed"], catalogue.Catalogue().Select(p => p.Name));
        Assert.Equal(["profile"], catalogue.Find("mastodon")!.Scopes.Select(s => s.Name));

        catalogue.IncludeDefaultProviders = false;
        Assert.Equal(["mastodon", "pixelfed"], catalogue.Catalogue().Select(p => p.Name));
    }

    [Fact]
    public void Catalogue_Defaults_HaveNoProblems() => Assert.Empty(new ConnectedAccountProviders().Problems());
}
