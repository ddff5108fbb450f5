#!/usr/bin/env python3
"""LatticeIQ Gateway benchmark (issue "Performance").

For each size N it creates a fresh Postgres database, seeds a workspace with N
contacts plus a second workspace with N/5 (isolation is part of the cost),
starts the release gateway, and drives it over loopback with wrk (installed
from Debian's packages when missing): warm-up first, each workload bounded in
time. It prints one table per N — requests/s, p50/p95/p99, errors, SQL
statements per request, database time per request, server RSS — and the
pgbench ceiling: exactly the statements the gateway sends for `page` and
`page+computed`, replayed by pgbench in one transaction with the RLS settings
at the same concurrency, and our requests/s as a fraction of it.

    bench/run                      # 10 000 and 100 000
    bench/run --sizes 1000000      # one size
    bench/run --quick              # 5 s per workload (a smoke run)
    bench/run --sizes 10000 --only mixed   # the 60 s load at c=64; fails on any error
    bench/run --binary /tmp/latticeiq-pipeline/on --sizes 100000 --only page   # another build

Results are appended to bench/results/<timestamp>.md; bench/RESULTS.md keeps
the runs we report. Needs: Postgres on 127.0.0.1:5432 (user postgres, trust),
cargo, and wrk/pgbench (pgbench ships with the server).
"""
import argparse
import glob
import json
import os
import random
import resource
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BIN = os.path.join(ROOT, "target", "release", "latticeiq")
PG = "postgres://postgres@127.0.0.1:5432"
# The gateway's DB_POOL_SIZE (override: BENCH_POOL_SIZE). docs/SCALING.md's rule
# for Postgres on 2 cores, plus the LISTEN connection; 16 was 10-20 % slower
# on `page` (bench/RESULTS.md, session 12).
POOL_SIZE = "6"
PGBENCH = "/usr/lib/postgresql/15/bin/pgbench" if os.path.exists("/usr/lib/postgresql/15/bin/pgbench") else "pgbench"
W1 = "aaaaaaaa-0000-4000-8000-000000000001"
W2 = "bbbbbbbb-0000-4000-8000-000000000002"
SECRET = "bench-secret-0123456789abcdef0123456789"
THREADS = 2  # the machine has 2 cores, shared by wrk, the gateway and Postgres
# A build that fails at the default request timeout is run once more under this
# one, so that how it scales is still measured (at 1M it takes longer than 30 s).
LONG_TIMEOUT_SECS = 600

FIELDS12 = "id firstName lastName email company jobTitle enrichmentCompanyIndustry enrichmentCompanyEmployees enrichmentDataQualityScore kernelWhoPersona createdAt tags"
COMPUTED = 'icpMatchScore(icpId: $icp) icpMatch(icpId: $icp) { tier } renderedEmail { subject body } field(name: "funding_stage")'
# The read workloads' queries, as bench/run, bench/ab and bench/drivers/run send them.
PAGE_Q = "query Page { contacts(first: 50) { totalCount nodes { %s icp { name } } } }" % FIELDS12
COMPUTED_Q = ("query PageComputed($icp: UUID) { contacts(first: 50) { totalCount nodes { %s icp { name } %s } } }"
              % (FIELDS12, COMPUTED))
SEARCH_Q = 'query Search { contacts(first: 50, search: "mar") { totalCount nodes { %s icp { name } } } }' % FIELDS12
BYID_Q = "query ById($id: UUID!, $icp: UUID) { contact(id: $id) { %s icp { name } %s } }" % (FIELDS12, COMPUTED)
# The custom field `field(name: "funding_stage")` of COMPUTED reads.
FUNDING_STAGE_FIELD = ('mutation { createContactFieldDefinition(input: {fieldName: "funding_stage", displayName: "Funding stage", '
                       'jsonbPath: "company.funding.stage"}) { id } }')
