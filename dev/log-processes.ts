/**
 * Real `posemo serve-logs` and `posemo fake-logplexd` processes for tests, benchmarks and the demo:
 * started with `bun mod.ts ...` (or a compiled binary), addressed by the URL each prints first on stdout, read through
 * `/metrics`, stopped with a signal. Every wait is bounded.
 * @module
 */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { emptyCounters, type ServeCounters } from "../src/logs/stats.ts";

const repoRoot = resolve(import.meta.dirname, "..");

/** A child process with its output collected. */
export interface Child {
  readonly process: ChildProcess;
  /** Everything written to stdout / stderr so far. */
  stdout(): string;
  stderr(): string;
  /** Resolves when a line of stderr matches, or rejects after `timeoutMs`. */
  waitForStderr(pattern: RegExp, timeoutMs?: number): Promise<string>;
  /** Sends `signal` and resolves with the exit code (SIGKILL after `timeoutMs`). */
  stop(signal?: NodeJS.Signals, timeoutMs?: number): Promise<number | null>;
}

/** How to run posemo: `bun mod.ts` from the repository by default, or a compiled binary. */
export interface PosemoCommand {
  /** The executable and the arguments before the command name. @default [bun, "mod.ts"] */
  readonly command?: readonly string[];
}

/** Starts `bun mod.ts ...args` (or `options.command`) and resolves with the first line of its stdout. */
export async function startPosemo(
  args: readonly string[],
  options: PosemoCommand & { env?: Record<string, string>; timeoutMs?: number } = {},
): Promise<{ child: Child; firstLine: string }> {
  const child = spawnChild([...(options.command ?? [process.execPath, "mod.ts"]), ...args], options.env ?? {});
  const firstLine = await waitFor(
    () => {
      if (child.stdout().includes("\n")) return child.stdout().split("\n")[0];
      if (child.process.exitCode !== null) {
        throw new Error(
          `posemo ${args[0]} exited with ${child.process.exitCode}: ${child.stderr()}`,
        );
      }
    },
    options.timeoutMs ?? 15_000,
    () => `posemo ${args[0]} to print its first line; stderr: ${child.stderr()}`,
  );
  return { child, firstLine: firstLine! };
}

