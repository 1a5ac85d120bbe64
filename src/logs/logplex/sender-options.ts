/**
 * Defaults and validation of the sender's options, so a bad value fails at start-up with a line
 * naming it rather than as odd behaviour later.
 * @module
 */
import type { RetryPolicy } from "./deliver.ts";
import type { LogplexSenderOptions } from "./sender-api.ts";

/** Options with defaults applied. */
export interface SenderSettings {
  readonly maxServeBytes: number;
  readonly flushBytes: number;
  readonly flushIntervalMs: number;
  readonly maxInFlight: number;
  readonly requestTimeoutMs: number;
  readonly retry: RetryPolicy;
  readonly logIntervalMs: number;
  readonly random: () => number;
}

/** logplex reads at most 8,000,000 bytes of a body (the default body limit of cowboy, its HTTP server). */
const MAX_BODY_BYTES = 8_000_000;

/** Checks `value` is a whole number in [min, max]. */
function whole(name: string, value: number, min: number, max = Number.MAX_SAFE_INTEGER): number {
  if (!Number.isSafeInteger(value) || value < min || value > max) {
    throw new RangeError(`Cannot use ${value} as ${name}: expected a whole number from ${min} to ${max}`);
  }
  return value;
}

/**
 * Applies defaults and validates.
 * @throws {RangeError} naming the first bad option.
 */
export function resolveSenderSettings(options: LogplexSenderOptions): SenderSettings {
  const flushBytes = whole("flushBytes", options.flushBytes ?? 100 * 1024, 1, MAX_BODY_BYTES / 2);
  return {
    flushBytes,
    maxServeBytes: whole("maxServeBytes", options.maxServeBytes ?? 8 * 1024 * 1024, 1),
    flushIntervalMs: whole("flushIntervalMs", options.flushIntervalMs ?? 250, 0),
    maxInFlight: whole("maxInFlight", options.maxInFlight ?? 4, 1, 1000),
    requestTimeoutMs: whole("requestTimeoutMs", options.requestTimeoutMs ?? 5000, 1),
    retry: {
      maxAttempts: whole("maxAttempts", options.maxAttempts ?? 3, 1, 100),
      baseDelayMs: whole("retryBaseMs", options.retryBaseMs ?? 250, 0),
      maxDelayMs: whole("retryMaxMs", options.retryMaxMs ?? 5000, 0),
      budgetMs: whole("retryBudgetMs", options.retryBudgetMs ?? 30_000, 0),
    },
    logIntervalMs: whole("logIntervalMs", options.logIntervalMs ?? 10_000, 0),
    random: options.random ?? Math.random,
  };
}