FILTERED_Q = ("query Filtered($ind: String) { contacts(first: 50, filter: {enrichmentDataQualityScore: {gte: 60}, enrichmentCompanyIndustry: {eq: $ind}}, "
              "orderBy: [{field: ICP_MATCH_SCORE, direction: DESC}]) { totalCount nodes { %s icp { name } } } }" % FIELDS12)


def log(*a):
    print(*a, file=sys.stderr, flush=True)


def sh(cmd, env=None, check=True, capture=True, timeout=None):
    r = subprocess.run(cmd, env=env, capture_output=capture, text=True, timeout=timeout)
    if check and r.returncode != 0:
        raise SystemExit("command failed: %s\n%s%s" % (" ".join(cmd), r.stdout or "", r.stderr or ""))
    return r


def psql(sql, db="postgres"):
    return sh(["psql", "-h", "127.0.0.1", "-U", "postgres", "-d", db, "-AtqX", "-v", "ON_ERROR_STOP=1", "-c", sql]).stdout.strip()


def random_ids(db):
    """2 000 contacts of W1 in a fixed random order: the ids `by-id` draws from."""
    return psql("SELECT id FROM contacts WHERE workspace_id = '%s' ORDER BY md5(id::text) LIMIT 2000" % W1, db).split()


def commonest_industry(db):
    """W1's commonest industry: the one `filtered` asks for."""
    return psql("SELECT enrichment_company_industry FROM contacts WHERE workspace_id = '%s' AND enrichment_company_industry "
                "IS NOT NULL GROUP BY 1 ORDER BY count(*) DESC LIMIT 1" % W1, db)


def wait_ready(proc, ready, what, log_path):
    """Polls `ready()` until it is true; fails if `proc` exits first."""
    while True:
        try:
            if ready():
                return
        except Exception:
            pass
        if proc.poll() is not None:
            raise SystemExit("%s exited: see %s" % (what, log_path))
        time.sleep(0.005)


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    p = s.getsockname()[1]
    s.close()
    return p


def http(method, url, body=None, headers=None, timeout=600):
    req = urllib.request.Request(url, data=body.encode() if isinstance(body, str) else body, method=method, headers=headers or {})
    with urllib.request.urlopen(req, timeout=timeout) as r:
        return r.status, r.read().decode()


def rss_kb(pid):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


class Gateway:
    def __init__(self, db_url, env_extra=None, prefix=()):
        self.port = free_port()
        self.base = "http://127.0.0.1:%d" % self.port
        env = dict(os.environ, DATABASE_URL=db_url, BIND_ADDR="127.0.0.1:%d" % self.port, JWT_SECRET=SECRET,
                   RUST_LOG="warn", DB_POOL_SIZE=os.environ.get("BENCH_POOL_SIZE", POOL_SIZE))
        env.update(env_extra or {})
        self.log = tempfile.NamedTemporaryFile(prefix="bench-gw", suffix=".log", delete=False)
        t0 = time.perf_counter()
        self.proc = subprocess.Popen([*prefix, BIN, "serve"], env=env, stdout=self.log, stderr=subprocess.STDOUT)
        wait_ready(self.proc, lambda: http("GET", self.base + "/readyz", timeout=2)[0] == 200, "the gateway", self.log.name)
        self.startup_ms = (time.perf_counter() - t0) * 1000
        self.token = sh([BIN, "token", "--workspace", W1, "--role", "admin", "--ttl", "6h"],
                        env=dict(os.environ, JWT_SECRET=SECRET, DATABASE_URL=db_url)).stdout.strip()

    def gql(self, query, variables=None):
        st, body = http("POST", self.base + "/graphql", json.dumps({"query": query, "variables": variables or {}}),
                        {"Content-Type": "application/json", "Authorization": "Bearer " + self.token})
        b = json.loads(body)
        if b.get("errors"):
            raise SystemExit("GraphQL error: %s\n%s" % (b["errors"], query))
        return b["data"]

    def metric(self, name):
        _, text = http("GET", self.base + "/metrics")
        for line in text.splitlines():
            if line.startswith(name + " ") or line.startswith(name + "{"):
                return float(line.rsplit(" ", 1)[1])
        return 0.0

    def graphql_errors(self):
        """GraphQL errors so far, from the gateway's own counters (wrk only sees HTTP status)."""
        _, text = http("GET", self.base + "/metrics")
        n = 0.0
        for line in text.splitlines():
            if line.startswith("latticeiq_graphql_requests_total{") and 'outcome="ok"' not in line:
                n += float(line.rsplit(" ", 1)[1])
        return n

    def rss_mb(self):
        return rss_kb(self.proc.pid) / 1024

    def stop(self):
        self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.proc.kill()


