/**
 * Test support for the cluster-scope check tests (sql-cluster-*.test.ts): the checks by name, a
 * throwaway cluster with them installed as the installer would (owner in pg_monitor only), and
 * sessions that hold transactions, locks and snapshots open while a check looks at them.
 * @module
 */
import postgres from "postgres";
import { catalogue } from "../../src/catalogue/catalogue.generated.ts";
import type { CheckDefinition } from "../../src/catalogue/definition.ts";
import { variantFor } from "../../src/catalogue/definition.ts";
import { type Cluster, type ClusterOptions, startCluster } from "../../dev/cluster.ts";
import type { PgBinaries } from "../../dev/pg-binaries.ts";
import { expect } from "bun:test";
import {
  installChecks,
  type MonitoringSession,
  monitoringSession,
  type Row,
  type Server,
  testNames,
} from "./sql-fixture.ts";

/** The catalogue check of this name; throws when there is none. */
export function check(name: string): CheckDefinition {
  const found = catalogue.find((c) => c.name === name);
  if (!found) throw new Error(`no check "${name}" in the catalogue`);
  return found;
}

/** The row of `rows` whose title column (of check `name`) is `title`; throws when there is none. */
export function rowTitled(name: string, rows: readonly Row[], title: string): Row {
  const row = rows.find((r) => r[check(name).titleColumn!] === title);
  if (!row) throw new Error(`${name}: no row titled "${title}" in ${JSON.stringify(rows)}`);
  return row;
}

/** A cluster with every catalogue check that exists on its major installed, and a monitoring session. */
export interface CheckedCluster {
  readonly cluster: Cluster;
  readonly mon: MonitoringSession;
  /** Calls check `name` as the monitoring role. */
  call(name: string, args?: readonly (string | null)[]): Promise<Row[]>;
  /** The first row of check `name`. */
  first(name: string, args?: readonly (string | null)[]): Promise<Row>;
  stop(): Promise<void>;
}

/** Starts a cluster with these settings and installs the catalogue as a pg_monitor-only owner. */
export async function startChecked(
  binaries: PgBinaries,
  options: Omit<ClusterOptions, "binaries"> = {},
): Promise<CheckedCluster> {
  const cluster = await startCluster({ ...options, binaries });
  const names = testNames();
  await installChecks(cluster, catalogue.filter((c) => variantFor(c, binaries.major)), names, { inPgMonitor: true });
  return onServer(cluster, names);
}

function onServer(cluster: Cluster, names: ReturnType<typeof testNames>): CheckedCluster {
  const mon = monitoringSession(cluster, names);
  const call = (name: string, args?: readonly (string | null)[]) => mon.call(check(name), args);
  return {
    cluster,
    mon,
    call,
    first: async (name, args) => (await call(name, args))[0]!,
    async stop() {
      await mon.end();
      await cluster.stop();
    },
  };
}

/** One server session kept open, so that its transaction, locks and snapshot stay while a check runs. */
export interface HeldSession {
  readonly pid: number;
  /** Runs statements and waits for their rows. */
  run(statements: string): Promise<Row[]>;
  /** Sends statements that will block; the promise settles with the rows or the error, never rejects. */
  start(statements: string): Promise<Row[] | Error>;
  close(): Promise<void>;
}

/** Opens a session named `app` (application_name) on `server`, as `user` in `database`. */
export async function holdSession(
  server: Server,
  app: string,
  options: { user?: string; database?: string } = {},
): Promise<HeldSession> {
  const sql = postgres({
    host: server.host,
    port: server.port,
    user: options.user ?? "postgres",
    database: options.database ?? "postgres",
    max: 1,
    onnotice: () => {},
    connection: { application_name: app },
  });
  const conn = await sql.reserve();
  const [me] = await conn.unsafe("SELECT pg_backend_pid() AS pid");
  const run = async (statements: string) => [...(await conn.unsafe(statements))] as Row[];
  return {
    pid: me!.pid as number,
    run,
    start: (statements) => run(statements).catch((error: Error) => error),
    async close() {
      conn.release();
      await sql.end({ timeout: 1 });
    },
  };
}

/** Runs `work` with sessions that are closed afterwards, whatever happens. */
export async function withSessions<T>(
  open: readonly Promise<HeldSession>[],
  work: (sessions: HeldSession[]) => Promise<T>,
): Promise<T> {
  const sessions = await Promise.all(open);
  try {
    return await work(sessions);
  } finally {
    await Promise.all(sessions.map((s) => s.close()));
  }
}

/** Uses up `count` transaction IDs, one committed transaction each. */
export async function burnXids(server: Server, count: number): Promise<void> {
  await server.exec(Array.from({ length: count }, () => "BEGIN; SELECT txid_current(); COMMIT;").join("\n"));
}

/**
 * Installs `names` again for an owner outside pg_monitor and expects every row of each to carry an
 * unknown_reason naming pg_read_all_stats: what it cannot see must not read as an all-clear.
 */
export async function expectHiddenWithoutStats(pg: CheckedCluster, names: readonly string[]): Promise<void> {
  const bare = testNames(`_bare_${names.length}`);
  await installChecks(pg.cluster, names.map(check), bare, { inPgMonitor: false });
  const session = monitoringSession(pg.cluster, bare);
  try {
    for (const name of names) {
      const rows = await session.call(check(name));
      expect(rows.length).toBeGreaterThan(0);
      for (const row of rows) {
        expect(`${name}: ${row.unknown_reason}`).toMatch(
          new RegExp(`^${name}: role ${bare.owner} lacks pg_read_all_stats \\(grant pg_monitor\\)`),
        );
      }
    }
  } finally {
    await session.end();
  }
}
