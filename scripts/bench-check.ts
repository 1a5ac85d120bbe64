/**
 * Benchmarks the compiled binary's `check` against a throwaway cluster: `--check alive` and
 * `--check all`, many runs each, median and spread, peak RSS. Where check_postgres is installed it is
 * timed in the same run (`--action=connection` and a 10-action sweep) and the ratios are printed.
 * Prints figures; asserts nothing. Usage: bun scripts/bench-check.ts [--runs 50] [--tables 300]
 */
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { resolve } from "node:path";
import { startCluster, type Cluster } from "../test/harness/cluster.ts";

const root = resolve(import.meta.dirname, "..");
const posemo = resolve(root, "dist/posemo");

function flag(name: string, fallback: number): number {
  const i = process.argv.indexOf(name);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
}

/** Runs the command and returns wall time in ms; peak RSS in KB via getrusage of the child (python3). */
function timeOnce(command: string, args: string[]): { ms: number; rssKb: number; code: number | null } {
  const probe = "import resource,subprocess,sys,time\nt=time.perf_counter();r=subprocess.run(sys.argv[1:],stdout=subprocess.DEVNULL,stderr=subprocess.DEVNULL);e=time.perf_counter()-t\nprint(e*1000,resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss,r.returncode)";
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
    name, median: percentile(ms, 50), p10: percentile(ms, 10), p90: percentile(ms, 90), min: ms[0]!, max: ms[ms.length - 1]!,
    rssMb: Math.max(...samples.map((s) => s.rssKb)) / 1024, exitCodes: codes,
  };
}

function print(f: Figures): void {
  const n = (x: number) => x.toFixed(1).padStart(7);
  console.log(`${f.name.padEnd(34)} median ${n(f.median)} ms  p10 ${n(f.p10)}  p90 ${n(f.p90)}  min ${n(f.min)}  max ${n(f.max)}  peak RSS ${f.rssMb.toFixed(1)} MB  exit ${f.exitCodes}`);
}

async function prepare(cluster: Cluster, tables: number): Promise<void> {
  await cluster.exec(`CREATE DATABASE bench`);
  await cluster.exec(`DO $$ BEGIN FOR i IN 1..${tables} LOOP EXECUTE format('CREATE TABLE t%s (id int PRIMARY KEY, v text)', i); END LOOP; END $$;`, "bench");
  const install = spawnSync(posemo, ["install", "-H", cluster.host, "-p", "5432", "-U", "postgres", "--create-database"], { encoding: "utf8" });
  if (install.status !== 0) throw new Error(`install failed: ${install.stderr}`);
}

function checkPostgres(): string | undefined {
  for (const name of ["check_postgres", "check_postgres.pl"]) {
    const which = spawnSync("which", [name], { encoding: "utf8" });
    if (which.status === 0) return which.stdout.trim();
  }
  return undefined;
}

const SWEEP = ["backends", "database_size", "locks", "bloat", "txn_wraparound", "hitratio", "archive_ready", "last_vacuum", "txn_time", "replication_slots"];

function benchCheckPostgres(cp: string, cluster: Cluster, runs: number): Figures[] {
  const base = [`--host=${cluster.host}`, "--port=5432", "--dbuser=postgres", "--dbname=bench"];
  const script = SWEEP.map((a) => `${cp} ${base.join(" ")} --action=${a} >/dev/null 2>&1`).join("; ");
  return [
    bench("check_postgres --action=connection", cp, [...base, "--action=connection"], runs),
    bench("check_postgres 10-action sweep", "bash", ["-c", script], Math.max(5, Math.floor(runs / 5))),
  ];
}

const runs = flag("--runs", 50);
const tables = flag("--tables", 300);
if (!existsSync(posemo)) spawnSync(process.execPath, ["scripts/build.ts"], { cwd: root, stdio: "inherit" });
const cluster = await startCluster();
try {
  await prepare(cluster, tables);
  const conn = ["-H", cluster.host, "-p", "5432", "-U", "posemo", "-d", "posemo"];
  console.log(`PostgreSQL ${cluster.major} (${cluster.bindir}), ${tables} tables in database bench, ${runs} runs each, 2-core machine`);
  const alive = bench("posemo check --check alive", posemo, ["check", ...conn, "--check", "alive"], runs);
  const all = bench("posemo check --check all", posemo, ["check", ...conn], runs);
  const version = bench("posemo --version (startup floor)", posemo, ["--version"], runs);
  [alive, all, version].forEach(print);
  const cp = checkPostgres();
  if (!cp) console.log("check_postgres is not installed (apt-get install check-postgres): no comparison in this run");
  else {
    const [conn1, sweep] = benchCheckPostgres(cp, cluster, runs);
    [conn1!, sweep!].forEach(print);
    console.log(`ratio check_postgres connection / posemo alive: ${(conn1!.median / alive.median).toFixed(1)}x`);
    console.log(`ratio check_postgres 10-action sweep / posemo all: ${(sweep!.median / all.median).toFixed(1)}x`);
  }
  console.log(`targets: alive <= 50 ms median (${alive.median <= 50 ? "met" : "MISSED"}), all <= 100 ms median (${all.median <= 100 ? "met" : "MISSED"}), RSS <= 60 MB (${Math.max(alive.rssMb, all.rssMb) <= 60 ? "met" : "MISSED"})`);
} finally {
  await cluster.stop();
}
