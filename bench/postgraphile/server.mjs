// B9's peer: PostGraphile 5 in library mode on Node's http server, as its docs set it up for
// production (usage-library, production, jwt-guide, default-role). Started by Imail.Bench
// (Peers/PostGraphilePeer.cs) on the bench database, on a loopback port; it prints one JSON
// line when it listens, and serves its count of finished requests on a second loopback port so
// the bench can measure a window in the middle of the load, as it does for the API.
//
// Environment: DATABASE_URL (the authenticator role), JWT_SECRET (base64 HMAC key, the API's),
// JWT_ISSUER, JWT_AUDIENCE, PG_POOL_MAX (optional), GRAPHILE_ENV=production (set by the bench).
import { createServer } from "node:http";
import jwt from "jsonwebtoken";
import { postgraphile } from "postgraphile";
import { makePgService } from "postgraphile/adaptors/pg";
import { grafserv } from "postgraphile/grafserv/node";
import { PostGraphileAmberPreset } from "postgraphile/presets/amber";

const secret = Buffer.from(process.env.JWT_SECRET ?? "", "base64");
const verifyOptions = {
  algorithms: ["HS256"],
  issuer: process.env.JWT_ISSUER,
  audience: process.env.JWT_AUDIENCE,
  clockTolerance: 30,
};
// The token's role becomes a PostgreSQL role (schema.sql); anyone else is anonymous.
const roles = { user: "imail_user", staff: "imail_staff" };

/** @type {GraphileConfig.Preset} */
const preset = {
  extends: [PostGraphileAmberPreset],
  // The queries use the database's ids; no Relay global object ids (nor `node(id:)`) are exposed.
  disablePlugins: ["NodePlugin"],
  pgServices: [
    makePgService({
      connectionString: process.env.DATABASE_URL,
      schemas: ["imail_graphile"],
      ...(process.env.PG_POOL_MAX ? { poolConfig: { max: Number(process.env.PG_POOL_MAX) } } : {}),
    }),
  ],
  grafserv: { graphiql: false, watch: false },
  grafast: {
    explain: false,
    // The JWT guide's pattern: verify the bearer token in the server, hand the claims PostgreSQL
    // needs to pgSettings; the role switch is PostgreSQL's (set_config('role', …)).
    context(requestContext, args) {
      const pgSettings = { ...args.contextValue?.pgSettings, role: "imail_anonymous" };
      const header = requestContext.node?.req?.headers?.authorization;
      if (typeof header === "string" && header.startsWith("Bearer ")) {
        const claims = jwt.verify(header.slice(7), secret, verifyOptions);
        const role = roles[claims.role];
        if (!role) throw new Error("This token's role may not use this API.");
        pgSettings.role = role;
        pgSettings["jwt.claims.role"] = claims.role;
        if (claims.role === "user") pgSettings["jwt.claims.user_id"] = String(claims.sub);
      }
      return { pgSettings };
    },
  },
};

const pgl = postgraphile(preset);
const serv = pgl.createServ(grafserv);

let completed = 0;
let failed = 0;
const server = createServer();
server.on("request", (_req, res) => {
  res.once("finish", () => {
    completed++;
    if (res.statusCode >= 400) failed++;
  });
});
server.once("listening", () => server.on("error", (e) => console.error(e)));
await serv.addTo(server);

// The bench's window on the load: how many requests this server finished, and its pid for /proc.
const admin = createServer((_req, res) => {
  res.setHeader("content-type", "application/json");
  res.end(JSON.stringify({ completed, failed }));
});

const listen = (s) => new Promise((resolve) => s.listen(0, "127.0.0.1", () => resolve(s.address().port)));
const port = await listen(server);
const adminPort = await listen(admin);
// Build the schema before saying so: the first request must not pay for it.
await pgl.getSchema();
console.log(JSON.stringify({ port, adminPort, node: process.version }));

const stop = () => {
  server.close();
  admin.close();
  pgl.release().finally(() => process.exit(0));
};
process.on("SIGTERM", stop);
process.on("SIGINT", stop);
