/**
 * Runs the real posemo CLI for tests: in process (`run(app, argv, context)` with captured streams and
 * an isolated environment) or as a child process (`bun mod.ts ...`) where the process itself matters
 * (its exit, its timing, what it prints to a real pipe).
 * @module
 */
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { run } from "@stricli/core";
import { app } from "../../src/cli/app.ts";
import type { CliContext } from "../../src/cli/context.ts";
import { processExitCode } from "../../src/cli/exit-code.ts";

/** What one CLI run printed and how it exited. */
export interface CliOutcome {
  readonly stdout: string;
  readonly stderr: string;
  readonly exitCode: number;
}

const repoRoot = resolve(import.meta.dir, "../..");

/** Runs `body` with a fresh empty HOME (so no developer's ~/.pgpass leaks into a test), removed afterwards. */
async function withEmptyHome<T>(body: (home: string) => Promise<T>): Promise<T> {
  const home = mkdtempSync(join(tmpdir(), "posemo-home-"));
  try {
    return await body(home);
  } finally {
    rmSync(home, { recursive: true, force: true });
  }
}

/** Runs the CLI in this process; `env` replaces the environment entirely (HOME defaults to an empty dir). */
export function runCli(argv: readonly string[], env: Record<string, string | undefined> = {}): Promise<CliOutcome> {
  return withEmptyHome(async (home) => {
    let stdout = "";
    let stderr = "";
    const context: CliContext = {
      process: {
        stdout: { write: (s: string) => void (stdout += s) },
        stderr: { write: (s: string) => void (stderr += s) },
        env: { HOME: home, ...env },
        exitCode: undefined,
      },
      stopSignal: new AbortController().signal,
    };
    await run(app, [...argv], context);
    return { stdout, stderr, exitCode: processExitCode(context.process.exitCode) };
  });
}

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
  const child = spawn(process.execPath, ["mod.ts", ...argv], {
    cwd: repoRoot,
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

/** `-H host -p port -U user` for a cluster. */
export function connectionArgs(cluster: { host: string; port: number }, user: string, database?: string): string[] {
  return ["-H", cluster.host, "-p", String(cluster.port), "-U", user, ...(database ? ["-d", database] : [])];
}
