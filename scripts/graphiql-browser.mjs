#!/usr/bin/env node
// Real-browser test of the gateway's GraphiQL page (headless Chromium through
// playwright-core). Run it through scripts/graphiql-browser, which installs
// what is missing, starts a gateway on a fresh SQLite database and mints the
// token; or by hand against a running gateway:
//
//   NODE_PATH=~/.cache/latticeiq-browser/node_modules \
//   node scripts/graphiql-browser.mjs --base http://127.0.0.1:8080 \
//        --token "$(latticeiq token --workspace 11111111-1111-1111-1111-111111111111)" \
//        --screenshot docs/graphiql.png
//
// Options (each also from the environment):
//   --base URL         GRAPHIQL_BASE_URL  the gateway, e.g. http://127.0.0.1:8080
//   --token JWT        LATTICEIQ_TOKEN    a token of the demo workspace
//   --screenshot PATH  GRAPHIQL_SCREENSHOT  where the 1400x900 PNG goes
//   --expect-total N   GRAPHIQL_EXPECT_TOTAL  contacts.totalCount to wait for (482)
//   --chromium PATH    CHROMIUM_PATH      (default /usr/bin/chromium)
//   --timeout SECONDS  GRAPHIQL_TIMEOUT   for the whole test (default 90)
//   --require-schema   GRAPHIQL_REQUIRE_SCHEMA=1  fail (not only warn) when
//                      GraphiQL's introspection query gets no schema
// Positional arguments are taken as BASE TOKEN SCREENSHOT.
//
// It checks: GraphiQL renders (query and headers editors present); every
// request the page makes stays under BASE; no Content-Security-Policy
// violation is reported; no uncaught page error; pasting the token into the
// Headers editor and running a `contacts` query shows "totalCount": 482 in the
// result pane. It also re-fetches the schema with the token (GraphiQL's own
// introspection query, which feeds its docs and autocompletion) and warns, or
// with --require-schema fails, when that gets no schema. Exit 0 on success, 1 with a FAIL: line per problem otherwise,
// 2 on bad usage.

import { createRequire } from 'node:module';
import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';

const require = createRequire(import.meta.url);

// ---------------------------------------------------------------- arguments
function parseArgs(argv) {
  const opts = {};
  const positional = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const m = a.match(/^--([a-z-]+)(?:=(.*))?$/);
    if (m) {
      if (m[1] === 'help') { opts.help = true; continue; }
      if (m[1] === 'require-schema') { opts['require-schema'] = true; continue; }
      const value = m[2] !== undefined ? m[2] : argv[++i];
      if (value === undefined) usage(`--${m[1]} needs a value`);
      opts[m[1]] = value;
    } else {
      positional.push(a);
    }
  }
  return { opts, positional };
}

function usage(problem) {
  if (problem) console.error(`graphiql-browser: ${problem}`);
  console.error('usage: node scripts/graphiql-browser.mjs --base URL --token JWT --screenshot PATH' +
    ' [--expect-total N] [--chromium PATH] [--timeout SECONDS] [--require-schema]');
  process.exit(2);
}

const { opts, positional } = parseArgs(process.argv.slice(2));
if (opts.help) usage();
const env = process.env;
const base = (opts.base ?? positional[0] ?? env.GRAPHIQL_BASE_URL ?? '').replace(/\/+$/, '');
const token = opts.token ?? positional[1] ?? env.LATTICEIQ_TOKEN ?? '';
const screenshotPath = opts.screenshot ?? positional[2] ?? env.GRAPHIQL_SCREENSHOT ?? '';
const expectTotal = Number(opts['expect-total'] ?? env.GRAPHIQL_EXPECT_TOTAL ?? 482);
const chromiumPath = opts.chromium ?? env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const timeoutSeconds = Number(opts.timeout ?? env.GRAPHIQL_TIMEOUT ?? 90);
const requireSchema = opts['require-schema'] === true || /^(1|true|yes)$/i.test(env.GRAPHIQL_REQUIRE_SCHEMA ?? '');

