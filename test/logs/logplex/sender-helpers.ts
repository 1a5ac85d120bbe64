/** Shared set-up for the sender tests: a fake-logplexd reached through an injected fetch. */
import { expect } from "bun:test";
import { createFakeLogplexd, type FakeLogplexd, type FakeLogplexdOptions } from "../../../src/fake-logplexd/app.ts";
import type { FetchLike } from "../../../src/http/tls-fetch.ts";
import type { LogplexMessage } from "../../../src/logs/logplex/message.ts";
import {
  createLogplexSender,
  type LogplexSender,
  type LogplexSenderOptions,
} from "../../../src/logs/logplex/sender.ts";
import { countersBalance, emptyCounters, type ServeCounters } from "../../../src/logs/stats.ts";

export const TOKEN = "t.s3cr3t-token-value";
export const URL_PASSWORD = "url-pa55word";

/** A message of about 100 bytes framed. */
export function message(body: string, overrides: Partial<LogplexMessage> = {}): LogplexMessage {
  return {
    pri: 134,
    timestamp: "2026-11-21T04:23:21Z",
    hostname: "postgres",
    appName: TOKEN,
    procId: "postgres.42",
    body,
    ...overrides,
  };
}

/** A fetch that hands requests to the fake's hono app, counting calls. */
export function fakeFetch(fake: FakeLogplexd, calls: { count: number } = { count: 0 }): FetchLike {
  return async (url, init) => {
    calls.count++;
    return fake.app.request(url, init);
  };
}

/** Everything a sender test needs, with the invariant checked on every fetch and log line. */
export interface Rig {
  readonly fake: FakeLogplexd;
  readonly sender: LogplexSender;
  readonly counters: ServeCounters;
  readonly logs: string[];
  /** Counts `received` (the caller's job) and enqueues one record. */
  send(...messages: LogplexMessage[]): boolean;
  /** Asserts the counter invariant. */
  balanced(): void;
}

/** Builds a sender posting to a fake-logplexd. */
export function rig(
  fakeOptions: Partial<FakeLogplexdOptions> = {},
  senderOptions: Partial<LogplexSenderOptions> = {},
  wrapFetch: (f: FetchLike) => FetchLike = (f) => f,
): Rig {
  const fake = createFakeLogplexd({ token: TOKEN, ...fakeOptions });
  const counters = senderOptions.counters ?? emptyCounters();
  const logs: string[] = [];
  const balanced = () => expect(countersBalance(counters), JSON.stringify(counters)).toBe(true);
  const inner = wrapFetch(fakeFetch(fake));
  const sender = createLogplexSender({
    url: `http://token:${TOKEN}@logplex.test/logs`,
    counters,
    fetch: (url, init) => (balanced(), inner(url, init)),
    log: (line) => (balanced(), logs.push(line)),
    logIntervalMs: 0,
    retryBaseMs: 1,
    retryMaxMs: 2,
    random: () => 0.5,
    ...senderOptions,
  });
  const send = (...messages: LogplexMessage[]) => {
    counters.received++;
    const taken = sender.enqueue(messages);
    balanced();
    return taken;
  };
  return { fake, sender, counters, logs, send, balanced };
}

/** Waits until `condition` holds; fails after `timeoutMs` (a bound, not a timing assertion). */
export async function until(condition: () => boolean, what: string, timeoutMs = 5000): Promise<void> {
  const start = Date.now();
  while (!condition()) {
    if (Date.now() - start > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
}

/** Asserts no log line carries a secret. */
export function expectNoSecrets(lines: readonly string[], secrets: readonly string[] = [TOKEN, URL_PASSWORD]): void {
  for (const line of lines) for (const secret of secrets) expect(line).not.toContain(secret);
}
