/**
 * Delivers one batch to logplex: POST with a whole-request deadline, retries with full-jitter
 * exponential backoff for transport errors, timeouts, 408, 429 and 5xx (not 501), bounded in attempts
 * and in total time. Other statuses are final. Why a race and not only an AbortSignal: Bun's fetch
 * can miss an abort while a connect is pending (oven-sh/bun#2489, #18536), so the deadline timer
 * settles the attempt itself and the hung fetch is abandoned.
 * @module
 */
import type { FetchLike } from "../../http/tls-fetch.ts";
import { type LogplexEndpoint, scrubSecrets } from "./endpoint.ts";
import type { RateLimitedLog } from "./rate-limited-log.ts";

/** How a batch ended; the sender adds its records to the counter of the same name. */
export type Outcome = "forwarded" | "rejected" | "failed";

/** When to try again. */
export interface RetryPolicy {
  /** Attempts per batch, the first included. */
  readonly maxAttempts: number;
  /** Backoff cap of the first retry; doubles per retry (full jitter: the wait is random below the cap). */
  readonly baseDelayMs: number;
  /** Largest backoff cap. */
  readonly maxDelayMs: number;
  /** No retry starts later than this after the first attempt began. */
  readonly budgetMs: number;
}

/** Request counters, for the sender's stats(). */
export interface DeliveryStats {
  requests: number;
  retries: number;
  timeouts: number;
  transportErrors: number;
  lastStatus: number;
}

/** One sealed batch. */
export interface Batch {
  readonly body: Uint8Array<ArrayBuffer>;
  readonly messages: number;
  readonly records: number;
  /**
   * Where each record's frames end in `body`, and how many messages the batch holds up to there, so a
   * refused batch can be halved at a record boundary (absent: it cannot be).
   */
  readonly recordEnds?: readonly number[];
  readonly messageEnds?: readonly number[];
  /** Random per batch, the same on retries, so a receiver could drop duplicates. */
  readonly frameId: string;
}

/** Everything an attempt needs besides the batch. */
export interface DeliveryContext {
  readonly endpoint: LogplexEndpoint;
  readonly fetch: FetchLike;
  readonly requestTimeoutMs: number;
  readonly retry: RetryPolicy;
  readonly random: () => number;
  readonly log: RateLimitedLog;
  /** Aborted when the sender's close deadline passes: stop at once. */
  readonly stopped: AbortSignal;
  readonly stats: DeliveryStats;
  readonly userAgent: string;
}

type Attempt =
  | { readonly kind: "status"; readonly status: number; readonly detail: string }
  | { readonly kind: "timeout" }
  | { readonly kind: "transport"; readonly detail: string }
  | { readonly kind: "stopped" };

/** How a delivery ended and the last HTTP status (0 when the last attempt got none). */
export interface Delivery {
  readonly outcome: Outcome;
  readonly status: number;
  /** What the answer said, or why there was none (one line). */
  readonly detail: string;
}

/** Delivers `batch`, retrying as the policy allows, and says how it ended (a refusal is logged). Never throws. */
export async function deliver(batch: Batch, context: DeliveryContext): Promise<Outcome> {
  const delivery = await attemptDelivery(batch, context);
  if (delivery.outcome === "rejected") logRejected(batch.records, delivery, context);
  return delivery.outcome;
}

/** Delivers `batch`, retrying as the policy allows, and says how it ended and with which status; logs retries and failures, not refusals. */
export async function attemptDelivery(batch: Batch, context: DeliveryContext): Promise<Delivery> {
  const started = Date.now();
  for (let attempt = 1;; attempt++) {
    const result = await attemptOnce(batch, context);
    const status = result.kind === "status" ? result.status : 0;
    if (status >= 200 && status < 300) return { outcome: "forwarded", status, detail: "" };
    if (result.kind === "stopped") return { outcome: "failed", status, detail: "stopped" };
    if (!retryable(result)) return { outcome: "rejected", status, detail: describe(result, context) };
    const delay = context.random() * Math.min(context.retry.maxDelayMs, context.retry.baseDelayMs * 2 ** (attempt - 1));
    if (attempt >= context.retry.maxAttempts || Date.now() - started + delay > context.retry.budgetMs) {
      return failed(batch, result, attempt, context);
    }
    context.log(
      "retry",
      `logplex ${context.endpoint.redacted}: ${
        describe(result, context)
      } (attempt ${attempt} of ${context.retry.maxAttempts}), retrying in ${Math.round(delay)} ms`,
    );
    context.stats.retries++;
    if (!(await sleep(delay, context.stopped))) return { outcome: "failed", status, detail: "stopped" };
  }
}

/** Logs a refusal of `records` records (after narrowing, only those logplex itself refuses). */
export function logRejected(records: number, delivery: Delivery, context: DeliveryContext): void {
  context.log(
    `rejected ${delivery.status}`,
    `logplex ${context.endpoint.redacted}: ${delivery.detail}; ${records} records rejected (not retried)`,
  );
}

function failed(batch: Batch, result: Attempt, attempts: number, context: DeliveryContext): Delivery {
  context.log(
    "failed",
    `logplex ${context.endpoint.redacted}: ${
      describe(result, context)
    }; giving up on ${batch.records} records after ${attempts} attempts`,
  );
  return { outcome: "failed", status: result.kind === "status" ? result.status : 0, detail: describe(result, context) };
}

/** Transport errors, timeouts, 408, 429 and 5xx except 501 are worth another try. */
function retryable(result: Attempt): boolean {
  if (result.kind !== "status") return true;
  const { status } = result;
  return status === 408 || status === 429 || (status >= 500 && status !== 501);
}