if (!/^https?:\/\/[^/]+/.test(base)) usage(`the base URL is missing or not http(s): ${JSON.stringify(base)}`);
if (!token) usage('the token is missing (--token or LATTICEIQ_TOKEN)');
if (!screenshotPath) usage('the screenshot path is missing (--screenshot or GRAPHIQL_SCREENSHOT)');
if (!Number.isInteger(expectTotal)) usage('--expect-total must be an integer');
if (!(timeoutSeconds > 0)) usage('--timeout must be a positive number of seconds');

let chromium;
try {
  ({ chromium } = require('playwright-core'));
} catch (e) {
  console.error('FAIL: cannot load playwright-core; install it and point NODE_PATH at its node_modules ' +
    `(scripts/graphiql-browser does both): ${e.message.split('\n')[0]}`);
  process.exit(1);
}

// -------------------------------------------------------------- the test
const HEADERS = JSON.stringify({ Authorization: `Bearer ${token}` }, null, 2);
const QUERY = [
  '{',
  '  contacts(first: 5) {',
  '    totalCount',
  '    nodes {',
  '      fullName',
  '      email',
  '      enrichmentCompanyIndustry',
  '      icpMatch { score tier }',
  '    }',
  '  }',
  '}',
].join('\n');
const EXPECTED = `"totalCount": ${expectTotal}`;
const STEP_MS = Math.min(30_000, timeoutSeconds * 1000);

const baseUrl = new URL(base);
const underBase = (url) => url === base || url.startsWith(`${base}/`) || url.startsWith(`${base}?`);
// Not network requests, so not "another host": inline fonts/images and the like.
const localScheme = (url) => /^(data|blob|about):/.test(url);

const problems = [];
const schemaProblems = [];
const notes = [];
const offsite = [];
const requests = [];
const cspViolations = [];
const pageErrors = [];
const consoleErrors = [];
const badResponses = [];
const failedRequests = [];
let step = 'starting';
const t0 = Date.now();
const log = (msg) => console.log(`[${((Date.now() - t0) / 1000).toFixed(1).padStart(5)}s] ${msg}`);

let browser;
const watchdog = setTimeout(async () => {
  console.error(`FAIL: the test took longer than ${timeoutSeconds}s (at step: ${step})`);
  try { await browser?.close(); } catch { /* exiting anyway */ }
  process.exit(1);
}, timeoutSeconds * 1000);

