// graphql-js's standard introspection query, as code generators send it: every option graphql@16
// offers turned on, except experimentalDirectiveDeprecation (an RFC GraphQL.NET does not serve).
// Prints the query text; IntrospectionTests compares it with Schema/Introspection/graphql-js.graphql.
import { getIntrospectionQuery } from 'graphql';

process.stdout.write(getIntrospectionQuery({
  descriptions: true,
  specifiedByUrl: true,
  directiveIsRepeatable: true,
  schemaDescription: true,
  inputValueDeprecation: true,
  oneOf: true,
}));
