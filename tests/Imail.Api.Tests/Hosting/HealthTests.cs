using Imail.Testing;

namespace Imail.Api.Tests.Hosting;

public class HealthTests(ImailApiFactory api) : IClassFixture<ImailApiFactory>
{
    [Theory]
    [InlineData("/health/live")]
    [InlineData("/health/ready")]
    public async Task HealthEndpoints_AnswerHealthy_WhenPostgreSqlAnswers(string path)
    {
        using var client = api.CreateClient();
        using var response = await client.GetAsync(path);
        Assert.Equal(200, (int)response.StatusCode);
        Assert.Equal("Healthy", await response.Content.ReadAsStringAsync());
    }
}

/// <summary>A database that does not answer: readiness says so, liveness does not care.</summary>
public class UnreachableDatabaseHealthTests : IClassFixture<UnreachableDatabaseHealthTests.Api>
{
    private readonly Api _api;

    public UnreachableDatabaseHealthTests(Api api) => _api = api;

    public sealed class Api : ImailApiFactory
    {
        public override Task InitializeAsync() => Task.CompletedTask;
        protected override IDictionary<string, string?> Settings => new Dictionary<string, string?>
        {
            ["ConnectionStrings:Imail"] = "Host=127.0.0.1;Port=1;Database=imail;Username=x;Password=y;Timeout=2",
        };
    }

    [Fact]
    public async Task Ready_Is503_Live_Is200()
    {
        using var client = _api.CreateClient();
        Assert.Equal(503, (int)(await client.GetAsync("/health/ready")).StatusCode);
        Assert.Equal(200, (int)(await client.GetAsync("/health/live")).StatusCode);
    }
}
