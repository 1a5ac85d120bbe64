/**
 * Benchmarks the compiled binary's `check` against a throwaway cluster with a database `bench` of
 * N tables (serial key, an index, rows, ANALYZE): `--check alive`, `--check all` (the full
 * catalogue, including the database-scope checks, which open one connection per database) and the
 * database-scope checks alone; many runs each, median and spread, peak RSS. Before timing, one
 * JSON run says what `--check all` covers (checks, scopes, databases, statuses). Where
 * check_postgres is installed it is timed in the same run (`--action=connection` and a 10-action
 * sweep, each action verified once) and the ratios are printed. Prints figures; asserts nothing.
 * The binary is rebuilt first (a stale one would miss new checks) unless --no-build.
 * Usage: bun scripts/bench-check.ts [--runs 50] [--tables 300] [--no-build]
 */
import { spawnSync } from "node:child_process";
import { resolve } from "node:path";
import postgres from "postgres";
import { catalogue } from "../src/catalogue/catalogue.generated.ts";
import { variantFor } from "../src/catalogue/definition.ts";
import { type Cluster, startCluster } from "../dev/cluster.ts";

const root = resolve(import.meta.dirname, "..");
const posemo = resolve(root, "dist/posemo");

function flag(name: string, fallback: number): number {
  const i = process.argv.indexOf(name);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
}

