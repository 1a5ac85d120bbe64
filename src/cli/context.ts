/**
 * The context every command runs in. All I/O a command does goes through it, so tests can run the
 * real application with fake streams and a fake environment (stricli's isolated-context model).
 * @module
 */
import type { CommandContext, StricliProcess } from "@stricli/core";

/** What a command may touch of the outside world. */
export interface CliContext extends CommandContext {
  readonly process: StricliProcess & {
    readonly env: Readonly<Record<string, string | undefined>>;
  };
  /** Resolves when the process is asked to stop (SIGTERM/SIGINT); long-running commands watch it. */
  readonly stopSignal: AbortSignal;
}

/** Writes one line to standard output. */
export function say(context: CliContext, line: string): void {
  context.process.stdout.write(line + "\n");
}

/** Writes one line to standard error. */
export function complain(context: CliContext, line: string): void {
  context.process.stderr.write(line + "\n");
}
