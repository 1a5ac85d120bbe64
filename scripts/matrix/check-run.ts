/**
 * One real run of the catalogue per PostgreSQL major for the matrix table: a fresh cluster with
 * pg_stat_statements loaded and a second database holding tables, sequences and indexes, then
 * `posemo install --create-database` and `posemo check --check all --format json` through the real
 * CLI (`bun mod.ts`), as the monitoring role. Each check's status becomes a table cell.
 * @module
 */
import { spawnSync } from "node:child_process";
import { resolve } from "node:path";
import { catalogue } from "../../src/catalogue/catalogue.generated.ts";
import { variantFor } from "../../src/catalogue/definition.ts";
import { type Cluster, startCluster } from "../../dev/cluster.ts";

const root = resolve(import.meta.dirname, "../..");

/**
 * Checks that are UNKNOWN on a fresh test cluster by design, with the reason text they must give.
 * Any other UNKNOWN is a failure: a check that cannot see what it needs on a plain server is a bug.
 */
export const EXPECTED_UNKNOWN: Readonly<Record<string, RegExp>> = {};

/**
 * What the test cluster grants so that checks whose `needs` go beyond pg_monitor can see everything,
 * the way docs/checks.md tells a DBA to (run in every database, as the superuser, after install).
 */
const SATISFY_NEEDS = "GRANT SELECT ON ALL SEQUENCES IN SCHEMA public TO posemo_admin";

/** A table cell: the check worked (with its status), is documented UNKNOWN, failed, or has no SQL. */
export type Cell = "ok" | "ok(W)" | "ok(C)" | "ok(U)" | "FAIL" | "n.a.";

/** What one major's run produced: a cell per check name, and the reasons of the failed cells. */
export interface CheckRun {
  readonly cells: ReadonlyMap<string, Cell>;
  readonly failures: readonly string[];
}

interface JsonCheck {
  readonly name: string;
  readonly status: "ok" | "warning" | "critical" | "unknown";
  readonly error: string | null;
  readonly message: string;
}

interface CliRun {
  readonly stdout: string;
  readonly stderr: string;
  readonly status: number | null;
}

function cli(args: string[]): CliRun {
  const result = spawnSync(process.execPath, ["mod.ts", ...args], {
    cwd: root,
    encoding: "utf8",
    timeout: 120_000,
    env: { PATH: process.env.PATH ?? "", HOME: "/nonexistent" },
  });
  return { stdout: result.stdout ?? "", stderr: result.stderr ?? "", status: result.status };
}

async function seed(cluster: Cluster): Promise<void> {
  await cluster.exec("CREATE DATABASE app");
  await cluster.exec(
    `
    CREATE TABLE public.orders (id bigserial PRIMARY KEY, customer int NOT NULL, note text);
    CREATE INDEX orders_customer ON public.orders (customer);
    INSERT INTO public.orders (customer, note) SELECT i % 97, repeat('x', i % 50) FROM generate_series(1, 5000) AS i;
    DELETE FROM public.orders WHERE id % 3 = 0;
    ANALYZE public.orders;
    CREATE SEQUENCE public.tickets;`,
    "app",
  );
}

function cellFor(name: string, found: JsonCheck | undefined, failures: string[]): Cell {
  if (!found) return failures.push(`${name}: no result in the JSON report`), "FAIL";
  if (found.status === "ok") return "ok";
  if (found.status === "warning") return "ok(W)";
  if (found.status === "critical") return "ok(C)";
  const expected = EXPECTED_UNKNOWN[name];
  if (expected && expected.test(found.error ?? found.message)) return "ok(U)";
  failures.push(`${name}: UNKNOWN: ${found.error ?? found.message}`);
  return "FAIL";
}

/** The report's checks, or undefined (and a failure saying what the CLI printed instead). */
function parseReport(run: CliRun, failures: string[]): JsonCheck[] | undefined {
  try {
    const checks = (JSON.parse(run.stdout) as { hosts?: { checks?: JsonCheck[] }[] }).hosts?.[0]?.checks;
    if (Array.isArray(checks)) return checks;
  } catch {
    // Reported below with what the CLI printed.
  }
  failures.push(
    `check --format json exited ${run.status} without a report: ${(run.stdout + run.stderr).trim().slice(0, 500)}`,
  );
  return undefined;
}

function cellsFrom(major: number, run: CliRun, failures: string[]): Map<string, Cell> {
  const checks = parseReport(run, failures);
  const cells = new Map<string, Cell>();
  for (const check of catalogue) {
    if (!variantFor(check, major)) cells.set(check.name, "n.a.");
    else {cells.set(
        check.name,
        checks ? cellFor(check.name, checks.find((c) => c.name === check.name), failures) : "FAIL",
      );}
  }
  return cells;
}

/** Installs into a fresh cluster of these binaries and runs every check once through the CLI. */
export async function runCatalogue(bindir: string, major: number): Promise<CheckRun> {
  const cluster = await startCluster({
    binaries: { bindir, major, source: "env" },
    settings: { shared_preload_libraries: "'pg_stat_statements'" },
  });
  const failures: string[] = [];
  try {
    await seed(cluster);
    const base = ["-H", cluster.host, "-p", String(cluster.port)];
    const install = cli(["install", ...base, "-U", "postgres", "--create-database"]);
    if (install.status !== 0) {
      failures.push(`install exited ${install.status}: ${(install.stderr || install.stdout).trim()}`);
    }
    await cluster.exec("CREATE EXTENSION IF NOT EXISTS pg_stat_statements", "posemo");
    for (const database of ["postgres", "posemo", "app"]) await cluster.exec(SATISFY_NEEDS, database);
    await cluster.exec("SELECT count(*) FROM public.orders", "app");
    const check = cli(["check", ...base, "-U", "posemo", "-d", "posemo", "--check", "all", "--format", "json"]);
    return { cells: cellsFrom(major, check, failures), failures };
  } finally {
    await cluster.stop();
  }
}
