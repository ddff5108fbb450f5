// PostGraphile 5 on the benchmark's database, set up as its documentation
// sets up row-level security: each request's JWT is verified (HS256, the
// gateway's secret) and its claims become `request.jwt.claims`, the request
// running as the gateway's RLS role — the same policies, the same data.
// Started by bench/peers/run; read from the environment:
//   PGL_DATABASE_URL, PGL_PORT, PGL_JWT_SECRET, PGL_RLS_ROLE
import { createRequire } from "node:module";
import { PostGraphileAmberPreset } from "postgraphile/presets/amber";
import { makePgService } from "postgraphile/adaptors/pg";
import { PostGraphileConnectionFilterPreset } from "postgraphile-plugin-connection-filter";

// jsonwebtoken is PostGraphile's own dependency; resolve it from there.
const require = createRequire(import.meta.resolve("postgraphile"));
const jwt = require("jsonwebtoken");

const secret = process.env.PGL_JWT_SECRET;
const role = process.env.PGL_RLS_ROLE || "latticeiq_app";

/** @type {GraphileConfig.Preset} */
const preset = {
  extends: [PostGraphileAmberPreset, PostGraphileConnectionFilterPreset],
  // Every column orderable and filterable, as the gateway's sorts and
  // filters are (by default PostGraphile 5 offers only indexed columns'
  // leading attributes).
  disablePlugins: ["PgIndexBehaviorsPlugin"],
  pgServices: [
    makePgService({
      connectionString: process.env.PGL_DATABASE_URL,
      schemas: ["public"],
      pgSettings(requestContext) {
        const header = requestContext.http?.getHeader("authorization") ?? "";
        const token = header.startsWith("Bearer ") ? header.slice(7) : null;
        if (!token) throw new Error("no token");
        const claims = jwt.verify(token, secret, { algorithms: ["HS256"] });
        return { role, "request.jwt.claims": JSON.stringify(claims) };
      },
    }),
  ],
  grafserv: { port: Number(process.env.PGL_PORT || 5678), host: "127.0.0.1", graphiql: false, watch: false },
  grafast: { explain: false },
};

export default preset;