/** Runs the command and returns wall time in ms; peak RSS in KB via getrusage of the child (python3). */
function timeOnce(command: string, args: string[]): { ms: number; rssKb: number; code: number | null } {
  const probe =
    "import resource,subprocess,sys,time\nt=time.perf_counter();r=subprocess.run(sys.argv[1:],stdout=subprocess.DEVNULL,stderr=subprocess.DEVNULL);e=time.perf_counter()-t\nprint(e*1000,resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss,r.returncode)";
  const out = spawnSync("python3", ["-c", probe, command, ...args], { encoding: "utf8" });
  const [ms, rss, code] = out.stdout.trim().split(" ").map(Number);
  return { ms: ms!, rssKb: rss!, code: code! };
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

interface Figures {
  readonly name: string;
  readonly median: number;
  readonly p10: number;
  readonly p90: number;
  readonly min: number;
  readonly max: number;
  readonly rssMb: number;
  readonly exitCodes: string;
}

function bench(name: string, command: string, args: string[], runs: number): Figures {
  for (let i = 0; i < 3; i++) timeOnce(command, args);
  const samples = Array.from({ length: runs }, () => timeOnce(command, args));
  const ms = samples.map((s) => s.ms).sort((a, b) => a - b);
  const codes = [...new Set(samples.map((s) => s.code))].join("/");
  return {
    name,
    median: percentile(ms, 50),
    p10: percentile(ms, 10),
    p90: percentile(ms, 90),
    min: ms[0]!,
    max: ms[ms.length - 1]!,
    rssMb: Math.max(...samples.map((s) => s.rssKb)) / 1024,
    exitCodes: codes,
  };
}

function print(f: Figures): void {
  const n = (x: number) => x.toFixed(1).padStart(7);
  console.log(
    `${f.name.padEnd(38)} median ${n(f.median)} ms  p10 ${n(f.p10)}  p90 ${n(f.p90)}  min ${n(f.min)}  max ${
      n(f.max)
    }  peak RSS ${f.rssMb.toFixed(1)} MB  exit ${f.exitCodes}`,
  );
}

/** A database of `tables` tables that the database-scope checks have something to read in. */
async function prepare(cluster: Cluster, tables: number): Promise<void> {
  await cluster.exec(`CREATE DATABASE bench`);
  await cluster.exec(
    `DO $$ BEGIN FOR i IN 1..${tables} LOOP
    EXECUTE format('CREATE TABLE t%s (id serial PRIMARY KEY, k int, v text)', i);
    EXECUTE format('CREATE INDEX ON t%s (k)', i);
    EXECUTE format('INSERT INTO t%s (k, v) SELECT g %% 10, md5(g::text) FROM generate_series(1, 50) AS g', i);
  END LOOP; END $$;`,
    "bench",
  );
  await cluster.exec("ANALYZE", "bench");
  const install = spawnSync(posemo, [
    "install",
    "-H",
    cluster.host,
    "-p",
    "5432",
    "-U",
    "postgres",
    "--create-database",
  ], { encoding: "utf8" });
  if (install.status !== 0) throw new Error(`install failed: ${install.stderr}`);
  // What docs/checks.md tells a DBA to grant for sequences; without it the check stops early (UNKNOWN).
  await cluster.exec("GRANT SELECT ON ALL SEQUENCES IN SCHEMA public TO posemo_admin", "bench");
}

/** Every named check called once, in order, in a fresh session (cold caches, as `check` pays them): ms each. */
async function freshSession(cluster: Cluster, database: string, names: readonly string[]): Promise<number[]> {
  const sql = postgres({ host: cluster.host, port: 5432, user: "posemo", database, max: 1, onnotice: () => {} });
  try {
    await sql`SELECT 1`;
    const times: number[] = [];
    for (const name of names) {
      const t0 = performance.now();
      await sql.unsafe(`SELECT * FROM posemo.${name}()`).catch(() => undefined);
      times.push(performance.now() - t0);
    }
    return times;
  } finally {
    await sql.end({ timeout: 1 });
  }
}

/** Server time of the checks per database (median of 5 fresh sessions): the total and the slowest. */
async function perCheckTimes(cluster: Cluster, databases: readonly string[]): Promise<void> {
  for (const database of databases) {
    const names = catalogue.filter((c) =>
      !c.writes && variantFor(c, cluster.major) && (database === "posemo" || c.scope === "database")
    ).map((c) => c.name);
    const runs: number[][] = [];
    for (let i = 0; i < 5; i++) runs.push(await freshSession(cluster, database, names));
    const medians = names.map((name, i) => ({
      name,
      ms: percentile(runs.map((r) => r[i]!).sort((a, b) => a - b), 50),
    }));
    const total = medians.reduce((sum, m) => sum + m.ms, 0);
    const slowest = medians.sort((a, b) => b.ms - a.ms).slice(0, 6).map((m) => `${m.name} ${m.ms.toFixed(1)}`).join(
      ", ",
    );
    console.log(
      `database ${database}: ${names.length} checks one after another in a fresh session take ${
        total.toFixed(1)
      } ms (slowest: ${slowest} ms)`,
    );
  }
}

interface JsonCheck {
  readonly name: string;
  readonly status: string;
  readonly error: string | null;
}

/** One `--check all --format json` run: what it covers, so the timed figures mean something. */
function describeCoverage(conn: string[]): void {
  const out = spawnSync(posemo, ["check", ...conn, "--check", "all", "--format", "json"], { encoding: "utf8" });
  const doc = (JSON.parse(out.stdout) as { hosts: { checks: JsonCheck[]; skipped: string[]; duration_ms: number }[] })
    .hosts[0]!;
  const scoped = catalogue.filter((c) => c.scope === "database").map((c) => c.name);
  const ran = doc.checks.filter((c) => scoped.includes(c.name)).length;
  const statuses = ["ok", "warning", "critical", "unknown"].map((s) =>
    `${doc.checks.filter((c) => c.status === s).length} ${s}`
  ).join(", ");
  console.log(
    `check --check all covers ${doc.checks.length} checks (${ran} database-scope, run in every database), skipped ${doc.skipped.length}: ${statuses}; exit ${out.status}`,
  );
  for (const c of doc.checks.filter((c) => c.status === "unknown")) console.log(`  UNKNOWN ${c.name}: ${c.error}`);
}

function checkPostgres(): string | undefined {
  for (const name of ["check_postgres", "check_postgres.pl"]) {
    const which = spawnSync("which", [name], { encoding: "utf8" });
    if (which.status === 0) return which.stdout.trim();
  }
  return undefined;
}

/** The actions a DBA runs most, with the thresholds the ones that have no default insist on. */
const SWEEP = [
  "backends",
  "database_size --warning=10GB --critical=50GB",
  "locks",
  "bloat",
  "txn_wraparound",
  "hitratio",
  "archive_ready",
  "last_vacuum",
  "txn_time --warning=30s --critical=60s",
  "replication_slots --warning=100MB --critical=1GB",
].map((line) => line.split(" "));

/** Runs each sweep action once and prints its exit code and first line: the sweep must be real work. */
function verifySweep(cp: string, base: string[]): void {
  for (const [action, ...args] of SWEEP) {
    const out = spawnSync(cp, [...base, `--action=${action}`, ...args], { encoding: "utf8" });
    console.log(
      `  check_postgres --action=${action!.padEnd(17)} exit ${out.status}  ${
        (out.stdout || out.stderr).split("\n")[0]!.slice(0, 110)
      }`,
    );
  }
}

function benchCheckPostgres(cp: string, cluster: Cluster, runs: number): Figures[] {
  const base = [`--host=${cluster.host}`, "--port=5432", "--dbuser=postgres", "--dbname=bench"];
  verifySweep(cp, base);
  const script = SWEEP.map(([action, ...args]) =>
    `${cp} ${base.join(" ")} --action=${action} ${args.join(" ")} >/dev/null 2>&1`
  ).join("; ");
  return [
    bench("check_postgres --action=connection", cp, [...base, "--action=connection"], runs),
    bench("check_postgres 10-action sweep", "bash", ["-c", script], Math.max(5, Math.floor(runs / 5))),
  ];
}

const runs = flag("--runs", 50);
const tables = flag("--tables", 300);
if (!process.argv.includes("--no-build")) {
  const built = spawnSync(process.execPath, ["scripts/build.ts"], { cwd: root, stdio: "inherit" });
  if (built.status !== 0) process.exit(1);
}
const cluster = await startCluster();
try {
  await prepare(cluster, tables);
  const conn = ["-H", cluster.host, "-p", "5432", "-U", "posemo", "-d", "posemo"];
  const databases = await cluster.exec(
    "SELECT count(*)::int AS n FROM pg_database WHERE datallowconn AND NOT datistemplate",
  );
  console.log(
    `PostgreSQL ${cluster.major} (${cluster.bindir}), ${tables} tables in database bench, ${
      databases[0]!.n
    } connectable databases, ${runs} runs each, ${navigator.hardwareConcurrency}-core machine`,
  );
  describeCoverage(conn);
  await perCheckTimes(cluster, ["posemo", "bench"]);
  const scoped = catalogue.filter((c) => c.scope === "database" && variantFor(c, cluster.major)).map((c) => c.name);
  const alive = bench("posemo check --check alive", posemo, ["check", ...conn, "--check", "alive"], runs);
  const all = bench("posemo check --check all", posemo, ["check", ...conn, "--check", "all"], runs);
  const clusterScope = catalogue.filter((c) => c.scope === "cluster" && variantFor(c, cluster.major)).map((c) =>
    c.name
  );
  const clusterOnly = scoped.length
    ? bench(`posemo check (${clusterScope.length} cluster-scope only)`, posemo, [
      "check",
      ...conn,
      "--check",
      clusterScope.join(","),
    ], runs)
    : undefined;
  const dbOnly = scoped.length
    ? bench(`posemo check (${scoped.length} database-scope only)`, posemo, [
      "check",
      ...conn,
      "--check",
      scoped.join(","),
    ], runs)
    : undefined;
  const version = bench("posemo --version (startup floor)", posemo, ["--version"], runs);
  [alive, all, ...(clusterOnly && dbOnly ? [clusterOnly, dbOnly] : []), version].forEach(print);
  if (!dbOnly) console.log("no database-scope check in the catalogue yet: --check all opened one connection");
  const cp = checkPostgres();
  if (!cp) console.log("check_postgres is not installed (apt-get install check-postgres): no comparison in this run");
  else {
    const [conn1, sweep] = benchCheckPostgres(cp, cluster, runs);
    [conn1!, sweep!].forEach(print);
    console.log(`ratio check_postgres connection / posemo alive: ${(conn1!.median / alive.median).toFixed(1)}x`);
    console.log(`ratio check_postgres 10-action sweep / posemo all: ${(sweep!.median / all.median).toFixed(1)}x`);
  }
  console.log(
    `targets: alive <= 50 ms median (${alive.median <= 50 ? "met" : "MISSED"}), all <= 100 ms median (${
      all.median <= 100 ? "met" : "MISSED"
    }), RSS <= 60 MB (${Math.max(alive.rssMb, all.rssMb) <= 60 ? "met" : "MISSED"})`,
  );
} finally {
  await cluster.stop();
}