WRK_LUA = r"""
local bodies = %(bodies)s
local weights = %(weights)s
local ids = %(ids)s
local total = 0
for i, w in ipairs(weights) do total = total + w end
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer %(token)s"
wrk.body = bodies[1]
function init(args)
  math.randomseed(os.time() + math.floor(os.clock() * 1000000))
end
-- Only workloads that vary their requests pay for a Lua call per request.
if #bodies > 1 or #ids > 0 then
  request = function()
    local r = math.random() * total
    local b = bodies[#bodies]
    for i, w in ipairs(weights) do
      r = r - w
      if r <= 0 then b = bodies[i] break end
    end
    if #ids > 0 then b = b:gsub("__ID__", ids[math.random(#ids)]) end
    return wrk.format(nil, "/graphql", nil, b)
  end
end
done = function(summary, latency, requests)
  io.write(string.format('WRKJSON {"requests": %%d, "seconds": %%f, "p50": %%d, "p95": %%d, "p99": %%d, "status_errors": %%d, "timeouts": %%d, "connect_errors": %%d}\n',
    summary.requests, summary.duration / 1e6, latency:percentile(50), latency:percentile(95), latency:percentile(99),
    summary.errors.status, summary.errors.timeout, summary.errors.connect))
end
"""


def busy_seconds():
    """CPU seconds the whole machine has spent busy (all cores, /proc/stat)."""
    with open("/proc/stat") as f:
        user, nice, system, _idle, _iowait, irq, softirq, steal = map(int, f.readline().split()[1:9])
    return (user + nice + system + irq + softirq + steal) / os.sysconf("SC_CLK_TCK")


def process_times(pid):
    """User and system CPU seconds of one process."""
    with open("/proc/%d/stat" % pid) as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return int(fields[11]) / os.sysconf("SC_CLK_TCK"), int(fields[12]) / os.sysconf("SC_CLK_TCK")


def involuntary_switches(pid):
    """How many times the threads of one process were preempted (/proc's
    nonvoluntary_ctxt_switches, summed over its threads)."""
    total = 0
    for status in glob.glob("/proc/%d/task/*/status" % pid):
        try:
            with open(status) as f:
                total += sum(int(line.split()[1]) for line in f if line.startswith("nonvoluntary_ctxt_switches"))
        except FileNotFoundError:  # a thread that ended meanwhile
            pass
    return total


def children_seconds():
    """CPU seconds of this script's finished children (wrk, pgbench)."""
    ru = resource.getrusage(resource.RUSAGE_CHILDREN)
    return ru.ru_utime + ru.ru_stime


class CpuSplit:
    """Where a run's CPU went, per request: the gateway (its process), the
    load generator (a child of this script) and the rest of the machine,
    which on the benchmark machine is Postgres (its backends come and go,
    so they are counted as the machine's busy time minus the other two)."""

    def __init__(self, gw_pid=None):
        self.gw_pid = gw_pid
        self.start = self.now()

    def now(self):
        """Machine busy, children's, gateway's user and system seconds, and
        the gateway's preemptions."""
        user, system = process_times(self.gw_pid) if self.gw_pid else (0.0, 0.0)
        switches = involuntary_switches(self.gw_pid) if self.gw_pid else 0
        return busy_seconds(), children_seconds(), user, system, switches

    def per_request(self, n):
        busy, client, user, system, switches = (b - a for a, b in zip(self.start, self.now()))
        gw = user + system
        us = lambda x: x / max(n, 1) * 1e6
        return {"gw": us(gw), "client": us(client), "pg": us(max(busy - gw - client, 0.0)),
                "gw_sys": us(system), "gw_preempted": switches / max(n, 1)}


