// The GraphQL toolkit every feature folder uses (src/Imail.Api/GraphQL/README.md): access
// declarations, payloads and typed errors, connections, batch loading, the resolver helpers.
global using Imail.Api.GraphQL.Conventions;
