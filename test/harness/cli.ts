/**
 * Runs the real posemo CLI for tests in process (`run(app, argv, context)` with captured streams and
 * an isolated environment). Where the process itself matters (its exit, its timing, what it prints to a
 * real pipe), spawn-cli.ts runs it as a child process instead.
 * @module
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
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

/** Runs `body` with a fresh empty HOME (so no developer's ~/.pgpass leaks into a test), removed afterwards. */
export async function withEmptyHome<T>(body: (home: string) => Promise<T>): Promise<T> {
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

/** `-H host -p port -U user` for a cluster. */
export function connectionArgs(cluster: { host: string; port: number }, user: string, database?: string): string[] {
  return ["-H", cluster.host, "-p", String(cluster.port), "-U", user, ...(database ? ["-d", database] : [])];
}