def lua_str(s):
    return "[==[" + s + "]==]"


def wrk(gw, name, bodies, weights, conns, seconds, ids=()):
    script = WRK_LUA % {
        "bodies": "{" + ",".join(lua_str(b) for b in bodies) + "}",
        "weights": "{" + ",".join(str(w) for w in weights) + "}",
        "token": gw.token,
        "ids": "{" + ",".join('"%s"' % i for i in ids) + "}",
    }
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as f:
        f.write(script)
        path = f.name
    stm0, db0, err0 = gw.metric("latticeiq_db_statements"), gw.metric("latticeiq_db_statement_seconds"), gw.graphql_errors()
    cpu = CpuSplit(gw.proc.pid)
    r = sh(["wrk", "-t", str(min(THREADS, conns)), "-c", str(conns), "-d", "%ds" % seconds, "--timeout", "30s", "-s", path, gw.base + "/graphql"],
           timeout=seconds + 120)
    stm1, db1, err1 = gw.metric("latticeiq_db_statements"), gw.metric("latticeiq_db_statement_seconds"), gw.graphql_errors()
    m = re.search(r"WRKJSON (\{.*\})", r.stdout)
    if not m:
        raise SystemExit("wrk said:\n" + r.stdout + r.stderr)
    res = json.loads(m.group(1))
    n = max(res["requests"], 1)
    return {
        "name": name, "c": conns, "rps": res["requests"] / res["seconds"],
        "p50": res["p50"] / 1000, "p95": res["p95"] / 1000, "p99": res["p99"] / 1000,
        "errors": int(res["status_errors"] + res["timeouts"] + res["connect_errors"] + (err1 - err0)),
        "stmts": (stm1 - stm0) / n, "db_ms": (db1 - db0) * 1000 / n, "rss": gw.rss_mb(),
        "cpu": cpu.per_request(res["requests"]),
    }


def body(query, variables):
    return json.dumps({"query": query, "variables": variables})


def pgbench_percentiles(db, statements, conns, seconds):
    """pgbench with per-transaction logging, to get p50/p99 comparable with wrk's."""
    script = "BEGIN;\n" + "\n".join(statements) + "\nROLLBACK;\n"
    d = tempfile.mkdtemp(prefix="pgb")
    path = os.path.join(d, "s.sql")
    with open(path, "w") as f:
        f.write(script)
    cpu = CpuSplit()
    r = sh([PGBENCH, "-h", "127.0.0.1", "-U", "postgres", "-n", "-M", "prepared", "-c", str(conns), "-j", str(THREADS),
            "-T", str(seconds), "-l", "--log-prefix", os.path.join(d, "log"), "-f", path, db], check=False, timeout=seconds + 120)
    tps = float(re.search(r"tps = ([\d.]+)", r.stdout).group(1))
    txns = int(re.search(r"number of transactions actually processed: (\d+)", r.stdout).group(1))
    split = cpu.per_request(txns)
    lats = []
    for name in os.listdir(d):
        if name.startswith("log"):
            with open(os.path.join(d, name)) as f:
                for line in f:
                    parts = line.split()
                    if len(parts) >= 3:
                        lats.append(int(parts[2]) / 1000)
    shutil.rmtree(d, ignore_errors=True)
    lats.sort()
    pct = lambda p: lats[min(len(lats) - 1, int(len(lats) * p / 100))] if lats else 0
    return tps, pct(50), pct(95), pct(99), split