function describe(result: Attempt, context: DeliveryContext): string {
  if (result.kind === "timeout") return `no complete answer within ${context.requestTimeoutMs} ms`;
  if (result.kind === "transport") return `request failed: ${result.detail}`;
  if (result.kind === "stopped") return "stopped";
  return `HTTP ${result.status}${result.detail ? ` ${JSON.stringify(result.detail)}` : ""}`;
}

/** One POST, settled by the first of: the response read in full, the deadline, the close deadline. */
async function attemptOnce(batch: Batch, context: DeliveryContext): Promise<Attempt> {
  context.stats.requests++;
  const abort = new AbortController();
  const deadline = timeout<Attempt>(context.requestTimeoutMs, { kind: "timeout" }, context.stopped, {
    kind: "stopped",
  });
  const result = await Promise.race([post(batch, context, abort.signal), deadline.promise]);
  deadline.cancel();
  if (result.kind === "timeout") context.stats.timeouts++;
  if (result.kind === "transport") context.stats.transportErrors++;
  if (result.kind === "status") context.stats.lastStatus = result.status;
  else abort.abort(); // give up on the fetch; if it ignores the signal it is simply abandoned
  return result;
}

async function post(batch: Batch, context: DeliveryContext, signal: AbortSignal): Promise<Attempt> {
  try {
    const response = await context.fetch(context.endpoint.url, {
      method: "POST",
      headers: headers(batch, context),
      body: batch.body,
      signal,
      redirect: "manual",
    });
    // An answer's body is read only so far: logplex's are short, and an endless or huge one (a
    // misbehaving proxy) would otherwise hold memory and the request until its deadline.
    const text = await readSome(response, response.ok ? OK_BODY_BYTES : ERROR_BODY_BYTES);
    const detail = response.ok ? "" : scrubbed(text.replace(/\s+/g, " ").trim().slice(0, 120), context);
    return { kind: "status", status: response.status, detail };
  } catch (error) {
    return { kind: "transport", detail: scrubbed(errorDetail(error), context) };
  }
}

/** Most bytes of a 2xx body read (so a keep-alive connection can be reused) before it is cut off. */
const OK_BODY_BYTES = 16 * 1024;
/** Most bytes of an error body read for the log line. */
const ERROR_BODY_BYTES = 4 * 1024;

/** The first `maxBytes` of the body as text; the rest is not read (the stream is cancelled). */
async function readSome(response: Response, maxBytes: number): Promise<string> {
  const reader = response.body?.getReader();
  if (!reader) return "";
  const pieces: Uint8Array[] = [];
  let size = 0;
  while (size < maxBytes) {
    const { done, value } = await reader.read();
    if (done) return bodyText(pieces);
    pieces.push(value);
    size += value.length;
  }
  void reader.cancel().catch(() => {});
  return bodyText(pieces).slice(0, maxBytes);
}

function bodyText(pieces: readonly Uint8Array[]): string {
  const decoder = new TextDecoder();
  return pieces.map((piece) => decoder.decode(piece, { stream: true })).join("") + decoder.decode();
}

/**
 * Secrets out of text from the other side, before it is quoted (quoting would escape a `"` or `\`
 * inside a token, and the log's own scrubbing would then miss it). A proxy's error page may echo
 * the request's Authorization header.
 */
function scrubbed(text: string, context: DeliveryContext): string {
  return scrubSecrets(text, context.endpoint.secrets);
}

function headers(batch: Batch, context: DeliveryContext): Record<string, string> {
  return {
    "Content-Type": "application/logplex-1",
    "Logplex-Msg-Count": String(batch.messages),
    "Logplex-Frame-Id": batch.frameId,
    Authorization: context.endpoint.authorization,
    "User-Agent": context.userAgent,
  };
}

/**
 * One line from a fetch error: its message, the cause's message (Deno puts the TLS or connect reason
 * there) and the system error code when there is one.
 */
function errorDetail(error: unknown): string {
  const e = error as { message?: string; code?: string; cause?: { code?: string; message?: string } };
  const code = e.code ?? e.cause?.code;
  // Bun's advice to the programmer ("For more information, pass `verbose: true` ...") is noise to an operator.
  let message = String(e.message ?? error).replace(/\s*For more information, pass `verbose: true`.*$/s, "");
  if (e.cause?.message && !message.includes(e.cause.message)) message += `: ${e.cause.message}`;
  message = message.replace(/\s+/g, " ").slice(0, 300);
  return code && !message.includes(code) ? `${message} (${code})` : message;
}

/** Waits `ms`; false when `signal` aborted first. */
function sleep(ms: number, signal: AbortSignal): Promise<boolean> {
  return timeout(ms, true, signal, false).promise;
}

/**
 * A promise resolving to `value` after `ms`, or to `abortedValue` as soon as `signal` aborts.
 * `cancel` clears the timer and the abort listener (the signal lives as long as the sender, so a
 * listener left behind per request would leak).
 */
function timeout<T>(
  ms: number,
  value: T,
  signal: AbortSignal,
  abortedValue: T,
): { promise: Promise<T>; cancel(): void } {
  let cancel = () => {};
  const promise = new Promise<T>((resolve) => {
    const onAbort = () => finish(abortedValue);
    const timer = setTimeout(() => finish(value), ms);
    function finish(result: T) {
      cancel();
      resolve(result);
    }
    cancel = () => {
      clearTimeout(timer);
      signal.removeEventListener("abort", onAbort);
    };
    if (signal.aborted) finish(abortedValue);
    else signal.addEventListener("abort", onAbort, { once: true });
  });
  return { promise, cancel };
}
