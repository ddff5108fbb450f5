// Runs the graphql-http GraphQL-over-HTTP audit suite (its serverAudits) against a running gateway.
// usage: node audit.mjs URL [Authorization header value]
// GRAPHQL_HTTP_FROM: a folder whose node_modules holds graphql-http (else the usual lookup).
import { createRequire } from 'node:module';
const from = process.env.GRAPHQL_HTTP_FROM;
const { serverAudits } = from ? createRequire(from + '/')('graphql-http') : await import('graphql-http');
const url = process.argv[2];
const auth = process.argv[3];
const fetchFn = (input, init = {}) => {
  const headers = new Headers(init.headers || {});
  if (auth) headers.set('authorization', auth);
  return fetch(input, { ...init, headers });
};
const audits = serverAudits({ url, fetchFn });
let pass = 0, warn = 0, fail = 0;
const lines = [];
for (const audit of audits) {
  let r;
  try { r = await audit.fn(); } catch (e) { r = { status: 'error', reason: String(e && e.message || e) }; }
  if (r.status === 'ok') pass++;
  else if (r.status === 'warn') { warn++; lines.push(`WARN ${audit.id} ${audit.name}: ${r.reason}`); }
  else { fail++; lines.push(`FAIL ${audit.id} ${audit.name}: ${r.reason}`); }
}
console.log(lines.join('\n'));
console.log(`graphql-http audit: ${pass} ok, ${warn} warn, ${fail} error of ${audits.length}`);
process.exit(fail ? 1 : 0);