def capture_statements(db_url, query, variables):
    """Runs one request on a gateway that records its SQL; returns the statements."""
    path = tempfile.mktemp(prefix="capture", suffix=".sql")
    gw = Gateway(db_url, {"LATTICEIQ_CAPTURE_SQL": path})
    try:
        gw.gql(query, variables)  # warm: workspace set-up
        time.sleep(0.5)
        if os.path.exists(path):
            os.remove(path)
        gw.gql(query, variables)
        time.sleep(0.6)
        with open(path) as f:
            stmts = [l.strip() for l in f if l.strip()]
    finally:
        gw.stop()
    return stmts


def workload_statements(db_url, workload):
    """The statements the release gateway sends for one read of `workload`
    (`page`, `page+computed` or `by-id`, the first contact of the workspace),
    captured as for the ceiling: the RLS settings as one `SELECT
    set_config(…)`, then the statement."""
    gw = Gateway(db_url)
    try:
        icp = gw.gql("{ idealClientProfiles { id } }")["idealClientProfiles"][0]["id"]
    finally:
        gw.stop()
    if workload == "page":
        return capture_statements(db_url, PAGE_Q, {})
    if workload == "page+computed":
        return capture_statements(db_url, COMPUTED_Q, {"icp": icp})
    first = psql("SELECT id FROM contacts WHERE workspace_id = '%s' ORDER BY id LIMIT 1" % W1, db_url.rsplit("/", 1)[1])
    return capture_statements(db_url, BYID_Q, {"id": first, "icp": icp})


def best_of_3(fn, timed_call=True):
    """Best wall time of 3 calls, or the error of the first failing one (as a string)."""
    return best_of_n(3, fn, timed_call)


def best_of_n(n, fn, timed_call=True):
    """Best wall time of `n` calls, or the error of the first failing one (as a string)."""
    times = []
    for _ in range(n):
        try:
            times.append(timed(fn) if timed_call else fn())
        except (Exception, SystemExit) as e:  # reported in the table
            return "failed (%s)" % (getattr(e, "code", None) and "HTTP %s" % e.code or e)
    return min(times)


def timed(fn):
    t0 = time.perf_counter()
    fn()
    return time.perf_counter() - t0


