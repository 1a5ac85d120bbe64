/**
 * A streaming standby of a throwaway cluster, for tests that need a server in recovery. It is built
 * with the low-level backup API and a file copy, because the embedded PostgreSQL packages ship no
 * pg_basebackup. The primary must accept local replication connections (its `hba` option).
 * @module
 */
import { type ChildProcess, spawnSync } from "node:child_process";
import {
  appendFileSync,
  chownSync,
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { dirname, join, relative, sep } from "node:path";
import postgres from "postgres";
import { type Cluster, launchPostgres, shutdown } from "../../dev/cluster.ts";

const NOBODY = 65534;
const isRoot = process.getuid?.() === 0;

/** pg_hba.conf for a primary that a standby (or pg_basebackup) can stream from. */
export const REPLICATION_HBA = "local all all trust\nlocal replication all trust\n";

/** A running standby: the parts of a Cluster that tests use. */
export type Standby = Pick<Cluster, "host" | "port" | "major" | "exec" | "stop">;

/** Files a copy must not carry over: the primary's lock file and its volatile statistics. */
function copied(dataDir: string) {
  return (source: string) => {
    const path = relative(dataDir, source);
    return path !== "postmaster.pid" && path !== "postmaster.opts" && !path.startsWith(`pg_stat_tmp${sep}`);
  };
}

async function copyWithBackupLabel(primary: Cluster, dataDir: string): Promise<void> {
  const sql = postgres({
    host: primary.host,
    port: primary.port,
    user: primary.superuser,
    database: "postgres",
    max: 1,
    onnotice: () => {},
  });
  try {
    const modern = primary.major >= 15;
    await sql.unsafe(
      modern
        ? "SELECT pg_backup_start('posemo-standby', true)"
        : "SELECT pg_start_backup('posemo-standby', true, false)",
    );
    cpSync(primary.dataDir, dataDir, { recursive: true, filter: copied(primary.dataDir) });
    const [stop] = await sql.unsafe(
      modern ? "SELECT labelfile FROM pg_backup_stop()" : "SELECT labelfile FROM pg_stop_backup(false)",
    );
    writeFileSync(join(dataDir, "backup_label"), String(stop!.labelfile));
  } finally {
    await sql.end({ timeout: 1 });
  }
}

function configureStandby(primary: Cluster, dataDir: string, socketDir: string): void {
  mkdirSync(join(dataDir, "pg_stat_tmp"), { recursive: true });
  appendFileSync(
    join(dataDir, "postgresql.conf"),
    [
      "",
      `unix_socket_directories = '${socketDir}'`,
      `primary_conninfo = 'host=${primary.host} port=${primary.port} user=${primary.superuser}'`,
      "hot_standby = on",
      "",
    ].join("\n"),
  );
  writeFileSync(join(dataDir, "standby.signal"), "");
  if (isRoot) spawnSync("chown", ["-R", `${NOBODY}:${NOBODY}`, dirname(dataDir)]);
}

/** Waits until the standby accepts read-only connections (postmaster.pid status `standby`). */
async function waitHotStandby(dataDir: string, child: ChildProcess, logFile: string): Promise<void> {
  const deadline = Date.now() + 30_000;
  const pidFile = join(dataDir, "postmaster.pid");
  while (Date.now() < deadline) {
    if (child.exitCode !== null) {
      throw new Error(`standby exited (${child.exitCode}): ${readFileSync(logFile, "utf8").slice(-2000)}`);
    }
    if (existsSync(pidFile) && /\n(standby|ready)\s*$/.test(readFileSync(pidFile, "utf8"))) return;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error(`standby not ready in 30 s: ${readFileSync(logFile, "utf8").slice(-2000)}`);
}

async function execOn(
  host: string,
  port: number,
  user: string,
  statements: string,
  database = "postgres",
): Promise<postgres.Row[]> {
  const sql = postgres({ host, port, user, database, max: 1, onnotice: () => {} });
  try {
    return [...(await sql.unsafe(statements))];
  } finally {
    await sql.end({ timeout: 1 });
  }
}

/** Starts a hot standby streaming from `primary`; `stop()` shuts it down and removes its files. */
export async function startStandby(primary: Cluster): Promise<Standby> {
  const dir = mkdtempSync(join(dirname(dirname(primary.dataDir)), "standby-"));
  const dataDir = join(dir, "data");
  const socketDir = join(dir, "sock");
  const logFile = join(dir, "server.log");
  mkdirSync(socketDir, { mode: 0o700 });
  if (isRoot) chownSync(dir, NOBODY, NOBODY);
  await copyWithBackupLabel(primary, dataDir);
  configureStandby(primary, dataDir, socketDir);
  const child = launchPostgres(primary.bindir, dataDir, logFile);
  try {
    await waitHotStandby(dataDir, child, logFile);
  } catch (error) {
    await shutdown(child);
    throw error;
  }
  return {
    host: socketDir,
    port: 5432,
    major: primary.major,
    exec: (statements, database) => execOn(socketDir, 5432, primary.superuser, statements, database),
    async stop() {
      await shutdown(child);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
