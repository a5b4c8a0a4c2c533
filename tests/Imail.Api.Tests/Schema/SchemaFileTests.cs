using Imail.Api.Hosting;
using Imail.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace Imail.Api.Tests.Schema;

public class SchemaFileTests(ImailApiFactory api) : IClassFixture<ImailApiFactory>
{
    // schema.graphql is the contract front-end teams read: it must be what the code serves.
    [Fact]
    public void SchemaGraphql_IsWhatTheCodeServes()
    {
        var file = Path.Combine(TestDatabase.RepositoryRoot(), "schema.graphql");
        var served = Commands.Sdl(api.Services);
        Assert.True(File.Exists(file), "schema.graphql is missing: run ./imail schema");
        Assert.True(served == File.ReadAllText(file).ReplaceLineEndings("\n"),
            "schema.graphql differs from the schema the code serves: run ./imail schema and review the diff.");
    }

    [Fact]
    public void EveryTypeAndRootField_HasADescription()
    {
        var schema = api.Services.GetRequiredService<global::GraphQL.Types.ISchema>();
        schema.Initialize();
        var undocumented = schema.AllTypes
            .Where(t => !t.Name.StartsWith("__") && t is not global::GraphQL.Types.ScalarGraphType && string.IsNullOrWhiteSpace(t.Description)
                        && t is not global::GraphQL.Types.IInputObjectGraphType)
            .Select(t => t.Name)
            .Concat(new[] { schema.Query, schema.Mutation! }.SelectMany(r => r.Fields)
                .Where(f => string.IsNullOrWhiteSpace(f.Description)).Select(f => f.Name));
        Assert.Empty(undocumented);
    }
}