def seed_database(n):
    """A fresh database `bench_<n>`: migrated, N contacts in W1 and N/5 in W2,
    vacuumed and analyzed. Returns its name, URL, and the seed's wall time and
    peak RSS."""
    db = "bench_%d" % n
    db_url = "%s/%s" % (PG, db)
    log("== %d contacts: database %s" % (n, db))
    psql("DROP DATABASE IF EXISTS %s WITH (FORCE)" % db)
    psql("CREATE DATABASE %s" % db)
    env = dict(os.environ, DATABASE_URL=db_url, JWT_SECRET=SECRET, RUST_LOG="warn")
    sh([BIN, "migrate", "up"], env=env)
    t0 = time.perf_counter()
    r = sh(["/usr/bin/time", "-f", "MAXRSS %M", BIN, "seed", "--workspace", W1, "--contacts", str(n), "--seed", "7"], env=env)
    seed_s = time.perf_counter() - t0
    seed_rss = int(re.search(r"MAXRSS (\d+)", r.stderr).group(1)) / 1024
    log("   seeded %d in %.1f s (peak RSS %.0f MB): %s" % (n, seed_s, seed_rss, r.stdout.strip()))
    sh([BIN, "seed", "--workspace", W2, "--contacts", str(max(n // 5, 1)), "--seed", "8"], env=env)
    psql("VACUUM ANALYZE", db)
    return db, db_url, seed_s, seed_rss


def run_size(n, args, out):
    db, db_url, seed_s, seed_rss = seed_database(n)
    gw = Gateway(db_url)
    startup_ms = gw.startup_ms
    try:
        # a custom field for field(name:), and what the workloads need
        gw.gql(FUNDING_STAGE_FIELD)
        icp = gw.gql("{ idealClientProfiles { id name } }")["idealClientProfiles"][0]["id"]
        ids = random_ids(db)
        industry = commonest_industry(db)
        deep_q = "query Deep($after: String) { contacts(first: 50, after: $after) { nodes { %s icp { name } } } }" % FIELDS12
        update_q = "mutation Update($id: UUID!) { updateContact(id: $id, input: {notes: \"bench\"}) { id } }"
        cursor = None
        for _ in range(19):
            cursor = gw.gql("query($a: String) { contacts(first: 50, after: $a) { pageInfo { endCursor } } }", {"a": cursor})["contacts"]["pageInfo"]["endCursor"]
        B = {
            "page": body(PAGE_Q, {}),
            "page+computed": body(COMPUTED_Q, {"icp": icp}),
            "filtered": body(FILTERED_Q, {"ind": industry}),
            "search": body(SEARCH_Q, {}),
            "deep-page": body(deep_q, {"after": cursor}),
            "by-id": body(BYID_Q, {"id": "__ID__", "icp": icp}),
            "update": body(update_q, {"id": "__ID__"}),
        }
        secs = 5 if args.quick else 20
        # The ceiling replays the statements of one request: capture them now
        # (a second gateway that records its SQL) and run pgbench right after
        # the same workload, on the same state of the tables (later workloads
        # write, and autovacuum has not caught up with them yet).
        captured = {}
        for name, q, v in [("page", PAGE_Q, {}), ("page+computed", COMPUTED_Q, {"icp": icp})]:
            if wanted(args, name):
                captured[name] = capture_statements(db_url, q, v)
        log("   warm-up")
        wrk(gw, "warm-up", [B["page+computed"], B["by-id"]], [1, 1], 8, 3 if args.quick else 8, ids)
        rows = []
        ceilings = {}
        for name, conns in [("page", 8), ("page", 32), ("page+computed", 8), ("page+computed", 32), ("filtered", 32),
                            ("search", 32), ("deep-page", 32), ("by-id", 32)]:
            # The ceiling is run right before and right after the workload it
            # mirrors, and taken as the mean of the two: a shared host's speed
            # drifts within a minute (one ceiling alone was seen ±20 % from
            # one run to the next), and a drift during the three runs moves
            # both ends.
            before = None
            if name in captured:
                log("   pgbench ceiling %s c=%d (before)" % (name, conns))
                before = pgbench_percentiles(db, captured[name], conns, secs)
            if wanted(args, name):
                log("   %s c=%d" % (name, conns))
                rows.append(wrk(gw, name, [B[name]], [1], conns, secs, ids if name == "by-id" else ()))
            if before is not None:
                log("   pgbench ceiling %s c=%d (after)" % (name, conns))
                after = pgbench_percentiles(db, captured[name], conns, secs)
                tps, p50, p95, p99 = (statistics.mean(pair) for pair in zip(before[:4], after[:4]))
                split = {k: statistics.mean((before[4][k], after[4][k])) for k in before[4]}
                ceilings[(name, conns)] = (tps, p50, p95, p99, len(captured[name]) + 2, split, (before[0], after[0]))
        mixed_bodies = [B["page"], B["page+computed"], B["filtered"], B["search"], B["deep-page"], B["by-id"], B["update"]]
        mixed_weights = [15, 15, 15, 15, 15, 15, 10]
        msecs = 15 if args.quick else 60
        for run in (1, 2) if wanted(args, "mixed") else ():
            log("   mixed c=64 (run %d)" % run)
            rows.append(wrk(gw, "mixed (run %d)" % run, mixed_bodies, mixed_weights, 64, msecs, ids))
        rss_end = gw.rss_mb()
        if not wanted(args, "match"):
            gw.stop()
            report(n, rows, ceilings, None, None, 0, seed_s, seed_rss, startup_ms, rss_end, out)
            if not args.keep:
                psql("DROP DATABASE IF EXISTS %s WITH (FORCE)" % db)
            return rows

        # match and build: wall time of one call, best of 3. A call that
        # fails (e.g. past the 30 s request timeout) is reported, not fatal.
        match_q = "mutation($id: UUID!) { matchIdealClientProfile(id: $id, minScore: 40) { processed matched } }"
        match_s = best_of_3(lambda: gw.gql(match_q, {"id": icp}))
        tpl = gw.gql("{ emailTemplates { id } }")["emailTemplates"][0]["id"]
        assigned = 0
        def one_build(i=[0]):
            nonlocal assigned
            i[0] += 1
            cid = gw.gql('mutation($i: CreateCampaignInput!) { createCampaign(input: $i) { id } }',
                         {"i": {"name": "Bench %d" % i[0], "icpId": icp, "emailTemplateId": tpl, "minIcpScore": 40}})["createCampaign"]["id"]
            try:
                t0 = time.perf_counter()
                assigned = gw.gql("mutation($id: UUID!) { buildCampaign(id: $id) { assigned } }", {"id": cid})["buildCampaign"]["assigned"]
                return time.perf_counter() - t0
            finally:
                gw.gql("mutation($id: UUID!) { deleteCampaign(id: $id) }", {"id": cid})
        build_s = best_of_3(one_build, timed_call=False)
        long_build = None
        if isinstance(build_s, str):
            log("   build again, one call, with REQUEST_TIMEOUT_SECS=%d" % LONG_TIMEOUT_SECS)
            gw.stop()
            gw = Gateway(db_url, env_extra={"REQUEST_TIMEOUT_SECS": str(LONG_TIMEOUT_SECS)})
            long_build = best_of_n(1, one_build, timed_call=False)
    finally:
        gw.stop()
    # Start-up again, on the table the builds and deletes left (dead rows):
    # what start-up reads grows with it, which a fresh table hides.
    gw = Gateway(db_url)
    used_startup_ms = gw.startup_ms
    gw.stop()

    report(n, rows, ceilings, match_s, build_s, assigned, seed_s, seed_rss, startup_ms, rss_end, out,
           long_build, used_startup_ms)
    if not args.keep:
        psql("DROP DATABASE IF EXISTS %s WITH (FORCE)" % db)
    return rows


def secs_or(v):
    return v if isinstance(v, str) else "%.2f s" % v


def wanted(args, workload):
    return not args.only or workload in args.only.split(",")


def report(n, rows, ceilings, match_s, build_s, assigned, seed_s, seed_rss, startup_ms, rss_end, out, long_build=None,
           used_startup_ms=None):
    lines = []
    lines.append("### %s contacts (+ %s in a second workspace)\n" % (format(n, ","), format(max(n // 5, 1), ",")))
    lines.append("| workload | c | req/s | p50 ms | p95 ms | p99 ms | errors | SQL stmts/req | DB ms/req | RSS MB "
                 "| CPU µs/req: gateway / rest (Postgres) / wrk | pgbench tps (p99 ms; before / after) | efficiency | p99 / ceiling p99 "
                 "| ceiling CPU µs/txn: rest (Postgres) / pgbench |")
    lines.append("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|")
    for r in rows:
        ceil = ceilings.get((r["name"], r["c"]))
        ceil_s = "%.0f (%.1f; %.0f / %.0f)" % (ceil[0], ceil[3], *ceil[6]) if ceil else ""
        eff = "%.0f %%" % (100 * r["rps"] / ceil[0]) if ceil else ""
        p99r = "%.2f" % (r["p99"] / ceil[3]) if ceil and ceil[3] else ""
        cpu = "%.0f / %.0f / %.0f" % (r["cpu"]["gw"], r["cpu"]["pg"], r["cpu"]["client"])
        ceil_cpu = "%.0f / %.0f" % (ceil[5]["pg"], ceil[5]["client"]) if ceil else ""
        lines.append("| %s | %d | %.0f | %.1f | %.1f | %.1f | %d | %.2f | %.2f | %.0f | %s | %s | %s | %s | %s |" % (
            r["name"], r["c"], r["rps"], r["p50"], r["p95"], r["p99"], r["errors"], r["stmts"], r["db_ms"], r["rss"],
            cpu, ceil_s, eff, p99r, ceil_cpu))
    lines.append("")
    if match_s is not None:
        lines.append("- match (`matchIdealClientProfile`, every contact, best of 3): **%s**" % secs_or(match_s))
        line = "- build (`buildCampaign`, every contact scored, %d assigned, best of 3): **%s**" % (assigned, secs_or(build_s))
        if long_build is not None:
            line += "; with `REQUEST_TIMEOUT_SECS=%d`, one call: **%s**" % (LONG_TIMEOUT_SECS, secs_or(long_build))
        lines.append(line)
    lines.append("- seed (`latticeiq seed --contacts %d`): **%.1f s**, peak RSS **%.0f MB**" % (n, seed_s, seed_rss))
    used = "; again after the builds: **%.0f ms**" % used_startup_ms if used_startup_ms is not None else ""
    lines.append("- start-up to `/readyz` 200 on the migrated database: **%.0f ms**%s; gateway RSS after the runs: **%.0f MB**"
                 % (startup_ms, used, rss_end))
    counts = ["%s %d" % (name, ceilings[(name, 8)][4]) for name in ("page", "page+computed") if (name, 8) in ceilings]
    if counts:
        lines.append("- pgbench ceiling statements per transaction (with BEGIN/ROLLBACK): " + ", ".join(counts))
    lines.append("")
    text = "\n".join(lines)
    print(text, flush=True)
    out.write(text + "\n")
    out.flush()


def ensure_wrk():
    if not shutil.which("wrk"):
        log("installing wrk (Debian package)")
        sh(["apt-get", "update", "-qq"])
        sh(["apt-get", "install", "-y", "-qq", "--no-install-recommends", "wrk"])


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", default="10000,100000")
    ap.add_argument("--quick", action="store_true", help="5 s per workload")
    ap.add_argument("--skip-build", action="store_true")
    ap.add_argument("--binary", help="run this gateway binary (or a wrapper script that execs one) "
                    "instead of target/release/latticeiq; nothing is built")
    ap.add_argument("--keep", action="store_true", help="keep the databases")
    ap.add_argument("--only", default="", help="comma-separated workloads: page, page+computed, filtered, search, "
                    "deep-page, by-id, mixed, match (match = match, build and the pgbench ceiling)")
    args = ap.parse_args()
    ensure_wrk()
    global BIN
    if args.binary:
        BIN = os.path.abspath(args.binary)
    elif not args.skip_build:
        log("building the release binary")
        sh(["cargo", "build", "--release", "-q", "--bin", "latticeiq"], capture=False)
    os.makedirs(os.path.join(ROOT, "bench", "results"), exist_ok=True)
    stamp = time.strftime("%Y%m%d-%H%M%S")
    path = os.path.join(ROOT, "bench", "results", stamp + ".md")
    with open(path, "w") as out:
        cpu = sh(["sh", "-c", "grep -m1 'model name' /proc/cpuinfo | cut -d: -f2"]).stdout.strip()
        head = ("## Run %s\n\nMachine: %d cores (%s), shared by wrk (%d threads), the gateway and Postgres %s; "
                "%s; wrk over loopback; %s per workload.\n" % (
                    stamp, os.cpu_count(), cpu, THREADS, psql("SHOW server_version"),
                    "gateway `%s`" % BIN if args.binary else "release build",
                    "5 s" if args.quick else "20 s (mixed 60 s)"))
        print(head, flush=True)
        out.write(head + "\n")
        failed = []
        for n in [int(x) for x in args.sizes.split(",")]:
            failed += ["%s at %d" % (r["name"], n) for r in run_size(n, args, out) if r["errors"]]
    log("results: %s" % path)
    if failed:
        # errors = non-2xx answers, timeouts, connection errors and GraphQL errors
        raise SystemExit("FAILED: errors in " + ", ".join(failed))


if __name__ == "__main__":
    main()