async function main() {
  step = `launching ${chromiumPath}`;
  try {
    browser = await chromium.launch({
      executablePath: chromiumPath,
      headless: true,
      args: [
        '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
        '--disable-background-networking', '--disable-component-update', '--disable-sync',
      ],
      timeout: STEP_MS,
    });
  } catch (e) {
    throw new Error(`cannot launch Chromium at ${chromiumPath} (apt-get install chromium): ${e.message.split('\n')[0]}`);
  }
  log(`Chromium ${browser.version()} started`);
  const context = await browser.newContext({ viewport: { width: 1400, height: 900 }, deviceScaleFactor: 1 });
  context.setDefaultTimeout(STEP_MS);

  // Every request of every page, worker and frame of the context.
  context.on('request', (req) => {
    const url = req.url();
    requests.push(`${req.method()} ${url}`);
    if (!underBase(url) && !localScheme(url)) offsite.push(`${req.method()} ${url}`);
  });
  context.on('requestfailed', (req) => {
    failedRequests.push(`${req.method()} ${req.url()}: ${req.failure()?.errorText}`);
  });
  context.on('response', (res) => {
    const req = res.request();
    if (res.status() < 400) return;
    // POST /graphql answers 401 while the Headers tab still holds the
    // placeholder token (GraphiQL introspects on load): expected.
    const graphqlPost = req.method() === 'POST' && new URL(res.url()).pathname === `${baseUrl.pathname.replace(/\/$/, '')}/graphql`;
    if (graphqlPost && res.status() === 401) return;
    badResponses.push(`${req.method()} ${res.url()} -> HTTP ${res.status()}`);
  });

  // CSP violations: the DOM event (through a binding, and a page-side array in
  // case the binding is not there yet) and Chromium's console report.
  await context.exposeBinding('__reportCspViolation', (_source, v) => { cspViolations.push(v); });
  await context.addInitScript(() => {
    window.__cspViolations = [];
    document.addEventListener('securitypolicyviolation', (e) => {
      const v = {
        directive: e.effectiveDirective || e.violatedDirective,
        blocked: e.blockedURI,
        source: e.sourceFile ? `${e.sourceFile}:${e.lineNumber}:${e.columnNumber}` : '',
        sample: e.sample,
        disposition: e.disposition,
      };
      window.__cspViolations.push(v);
      try { window.__reportCspViolation(v); } catch { /* read from the array later */ }
    }, true);
  });

  const page = await context.newPage();
  page.on('console', (msg) => {
    const text = msg.text();
    if (/Content[- ]Security[- ]Policy/i.test(text)) cspViolations.push({ console: text });
    else if (msg.type() === 'error') consoleErrors.push(`${text} (${msg.location()?.url || 'no url'})`);
  });
  page.on('pageerror', (err) => pageErrors.push(err.stack || String(err)));

  // ---- load
  step = `opening ${base}/graphql`;
  const response = await page.goto(`${base}/graphql`, { waitUntil: 'load' });
  if (!response) throw new Error(`no response for ${base}/graphql`);
  const ctype = response.headers()['content-type'] || '';
  const csp = response.headers()['content-security-policy'] || '';
  log(`GET /graphql -> HTTP ${response.status()} (${ctype})`);
  if (response.status() !== 200) throw new Error(`GET ${base}/graphql answered HTTP ${response.status()}`);
  if (!ctype.startsWith('text/html')) throw new Error(`GET ${base}/graphql with Accept: text/html answered ${ctype}, not HTML`);
  if (csp) log(`page CSP: ${csp}`); else notes.push('the page sets no Content-Security-Policy header');

  // ---- rendered?
  step = 'waiting for GraphiQL to render its editors';
  try {
    await page.waitForSelector('.graphiql-container .graphiql-query-editor .CodeMirror', { state: 'visible' });
  } catch {
    const body = (await page.evaluate(() => document.body.innerText)).slice(0, 200);
    throw new Error(`GraphiQL did not render (no query editor after ${STEP_MS / 1000}s); the page shows: ${JSON.stringify(body)}`);
  }
  const fontsOk = await page.evaluate(async () => {
    await document.fonts.ready;
    return [...document.fonts].map((f) => `${f.family} ${f.weight} ${f.status}`);
  });
  const unloaded = fontsOk.filter((f) => !f.endsWith('loaded') && !f.endsWith('unloaded'));
  if (unloaded.length) notes.push(`fonts not loaded: ${unloaded.join(', ')}`);
  log(`GraphiQL rendered (${fontsOk.filter((f) => f.endsWith(' loaded')).length} web fonts loaded)`);

  // ---- headers
  step = 'opening the Headers tab';
  const headersTab = page.locator('.graphiql-editor-tools button[data-name="headers"]');
  if (!(await headersTab.count())) throw new Error('GraphiQL has no Headers tab (isHeadersEditorEnabled off?)');
  if (!(await headersTab.getAttribute('class'))?.split(/\s+/).includes('active')) await headersTab.click();
  await page.waitForSelector('section.graphiql-editor-tool[aria-label="Headers"] .graphiql-editor:not(.hidden) .CodeMirror', { state: 'visible' });
  const headersSel = 'section.graphiql-editor-tool .graphiql-editor:not(.hidden) .CodeMirror';
  const before = await cmValue(page, headersSel);
  log(`Headers editor holds: ${JSON.stringify(before)}`);
  step = 'pasting the token into the Headers editor';
  await fillEditor(page, headersSel, HEADERS, 'Headers');

  // GraphiQL takes in an edit of the Headers editor through debounced
  // handlers (100 ms into the tab state, which the schema fetch reads; 500 ms
  // into localStorage 'graphiql:headers'): wait for the last one.
  step = 'waiting for GraphiQL to store the new headers';
  try {
    await page.waitForFunction((t) => (localStorage.getItem('graphiql:headers') || '').includes(t), token, { timeout: 5000 });
  } catch {
    notes.push('GraphiQL did not store the headers in localStorage "graphiql:headers" within 5s (shouldPersistHeaders off?)');
    await page.waitForTimeout(1000);
  }

  // ---- schema: GraphiQL introspected on load with the placeholder token
  // (HTTP 401); fetch it again now that the header holds a real token.
  step = 're-fetching the schema with the token';
  const refetch = page.locator('button[aria-label="Re-fetch GraphQL schema"]');
  if (await refetch.count()) {
    const introspection = page.waitForResponse((r) => r.request().method() === 'POST' && underBase(r.url())
      && /IntrospectionQuery/.test(r.request().postData() || ''));
    await refetch.click();
    const r = await introspection;
    const body = await r.json().catch(() => null);
    const types = body?.data?.__schema?.types?.length;
    if (r.status() !== 200 || !types) {
      schemaProblems.push(`GraphiQL's introspection query (with the token) got no schema: HTTP ${r.status()} ` +
        `${JSON.stringify(body).slice(0, 200)}; GraphiQL's docs explorer and autocompletion cannot work`);
    } else {
      log(`schema re-fetched: ${types} types`);
    }
  } else {
    schemaProblems.push('no "Re-fetch GraphQL schema" button found: the schema was not re-fetched with the token');
  }

  // ---- query
  step = 'putting the contacts query into the query editor';
  await fillEditor(page, '.graphiql-query-editor .CodeMirror', QUERY, 'query');

  step = 'running the query';
  const exec = page.waitForResponse((r) => r.request().method() === 'POST' && underBase(r.url())
    && /contacts\s*\(\s*first/.test(r.request().postData() || ''));
  await page.locator('.graphiql-execute-button').click();
  const execResponse = await exec;
  const sentAuth = (await execResponse.request().allHeaders()).authorization || '';
  log(`query POST -> HTTP ${execResponse.status()}`);
  if (sentAuth !== `Bearer ${token}`) {
    problems.push(`the query was sent with Authorization ${JSON.stringify(sentAuth.slice(0, 40))}…, not the pasted token`);
  }

  step = `waiting for ${EXPECTED} in the result pane`;
  try {
    await page.waitForFunction((expected) => {
      const cm = document.querySelector('.graphiql-response .CodeMirror');
      return !!cm && cm.CodeMirror.getValue().includes(expected);
    }, EXPECTED, { timeout: STEP_MS, polling: 100 });
  } catch {
    const shown = await cmValue(page, '.graphiql-response .CodeMirror').catch(() => '(no result pane)');
    throw new Error(`the result pane never showed ${EXPECTED}; it shows: ${shown.slice(0, 600)}`);
  }
  const resultText = await cmValue(page, '.graphiql-response .CodeMirror');
  let result;
  try { result = JSON.parse(resultText); } catch { throw new Error(`the result pane is not JSON: ${resultText.slice(0, 300)}`); }
  if (result.errors) problems.push(`the result has errors: ${JSON.stringify(result.errors).slice(0, 400)}`);
  const nodes = result.data?.contacts?.nodes ?? [];
  if (nodes.length !== 5) problems.push(`expected 5 contacts in the result, got ${nodes.length}`);
  // What is on screen, not only in the editor's model.
  const visible = await page.locator('.graphiql-response .CodeMirror-code').innerText();
  if (!visible.replace(/\u200b/g, '').includes(EXPECTED)) problems.push(`${EXPECTED} is in the result but not visible on screen`);
  log(`result: totalCount ${result.data?.contacts?.totalCount}, first contact ${JSON.stringify(nodes[0])}`);

  // ---- screenshot
  step = 'saving the screenshot';
  await page.mouse.move(0, 0); // no tooltip in the picture
  const shotPath = resolve(screenshotPath);
  mkdirSync(dirname(shotPath), { recursive: true });
  await page.screenshot({ path: shotPath });
  log(`screenshot: ${shotPath}`);

  // Give late reports (CSP, console) a moment, then collect the page-side list.
  await page.waitForTimeout(200);
  const pageSide = await page.evaluate(() => window.__cspViolations || []);
  for (const v of pageSide) {
    if (!cspViolations.some((c) => JSON.stringify(c) === JSON.stringify(v))) cspViolations.push(v);
  }
  await browser.close();
}

async function cmValue(page, selector) {
  return page.evaluate((sel) => {
    const el = document.querySelector(sel);
    if (!el || !el.CodeMirror) throw new Error(`no CodeMirror editor at ${sel}`);
    return el.CodeMirror.getValue();
  }, selector);
}

// Types into the editor as a person pasting would (select all, insert text);
// falls back to CodeMirror's setValue if the editor then holds anything else.
async function fillEditor(page, selector, text, name) {
  const editor = page.locator(selector);
  await editor.click();
  await page.keyboard.press('ControlOrMeta+A');
  await page.keyboard.insertText(text);
  let value = await cmValue(page, selector);
  if (value !== text) {
    notes.push(`typing into the ${name} editor gave ${JSON.stringify(value.slice(0, 80))}…; used CodeMirror setValue instead`);
    await page.evaluate(([sel, t]) => document.querySelector(sel).CodeMirror.setValue(t), [selector, text]);
    value = await cmValue(page, selector);
    if (value !== text) throw new Error(`cannot set the ${name} editor: it holds ${JSON.stringify(value.slice(0, 120))}`);
  }
  log(`${name} editor set (${text.split('\n').length} lines)`);
}

// ---------------------------------------------------------------- report
let exitCode = 0;
try {
  await main();
} catch (e) {
  problems.unshift(`${e.message} (step: ${step})`);
  try { await browser?.close(); } catch { /* already failing */ }
}
clearTimeout(watchdog);

if (offsite.length) problems.push(`requests outside ${base}:\n    ${offsite.join('\n    ')}`);
if (cspViolations.length) {
  problems.push(`Content-Security-Policy violations:\n    ${cspViolations.map((v) => JSON.stringify(v)).join('\n    ')}`);
}
if (pageErrors.length) problems.push(`uncaught page errors:\n    ${pageErrors.join('\n    ')}`);
if (badResponses.length) problems.push(`failed responses:\n    ${badResponses.join('\n    ')}`);
const unexpectedFailures = failedRequests.filter((f) => !/net::ERR_ABORTED/.test(f));
if (unexpectedFailures.length) problems.push(`failed requests:\n    ${unexpectedFailures.join('\n    ')}`);

console.log(`${requests.length} requests, all under ${base}: ${offsite.length === 0 ? 'yes' : 'NO'}`);
for (const r of requests) console.log(`    ${r.length > 140 ? `${r.slice(0, 140)}…` : r}`);
// Chromium's own GET /favicon.ico reaches neither the request nor the
// response events; its console line is the only trace of it.
const otherConsole = consoleErrors.filter((c) => !/status of 401/.test(c));
if (consoleErrors.length) {
  console.log(`console errors (${consoleErrors.length - otherConsole.length} are the expected 401s of the placeholder token):`);
  for (const c of consoleErrors) console.log(`    ${c.slice(0, 300)}`);
}
for (const n of notes) console.log(`NOTE: ${n}`);
if (requireSchema) problems.push(...schemaProblems);
else for (const w of schemaProblems) console.log(`WARNING: ${w} (--require-schema makes this a failure)`);
if (problems.length) {
  for (const p of problems) console.error(`FAIL: ${p}`);
  exitCode = 1;
} else {
  console.log(`PASS: GraphiQL at ${base}/graphql ran the contacts query and shows ${EXPECTED} ` +
    `(${((Date.now() - t0) / 1000).toFixed(1)}s); screenshot ${resolve(screenshotPath)}`);
}
process.exit(exitCode);
