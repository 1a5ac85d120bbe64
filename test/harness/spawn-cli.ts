/**
 * Runs the real posemo CLI as a child process (`bun mod.ts ...` from the repository root), for tests
 * where the process itself matters: its exit, its timing, what it prints to a real pipe. A test file
 * that imports this module (or dev/log-processes.ts) is a process test: `npm test` runs it,
 * `npm run test:unit` leaves it out (scripts/matrix/suite.ts), so the unit layer runs no posemo process.
 * @module
 */
import { spawn } from "node:child_process";
import { resolve } from "node:path";
import { type CliOutcome, withEmptyHome } from "./cli.ts";

/** The repository root, where `mod.ts` is. */
export const REPO_ROOT = resolve(import.meta.dir, "../..");

/** The command line that runs posemo from the repository root, before the command name. */
export const POSEMO_COMMAND: readonly string[] = [process.execPath, "mod.ts"];

/** How `spawnCli` runs the child: `closedStdout` closes the reading end of its stdout pipe at once (`| head -0`). */
interface SpawnOptions {
  env?: Record<string, string>;
  timeoutMs?: number;
  closedStdout?: boolean;
}

/** Runs `bun mod.ts ...` from the repository root; kills it after `timeoutMs` (then exitCode is -1). */
export function spawnCli(
  argv: readonly string[],
  options: SpawnOptions = {},
): Promise<CliOutcome & { elapsedMs: number }> {
  return withEmptyHome((home) => spawnIn(home, argv, options));
}

function spawnIn(
  home: string,
  argv: readonly string[],
  options: SpawnOptions,
): Promise<CliOutcome & { elapsedMs: number }> {
  const t0 = performance.now();
  const child = spawn(POSEMO_COMMAND[0]!, [...POSEMO_COMMAND.slice(1), ...argv], {
    cwd: REPO_ROOT,
    env: { PATH: process.env.PATH ?? "", HOME: home, ...options.env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  // Closed before the child has even started: its every write to stdout meets a pipe without a reader.
  if (options.closedStdout) child.stdout.destroy();
  else child.stdout.on("data", (d: Buffer) => (stdout += d));
  child.stderr.on("data", (d: Buffer) => (stderr += d));
  const timer = setTimeout(() => child.kill("SIGKILL"), options.timeoutMs ?? 60_000);
  return new Promise((done) => {
    child.on("close", (code) => {
      clearTimeout(timer);
      done({ stdout, stderr, exitCode: code ?? -1, elapsedMs: performance.now() - t0 });
    });
  });
}

/** Starts `bun mod.ts ...args`; `firstLine` resolves with its first stdout line, `exited` when it closes. */
export function startCli(args: readonly string[]) {
  const child = spawn(POSEMO_COMMAND[0]!, [...POSEMO_COMMAND.slice(1), ...args], {
    cwd: REPO_ROOT,
    stdio: ["ignore", "pipe", "pipe"],
  });
  const killer = setTimeout(() => child.kill("SIGKILL"), 30_000);
  let stdout = "";
  let stderr = "";
  child.stderr.on("data", (d: Buffer) => (stderr += d));
  const firstLine = new Promise<string>((resolveLine, reject) => {
    child.stdout.on("data", (d: Buffer) => {
      stdout += d;
      if (stdout.includes("\n")) resolveLine(stdout.split("\n")[0]!);
    });
    child.on("close", () => reject(new Error(`exited before printing its first line: ${stderr}`)));
  });
  const exited = new Promise<{ code: number | null; stdout: string; stderr: string }>((done) =>
    child.on("close", (code) => {
      clearTimeout(killer);
      done({ code, stdout, stderr });
    })
  );
  return { child, firstLine, exited };
}
