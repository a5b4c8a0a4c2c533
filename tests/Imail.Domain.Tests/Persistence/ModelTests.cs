using Imail.Domain.DataCategories;
using Imail.Domain.Persistence;

namespace Imail.Domain.Tests.Persistence;

public class ModelTests
{
    // P8: a column without a category is a column nobody will remember to erase.
    [Fact]
    public void EveryColumn_BelongsToARegisteredDataCategory()
    {
        using var db = new ImailDbContext(DatabaseSetup.Options("Host=unused"));
        var known = DataCategoryCodes.Seeds().Select(c => c.Code).Append(DataCategoryCodes.NotPersonal).ToHashSet();
        var columns = db.Model.GetEntityTypes().SelectMany(e => e.GetProperties()).ToList();
        Assert.NotEmpty(columns);
        Assert.All(columns, p => Assert.True(p.DataCategory() is { } code && known.Contains(code),
            $"{p.DeclaringType.DisplayName()}.{p.Name} has no known data category (HasDataCategory / HasDefaultDataCategory)."));
    }

    [Fact]
    public void TheUserRecord_PutsContactAndIdentityInTheirCategories()
    {
        using var db = new ImailDbContext(DatabaseSetup.Options("Host=unused"));
        var user = db.Model.FindEntityType(typeof(Imail.Domain.Users.User))!;
        Assert.Equal(DataCategoryCodes.Contact, user.FindProperty(nameof(Imail.Domain.Users.User.Email))!.DataCategory());
        Assert.Equal(DataCategoryCodes.Identity, user.FindProperty(nameof(Imail.Domain.Users.User.DisplayName))!.DataCategory());
        Assert.Equal(DataCategoryCodes.Account, user.FindProperty(nameof(Imail.Domain.Users.User.LastAuthenticatedAt))!.DataCategory());
    }
}
