/**
 * Throwaway PostgreSQL clusters for tests and the demo: initdb once per binary set (a template), then
 * each cluster is a copy of it, listening only on a unix socket in its own temp directory. initdb
 * refuses to run as root, so as root the server runs as `nobody`.
 * @module
 */
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import {
  appendFileSync,
  chownSync,
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { createHash } from "node:crypto";
import { join } from "node:path";
import postgres from "postgres";
import { findPgBinaries, type PgBinaries } from "./pg-binaries.ts";

const NOBODY = 65534;
const isRoot = process.getuid?.() === 0;

/** A running cluster. Its socket directory is `host`; the port only names the socket file. */
export interface Cluster {
  readonly host: string;
  readonly port: number;
  readonly superuser: string;
  readonly major: number;
  readonly bindir: string;
  readonly dataDir: string;
  readonly logFile: string;
  /** A postgres.js connection as the superuser (closed by `stop`). */
  sql(database?: string): postgres.Sql;
  /** Runs statements as the superuser in a fresh session and returns the last result's rows. */
  exec(statements: string, database?: string): Promise<postgres.Row[]>;
  restart(): Promise<void>;
  stop(): Promise<void>;
}

/** `npm run test:unit` promises no PostgreSQL: a test in it that starts one fails here, loudly. */
function refuseInUnitLayer(): void {
  if (process.env.POSEMO_TEST_UNIT !== "1") return;
  throw new Error(
    "Cannot start a PostgreSQL cluster in the unit layer (POSEMO_TEST_UNIT=1): a test that needs one must import dev/cluster.ts",
  );
}

/** Options for `startCluster`. */
export interface ClusterOptions {
  /** Extra postgresql.conf settings. */
  readonly settings?: Record<string, string | number>;
  /** pg_hba.conf body; default trusts every local connection. */
  readonly hba?: string;
  /** Which binaries; default `findPgBinaries()`. */
  readonly binaries?: PgBinaries;
}

let workRoot: string | undefined;
const templates = new Map<string, string>();
const running = new Set<ChildProcess>();

/**
 * Clusters live in a per-process directory that `stop()` empties. `bun test` fires no process exit
 * event, so nothing may rely on one for cleanup; the exit hook below only helps plain scripts.
 */
function root(): string {
  if (workRoot) return workRoot;
  workRoot = mkdtempSync(join(tmpdir(), "posemo-pg-"));
  if (isRoot) chownSync(workRoot, NOBODY, NOBODY);
  process.on("exit", () => {
    for (const child of running) child.kill("SIGQUIT");
    rmSync(workRoot!, { recursive: true, force: true });
  });
  return workRoot;
}

function asServerUser(command: string, args: string[]): [string, string[]] {
  if (!isRoot) return [command, args];
  return ["setpriv", [`--reuid=${NOBODY}`, `--regid=${NOBODY}`, "--clear-groups", command, ...args]];
}

function ownedDir(path: string): string {
  mkdirSync(path, { recursive: true, mode: 0o700 });
  if (isRoot) chownSync(path, NOBODY, NOBODY);
  return path;
}

function runAsServerUser(command: string, args: string[]): void {
  const [cmd, argv] = asServerUser(command, args);
  const result = spawnSync(cmd, argv, { encoding: "utf8", cwd: tmpdir() });
  if (result.status !== 0) {
    throw new Error(`${command} failed (${result.status}): ${result.stderr || result.stdout}`);
  }
}

/**
 * initdb'd data directories are shared by every test process, one per binary set: made once under
 * a temp name and renamed into place, so concurrent processes never see a half-made template and
 * repeated test runs neither pay for initdb again nor leave a copy behind each time.
 */
function template(binaries: PgBinaries): string {
  const cached = templates.get(binaries.bindir);
  if (cached) return cached;
  const base = ownedDir(join(tmpdir(), `posemo-pg-templates-${process.getuid?.() ?? 0}`));
  const dir = join(
    base,
    `${binaries.major}-${createHash("sha256").update(binaries.bindir).digest("hex").slice(0, 12)}`,
  );
  if (!existsSync(join(dir, "PG_VERSION"))) {
    const scratch = ownedDir(mkdtempSync(`${dir}.tmp-`));
    runAsServerUser(join(binaries.bindir, "initdb"), [
      "-D",
      scratch,
      "-U",
      "postgres",
      "-A",
      "trust",
      "-E",
      "UTF8",
      "--locale=C",
      "--no-sync",
    ]);
    try {
      renameSync(scratch, dir);
    } catch {
      rmSync(scratch, { recursive: true, force: true }); // another process won the race
    }
  }
  templates.set(binaries.bindir, dir);
  return dir;
}

function baseSettings(socketDir: string): Record<string, string | number> {
  return {
    port: 5432,
    listen_addresses: "''",
    unix_socket_directories: `'${socketDir}'`,
    fsync: "off",
    synchronous_commit: "off",
    full_page_writes: "off",
    shared_buffers: "'32MB'",
    max_connections: 100,
    lc_messages: "'C'",
    log_min_messages: "warning",
  };
}

function writeSettings(dataDir: string, settings: Record<string, string | number>): void {
  const lines = Object.entries(settings).map(([k, v]) => `${k} = ${v}`);
  appendFileSync(join(dataDir, "postgresql.conf"), "\n" + lines.join("\n") + "\n");
}

async function waitReady(dataDir: string, child: ChildProcess, logFile: string): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`postgres exited (${child.exitCode}): ${tail(logFile)}`);
    const pidFile = join(dataDir, "postmaster.pid");
    if (existsSync(pidFile) && /\nready\s*$/m.test(readFileSync(pidFile, "utf8"))) return;
    await Bun.sleep(25);
  }
  throw new Error(`postgres did not become ready in 30 s: ${tail(logFile)}`);
}