function spawnChild(argv: readonly string[], env: Record<string, string>): Child {
  const proc = spawn(argv[0]!, argv.slice(1), {
    cwd: repoRoot,
    env: { PATH: process.env.PATH ?? "", HOME: tmpdir(), ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  let err = "";
  proc.stdout!.on("data", (d: Buffer) => (out += d));
  proc.stderr!.on("data", (d: Buffer) => (err += d));
  const exited = new Promise<number | null>((done) => proc.once("exit", (code) => done(code)));
  return {
    process: proc,
    stdout: () => out,
    stderr: () => err,
    waitForStderr: (pattern, timeoutMs = 15_000) =>
      waitFor(
        () => err.split("\n").find((line) => pattern.test(line)),
        timeoutMs,
        () => `no stderr line matching ${pattern}; stderr: ${err}`,
      ),
    async stop(signal = "SIGTERM", timeoutMs = 20_000) {
      if (proc.exitCode === null && proc.signalCode === null) proc.kill(signal);
      const timer = setTimeout(() => proc.kill("SIGKILL"), timeoutMs);
      const code = await exited;
      clearTimeout(timer);
      return code;
    },
  };
}

/** Polls `probe` every 20 ms until it returns a value, or rejects after `timeoutMs`. */
export async function waitFor<T>(
  probe: () => T | undefined | Promise<T | undefined>,
  timeoutMs: number,
  describe: () => string = () => "condition",
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`Timed out after ${timeoutMs} ms waiting for ${describe()}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** A running fake-logplexd. */
export interface FakeLogplexdProcess {
  readonly child: Child;
  /** Its URL with the token as password. */
  readonly url: string;
  readonly token: string;
  /** The --record file. */
  readonly recordFile: string;
  /** The JSON lines recorded so far. */
  recorded(): RecordedMessage[];
}

/** One line of fake-logplexd's --record file. */
export interface RecordedMessage {
  readonly pri: number;
  readonly timestamp: string;
  readonly hostname: string;
  readonly app: string;
  readonly procid: string;
  readonly msg: string;
}

/** Starts fake-logplexd on 127.0.0.1 with a recording file in `dir`; `extra` adds fault flags. */
export async function startFakeLogplexd(
  dir: string,
  extra: readonly string[] = [],
  token = "t.test-token",
  options: PosemoCommand & { quiet?: boolean } = {},
): Promise<FakeLogplexdProcess> {
  const recordFile = join(dir, `recorded-${crypto.randomUUID()}.jsonl`);
  writeFileSync(recordFile, "");
  const quiet = options.quiet === false ? [] : ["--quiet"];
  const { child, firstLine } = await startPosemo([
    "fake-logplexd",
    "--token",
    token,
    "--record",
    recordFile,
    ...quiet,
    ...extra,
  ], options);
  return {
    child,
    url: firstLine,
    token,
    recordFile,
    recorded: () =>
      readFileSync(recordFile, "utf8").split("\n").filter((l) => l !== "").map((l) => JSON.parse(l) as RecordedMessage),
  };
}

/** One serve's counters as /metrics shows them, with the connection figures; `listening` is 1 once its socket accepts. */
export type ServeFigures = ServeCounters & {
  active: number;
  truncated: number;
  stalled: number;
  refusedConnections: number;
  truncatedRecords: number;
  cutBytes: number;
  invalidTimes: number;
  listening: number;
  spoolBytes: number;
  spoolSegments: number;
  drainOnly: number;
  /** Requests to logplex in flight (memory and spool batches). */
  inFlight: number;
};

/** A running serve-logs. */
export interface ServeLogsProcess {
  readonly child: Child;
  /** Base URL of its stats server. */
  readonly statsUrl: string;
  /** Counters per socket path, read from /metrics. */
  counters(): Promise<Map<string, ServeFigures>>;
  /** Whether the serve on `socketPath` is running and its socket accepts connections (a serve is counted before it is bound). */
  listening(socketPath: string): Promise<boolean>;
  /** SIGHUP: look at serves.new now. */
  hangup(): void;
}

/** Starts serve-logs on `serveDb` with stats on 127.0.0.1:0 and waits until it is ready. */
export async function startServeLogs(
  serveDb: string,
  extra: readonly string[] = [],
  env: Record<string, string> = {},
  options: PosemoCommand = {},
): Promise<ServeLogsProcess> {
  const { child, firstLine } = await startPosemo([
    "serve-logs",
    "--serve-db",
    serveDb,
    "--stats-addr",
    "127.0.0.1:0",
    ...extra,
  ], { env, ...options });
  await child.waitForStderr(/^serve-logs: ready/);
  return {
    child,
    statsUrl: firstLine,
    counters: async () => parseMetrics(await (await fetch(`${firstLine}/metrics`)).text()),
    listening: async (socketPath) =>
      (await parseMetrics(await (await fetch(`${firstLine}/metrics`)).text())).get(socketPath)?.listening === 1,
    hangup: () => void child.process.kill("SIGHUP"),
  };
}

const FAMILY_KEYS: Record<string, keyof ServeFigures> = {
  posemo_serve_received_records_total: "received",
  posemo_serve_forwarded_records_total: "forwarded",
  posemo_serve_dropped_records_total: "dropped",
  posemo_serve_rejected_records_total: "rejected",
  posemo_serve_failed_records_total: "failed",
  posemo_serve_pending_records: "pending",
  posemo_serve_lost_upstream_records_total: "lostUpstream",
  posemo_serve_connections_total: "connections",
  posemo_serve_protocol_errors_total: "protocolErrors",
  posemo_serve_active_connections: "active",
  posemo_serve_truncated_connections_total: "truncated",
  posemo_serve_listening: "listening",
  posemo_serve_stalled_connections_total: "stalled",
  posemo_serve_refused_connections_total: "refusedConnections",
  posemo_serve_truncated_records_total: "truncatedRecords",
  posemo_serve_cut_bytes_total: "cutBytes",
  posemo_serve_invalid_log_time_records_total: "invalidTimes",
  posemo_serve_spooled_records: "spooled",
  posemo_serve_spool_dropped_records_total: "spoolDropped",
  posemo_serve_spool_bytes: "spoolBytes",
  posemo_serve_spool_segments: "spoolSegments",
  posemo_serve_drain_only: "drainOnly",
  posemo_serve_requests_in_flight: "inFlight",
};

/** Reads the per-serve series of a /metrics text into counters keyed by socket path. */
export function parseMetrics(text: string): Map<string, ServeFigures> {
  const serves = new Map<string, ServeFigures>();
  for (const line of text.split("\n")) {
    // A negative figure (a spooled gauge counted wrong) is read too: a line skipped would read as 0.
    const match = /^(\w+)\{.*socket="((?:[^"\\]|\\.)*)"\} (-?\d+)$/.exec(line);
    const key = match && FAMILY_KEYS[match[1]!];
    if (!match || !key) continue;
    const entry = serves.get(match[2]!) ??
      {
        ...emptyCounters(),
        active: 0,
        truncated: 0,
        stalled: 0,
        refusedConnections: 0,
        truncatedRecords: 0,
        cutBytes: 0,
        invalidTimes: 0,
        listening: 0,
        spoolBytes: 0,
        spoolSegments: 0,
        drainOnly: 0,
        inFlight: 0,
      };
    entry[key] = Number(match[3]);
    serves.set(match[2]!, entry);
  }
  return serves;
}

/** Writes `serves.new` the way an operator should: a temporary file renamed into place. */
export function writeServesNew(dir: string, serves: readonly object[], extra: Record<string, unknown> = {}): void {
  const temporary = join(dir, ".serves.new.tmp");
  writeFileSync(temporary, JSON.stringify({ serves, ...extra }));
  renameSync(temporary, join(dir, "serves.new"));
}

/** A fresh temporary directory with a `db` subdirectory; `cleanup` removes both. */
export function tempServeDirs(
  prefix = "serve-logs-",
): { root: string; db: string; socket: (name: string) => string; cleanup(): void } {
  const root = mkdtempSync(join(tmpdir(), prefix));
  const db = join(root, "db");
  mkdirSync(db);
  return {
    root,
    db,
    socket: (name) => join(root, `${name}.sock`),
    cleanup: () => rmSync(root, { recursive: true, force: true }),
  };
}
