/**
 * Exit codes. `check` follows the Nagios plugin guidelines; every other command uses 0 for success,
 * 1 for a failure of the operation and 3 for a usage error, so a Nagios definition that calls the
 * wrong thing still shows UNKNOWN rather than CRITICAL.
 * @module
 */
export const ExitCode = {
  /** Everything fine. */
  ok: 0,
  /** A check is in WARNING, or an operation (install, serve-logs) failed. */
  warning: 1,
  /** A check is CRITICAL. */
  critical: 2,
  /** A check could not tell, or the command line / configuration is wrong. */
  unknown: 3,
} as const;

/** Maps stricli's own negative codes (usage errors) to UNKNOWN. */
export function processExitCode(code: number | string | null | undefined): number {
  const n = Number(code ?? 0);
  if (!Number.isInteger(n) || n < 0) return ExitCode.unknown;
  return n;
}
