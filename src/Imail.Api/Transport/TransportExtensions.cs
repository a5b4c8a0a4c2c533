using GraphQL;
using GraphQL.Transport;

namespace Imail.Api.Transport;

// Minimal placeholder endpoint so the build runs; replaced by the GraphQL-over-HTTP transport.
public static class TransportExtensions
{
    public static WebApplicationBuilder AddImailTransport(this WebApplicationBuilder builder) => builder;

    public static WebApplication MapImailGraphQL(this WebApplication app)
    {
        app.MapPost("/graphql", async (HttpContext http, IDocumentExecuter executer, GraphQL.Types.ISchema schema, IGraphQLTextSerializer serializer) =>
        {
            var request = await serializer.ReadAsync<GraphQLRequest>(http.Request.Body, http.RequestAborted);
            var result = await executer.ExecuteAsync(o =>
            {
                o.Schema = schema;
                o.Query = request!.Query;
                o.Variables = request.Variables;
                o.OperationName = request.OperationName;
                o.User = http.User;
                o.RequestServices = http.RequestServices;
                o.CancellationToken = http.RequestAborted;
                foreach (var rule in http.RequestServices.GetServices<GraphQL.Validation.IValidationRule>())
                    o.ValidationRules = (o.ValidationRules ?? GraphQL.Validation.DocumentValidator.CoreRules).Append(rule);
            });
            http.Response.ContentType = "application/graphql-response+json";
            await serializer.WriteAsync(http.Response.Body, result, http.RequestAborted);
        });
        return app;
    }
}
