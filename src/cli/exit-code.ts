/**
 * Exit codes, and the one place an error becomes one. `check` follows the Nagios plugin guidelines;
 * every other command uses 0 for success, 1 for a failed operation and 3 for a usage error, so a
 * Nagios definition that calls the wrong thing still shows UNKNOWN rather than CRITICAL.
 * @module
 */
import { ArgumentParseError } from "@stricli/core";
import { STATUS_CODES } from "../check/result.ts";
import { UserError } from "../errors.ts";
import { escapeControlCharacters } from "./log-line.ts";

export const ExitCode = {
  /** Everything fine; each check status exits with its Nagios number (0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN). */
  ...STATUS_CODES,
  /** An operation (install, serve-logs, checks test, an invalid file for config check) was attempted and failed. */
  failed: 1,
  /** The command line, a file or the environment is wrong: posemo cannot tell (UNKNOWN to Nagios). */
  usage: 3,
  /**
   * Whoever read standard output stopped reading (`posemo ... | head -1`): 128 + SIGPIPE, the status a
   * shell shows for any tool a closed pipe ends, so `set -o pipefail` scripts treat posemo like `seq`.
   */
  outputClosed: 141,
} as const;

/** True for the error a write gets once the reading end of its pipe is gone. */
export function isClosedPipe(error: unknown): boolean {
  return (error as { code?: unknown } | null)?.code === "EPIPE";
}

/**
 * The exit code for an error a command threw (stricli's `determineExitCode`). A bug is UNKNOWN too:
 * exit 1 would read as WARNING to Nagios, and posemo cannot tell.
 */
export function exitCodeFor(error: unknown): number {
  if (error instanceof UserError) return error.failure === "failed" ? ExitCode.failed : ExitCode.usage;
  return ExitCode.unknown;
}

/**
 * How an error a command threw is shown: a UserError as one line (a value it quotes may hold a newline
 * or an escape sequence), a bug with its stack trace.
 */
export function describeError(error: unknown, fallback: (error: unknown) => string): string {
  return error instanceof UserError ? `posemo: ${escapeControlCharacters(error.message)}` : fallback(error);
}

/**
 * How a command line the scanner refused is shown: one `posemo:` line like every other usage error.
 * A flag's parser (src/cli/parsers.ts) already names the value, so its message follows the flag unwrapped; the
 * scanner's other messages ("No flag registered for --x") quote what was typed, escaped.
 */
export function describeArgumentError(error: unknown, fallback: (error: unknown) => string): string {
  if (error instanceof ArgumentParseError && error.exception instanceof Error) {
    return `posemo: --${error.externalFlagNameOrPlaceholder}: ${escapeControlCharacters(error.exception.message)}`;
  }
  return `posemo: ${escapeControlCharacters(fallback(error))}`;
}

/** Maps stricli's own negative codes (usage errors) to UNKNOWN. */
export function processExitCode(code: number | string | null | undefined): number {
  const n = Number(code ?? 0);
  if (!Number.isInteger(n) || n < 0) return ExitCode.usage;
  return n;
}