function tail(file: string): string {
  return existsSync(file) ? readFileSync(file, "utf8").split("\n").slice(-15).join("\n") : "(no log)";
}

/** Until their stderr pipe closes, postgres' last log lines may still be on their way to the file. */
const drained = new WeakMap<ChildProcess, Promise<void>>();

/** Starts a postmaster (as the server user when root), its stderr appended to `logFile`. */
export function launchPostgres(bindir: string, dataDir: string, logFile: string): ChildProcess {
  const [cmd, argv] = asServerUser(join(bindir, "postgres"), ["-D", dataDir]);
  const child = spawn(cmd, argv, { stdio: ["ignore", "ignore", "pipe"] });
  child.stderr!.on("data", (chunk: Buffer) => appendFileSync(logFile, chunk));
  drained.set(child, new Promise((done) => child.once("close", () => done())));
  running.add(child);
  child.on("exit", () => running.delete(child));
  return child;
}

/**
 * Fast shutdown (SIGINT), SIGKILL after 15 s; resolves when the postmaster has exited and its
 * stderr is drained, so that removing the directory cannot race a last write to server.log.
 */
export async function shutdown(child: ChildProcess): Promise<void> {
  if (child.exitCode === null) {
    child.kill("SIGINT");
    const timer = setTimeout(() => child.kill("SIGKILL"), 15_000);
    await new Promise<void>((done) => (child.exitCode !== null ? done() : child.once("exit", () => done())));
    clearTimeout(timer);
  }
  await drained.get(child);
}

/** Starts a fresh cluster (a copy of the template) and returns a handle to it. */
export async function startCluster(options: ClusterOptions = {}): Promise<Cluster> {
  refuseInUnitLayer();
  const binaries = options.binaries ?? findPgBinaries();
  const dir = ownedDir(mkdtempSync(join(root(), "cluster-")));
  const dataDir = join(dir, "data");
  const socketDir = ownedDir(join(dir, "sock"));
  const logFile = join(dir, "server.log");
  cpSync(template(binaries), dataDir, { recursive: true });
  if (isRoot) spawnSync("chown", ["-R", `${NOBODY}:${NOBODY}`, dataDir]);
  writeSettings(dataDir, { ...baseSettings(socketDir), ...options.settings });
  writeFileSync(join(dataDir, "pg_hba.conf"), options.hba ?? "local all all trust\n");
  let child = launchPostgres(binaries.bindir, dataDir, logFile);
  await waitReady(dataDir, child, logFile);
  const connections: postgres.Sql[] = [];
  const connect = (database = "postgres") => {
    const sql = postgres({ host: socketDir, port: 5432, user: "postgres", database, max: 1, onnotice: () => {} });
    connections.push(sql);
    return sql;
  };
  const closeAll = async () => {
    await Promise.all(connections.splice(0).map((c) => c.end({ timeout: 1 })));
  };
  return {
    host: socketDir,
    port: 5432,
    superuser: "postgres",
    major: binaries.major,
    bindir: binaries.bindir,
    dataDir,
    logFile,
    sql: connect,
    async exec(statements, database = "postgres") {
      const sql = postgres({ host: socketDir, port: 5432, user: "postgres", database, max: 1, onnotice: () => {} });
      try {
        return await sql.unsafe(statements);
      } finally {
        await sql.end({ timeout: 1 });
      }
    },
    async restart() {
      await closeAll();
      await shutdown(child);
      child = launchPostgres(binaries.bindir, dataDir, logFile);
      await waitReady(dataDir, child, logFile);
    },
    async stop() {
      await closeAll();
      await shutdown(child);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
