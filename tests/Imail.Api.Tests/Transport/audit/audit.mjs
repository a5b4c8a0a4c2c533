// The GraphQL-over-HTTP conformance audit of graphql-http, against the URL given as the only argument.
// Prints one JSON array: { id, name, status: ok | notice | warn | error, reason, httpStatus }.
import { auditServer } from 'graphql-http';

const url = process.argv[2];
if (!url) {
  console.error('usage: node audit.mjs http://host:port/graphql');
  process.exit(2);
}

const results = await auditServer({ url });
console.log(JSON.stringify(results.map((r) => ({
  id: r.id,
  name: r.name,
  status: r.status,
  reason: r.reason ?? null,
  httpStatus: r.response?.status ?? null,
}))));
