using Imail.Domain.Persistence;
using Npgsql;

namespace Imail.Domain.Tests.Persistence;

// Issue 10: repeated reads are prepared, so PostgreSQL plans them once per connection (bench/README.md, B9's plans).
public class ReadSettingsTests
{
    [Fact]
    public void AConnectionStringWithoutASetting_GetsAutomaticPreparation()
    {
        var builder = new NpgsqlConnectionStringBuilder(DatabaseSetup.WithReadSettings("Host=db;Database=imail;Username=imail"));
        Assert.Equal(DatabaseSetup.DefaultMaxAutoPrepare, builder.MaxAutoPrepare);
        Assert.Equal(2, builder.AutoPrepareMinUsages);
        Assert.True(builder.NoResetOnClose);
        Assert.Equal("db", builder.Host);
        Assert.Equal("imail", builder.Database);
    }

    [Theory]
    [InlineData("Host=db;Max Auto Prepare=0", 0)]
    [InlineData("Host=db;MaxAutoPrepare=5", 5)]
    public void AnOperatorsSetting_IsKept(string connectionString, int expected)
    {
        Assert.Equal(expected, new NpgsqlConnectionStringBuilder(DatabaseSetup.WithReadSettings(connectionString)).MaxAutoPrepare);
    }

    [Fact]
    public void AnOperatorsReset_IsKept()
    {
        Assert.False(new NpgsqlConnectionStringBuilder(DatabaseSetup.WithReadSettings("Host=db;No Reset On Close=false")).NoResetOnClose);
    }

    [Fact]
    public void TheDbContextOptions_UseIt()
    {
        using var db = new ImailDbContext(DatabaseSetup.Options("Host=unused"));
        var connectionString = Microsoft.EntityFrameworkCore.RelationalDatabaseFacadeExtensions.GetConnectionString(db.Database);
        Assert.Equal(DatabaseSetup.DefaultMaxAutoPrepare, new NpgsqlConnectionStringBuilder(connectionString).MaxAutoPrepare);
    }
}
