/**
 * How a sender's requests are made: its endpoint (credentials kept out of every log line), TLS,
 * retry policy and request counters, and for memory batches with a spool a single attempt (the
 * spool takes the failures and does the retrying).
 * @module
 */
import { fetchWithTls } from "../../http/tls-fetch.ts";
import { POSEMO_VERSION } from "../../version.ts";
import type { DeliveryContext, DeliveryStats } from "./deliver.ts";
import { parseLogplexEndpoint, scrubSecrets } from "./endpoint.ts";
import { createRateLimitedLog, type RateLimitedLog } from "./rate-limited-log.ts";
import type { LogplexSenderOptions } from "./sender-api.ts";
import type { SenderSettings } from "./sender-options.ts";

/** A sender's ways of delivering, and its log. */
export interface SenderDeliveries {
  /** The endpoint without credentials, for log lines. */
  readonly url: string;
  /** Rate-limited, secrets scrubbed. */
  readonly log: RateLimitedLog;
  /** For spool batches (they retry themselves) and, without a spool, for everything. */
  readonly delivery: DeliveryContext;
  /** For memory batches: one attempt when a spool takes the failures. */
  readonly memoryDelivery: DeliveryContext;
}

/**
 * The deliveries of a sender whose requests stop when `stopped` aborts.
 * @throws {TypeError|Error} for a bad URL or an unreadable CA file (one line, no secrets).
 */
export function createDeliveries(
  settings: SenderSettings,
  options: LogplexSenderOptions,
  stopped: AbortSignal,
): SenderDeliveries {
  const endpoint = parseLogplexEndpoint(options.url, options.token);
  const write = options.log ?? (() => {});
  const log = createRateLimitedLog((line) => write(scrubSecrets(line, endpoint.secrets)), {
    intervalMs: settings.logIntervalMs,
  });
  const tls = fetchWithTls({ caFile: options.caFile, insecure: options.insecure }, options.fetch);
  if (tls.warning) log("tls", `logplex ${endpoint.redacted}: ${tls.warning}`);
  const stats: DeliveryStats = { requests: 0, retries: 0, timeouts: 0, transportErrors: 0, lastStatus: 0 };
  const delivery: DeliveryContext = {
    endpoint,
    fetch: tls.fetch,
    requestTimeoutMs: settings.requestTimeoutMs,
    retry: settings.retry,
    random: settings.random,
    log,
    stopped,
    stats,
    userAgent: `posemo/${POSEMO_VERSION}`,
  };
  const memoryDelivery = options.spool
    ? { ...delivery, retry: { ...settings.retry, maxAttempts: 1 }, log: spooledFailureLog(log) }
    : delivery;
  return { url: endpoint.redacted, log, delivery, memoryDelivery };
}

/** With a spool a failed batch is not given up: it goes to (or stays in) the spool, and the log says so. */
function spooledFailureLog(log: RateLimitedLog): RateLimitedLog {
  return (kind, line) =>
    log(
      kind,
      kind === "failed"
        ? line.replace(
          /; giving up on (\d+) records after \d+ attempts?$/,
          "; its $1 records wait in the spool, retrying",
        )
        : line,
    );
}
