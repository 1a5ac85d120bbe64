import { describe, expect, test } from "bun:test";
import { createMemoryBudget } from "../../../src/logs/logplex/budget.ts";
import { createLogplexSender } from "../../../src/logs/logplex/sender.ts";
import { emptyCounters } from "../../../src/logs/stats.ts";
import { expectNoSecrets, message, rig, TOKEN, until, URL_PASSWORD } from "./sender-helpers.ts";

const neverSettles = () => new Promise<Response>(() => {});

describe("createLogplexSender() batching", () => {
  test("createLogplexSender() sends a batch once it reaches flushBytes, without flush()", async () => {
    const r = rig({}, { flushBytes: 1000, flushIntervalMs: 60_000 });
    for (let i = 0; i < 25; i++) r.send(message(`record ${i}`.padEnd(40, ".")));
    await until(() => r.fake.requests.length >= 2, "two size-triggered batches");
    for (const request of r.fake.requests) expect(request.bytes).toBeGreaterThanOrEqual(1000);
    expect(r.counters.pending).toBe(25 - r.counters.forwarded);
    await r.sender.close(1000);
    expect(r.counters).toMatchObject({ received: 25, forwarded: 25, pending: 0 });
    expect(r.fake.messages.map((m) => m.body)).toEqual(
      Array.from({ length: 25 }, (_, i) => `record ${i}`.padEnd(40, ".")),
    );
  });

  test("createLogplexSender() sends a small batch flushIntervalMs after its first record", async () => {
    const r = rig({}, { flushIntervalMs: 20 });
    r.send(message("one"));
    r.send(message("two"));
    expect(r.fake.requests).toHaveLength(0);
    await until(() => r.counters.forwarded === 2, "the timed flush");
    expect(r.fake.requests).toHaveLength(1);
    expect(r.fake.requests[0]).toMatchObject({ status: 204, messageCount: 2, msgCountHeader: "2" });
  });

  test("createLogplexSender() keeps the messages of one record in one batch", async () => {
    const r = rig({}, { flushBytes: 150 });
    for (let i = 0; i < 10; i++) r.send(message(`r${i} a`), message(`r${i} b`), message(`r${i} c`));
    await r.sender.close(1000);
    expect(r.counters.forwarded).toBe(10);
    for (const request of r.fake.requests) expect(request.messageCount % 3).toBe(0);
  });

  test("createLogplexSender() flush() sends what is buffered now", async () => {
    const r = rig({}, { flushIntervalMs: 60_000 });
    r.send(message("now"));
    r.sender.flush();
    await until(() => r.counters.forwarded === 1, "the flushed batch");
    expect(r.fake.messages[0]?.body).toBe("now");
  });

  test("createLogplexSender() keeps at most maxInFlight requests open", async () => {
    const r = rig({ delayMs: 20 }, { flushBytes: 1 });
    for (let i = 0; i < 20; i++) r.send(message(`m${i}`));
    expect(r.sender.stats()).toMatchObject({ inFlight: 4, queuedBatches: 16 });
    await r.sender.close(5000);
    expect(r.fake.stats.peakInFlight).toBe(4);
    expect(r.counters).toMatchObject({ forwarded: 20, pending: 0, failed: 0 });
  });

  test("createLogplexSender() sends the logplex headers with the token as Basic password", async () => {
    const seen: Headers[] = [];
    const r = rig({}, {}, (f) => (url, init) => (seen.push(new Headers(init.headers)), f(url, init)));
    r.send(message("x"));
    await r.sender.close(1000);
    expect(seen[0]?.get("content-type")).toBe("application/logplex-1");
    expect(seen[0]?.get("logplex-msg-count")).toBe("1");
    expect(seen[0]?.get("authorization")).toBe(`Basic ${btoa(`token:${TOKEN}`)}`);
    expect(seen[0]?.get("logplex-frame-id")).toMatch(/^[0-9a-f-]{36}$/);
  });
});

describe("createLogplexSender() responses", () => {
  test("createLogplexSender() counts a 401 as rejected without retrying, and logs no token", async () => {
    const r = rig({ token: "t.another" });
    r.send(message("a"));
    r.send(message("b"));
    await r.sender.close(1000);
    expect(r.counters).toMatchObject({ rejected: 2, failed: 0, forwarded: 0, pending: 0 });
    expect(r.fake.requests).toHaveLength(1);
    expect(r.logs.join("\n")).toContain("HTTP 401");
    expectNoSecrets(r.logs);
  });

  for (const status of [503, 500, 429, 408]) {
    test(`createLogplexSender() retries ${status} then counts the records failed`, async () => {
      const r = rig({ status }, { maxAttempts: 3 });
      r.send(message("a"));
      await r.sender.close(5000);
      expect(r.fake.requests.map((q) => q.status)).toEqual([status, status, status]);
      expect(new Set(r.fake.requests.map((q) => q.frameId)).size).toBe(1);
      expect(r.counters).toMatchObject({ failed: 1, rejected: 0, pending: 0 });
      expect(r.sender.stats().retries).toBe(2);
      expect(r.logs.some((l) => l.includes("giving up on 1 records after 3 attempts"))).toBe(true);
    });
  }

  test("createLogplexSender() does not retry 501 or 400", async () => {
    for (const status of [501, 400]) {
      const r = rig({ status });
      r.send(message("a"));
      await r.sender.close(1000);
      expect(r.fake.requests).toHaveLength(1);
      expect(r.counters.rejected).toBe(1);
    }
  });

  test("createLogplexSender() forwards after a 503 followed by a 204", async () => {
    let calls = 0;
    const r = rig(
      {},
      {},
      (f) => (url, init) => (++calls === 1 ? Promise.resolve(new Response("busy", { status: 503 })) : f(url, init)),
    );
    r.send(message("a"));
    await r.sender.close(1000);
    expect(r.counters).toMatchObject({ forwarded: 1, failed: 0 });
    expect(calls).toBe(2);
  });

  test("createLogplexSender() stops retrying when the retry budget is spent", async () => {
    const r = rig({ status: 503 }, {
      maxAttempts: 100,
      retryBaseMs: 30,
      retryMaxMs: 30,
      retryBudgetMs: 40,
      random: () => 0.99,
    });
    r.send(message("a"));
    await r.sender.close(5000);
    expect(r.counters.failed).toBe(1);
    expect(r.fake.requests.length).toBeLessThan(100);
  });

  test("createLogplexSender() retries a transport error then counts it failed", async () => {
    const r = rig(
      {},
      { maxAttempts: 2 },
      () => () => Promise.reject(Object.assign(new TypeError("fetch failed"), { code: "ECONNREFUSED" })),
    );
    r.send(message("a"));
    await r.sender.close(1000);
    expect(r.counters).toMatchObject({ failed: 1, pending: 0 });
    expect(r.sender.stats()).toMatchObject({ requests: 2, transportErrors: 2 });
    expect(r.logs.join("\n")).toContain("request failed: fetch failed (ECONNREFUSED)");
  });

  test("createLogplexSender() gives up on a hanging server at the request deadline", async () => {
    const r = rig({ hang: true }, { requestTimeoutMs: 30, maxAttempts: 2 });
    r.send(message("a"));
    await until(() => r.counters.failed === 1, "the deadline");
    expect(r.sender.stats()).toMatchObject({ timeouts: 2, inFlight: 0 });
    expect(r.logs.join("\n")).toContain("no complete answer within 30 ms");
  });

  test("createLogplexSender() watchdog frees the slot even if fetch ignores the abort and never settles", async () => {
    let calls = 0;
    const r = rig(
      {},
      { requestTimeoutMs: 30, maxAttempts: 1, maxInFlight: 1, flushBytes: 1 },
      (f) => (url, init) => (++calls === 1 ? neverSettles() : f(url, init)),
    );
    r.send(message("stuck"));
    r.send(message("next"));
    expect(r.sender.stats()).toMatchObject({ inFlight: 1, queuedBatches: 1 });
    await until(() => r.counters.forwarded === 1, "the second batch to get the slot");
    expect(r.counters).toMatchObject({ failed: 1, forwarded: 1, pending: 0 });
    expect(r.fake.messages.map((m) => m.body)).toEqual(["next"]);
  });
});

describe("createLogplexSender() bounds", () => {
  test("createLogplexSender() drops records past maxServeBytes and says so", async () => {
    const r = rig({ hang: true }, { maxServeBytes: 1000, flushBytes: 200, requestTimeoutMs: 60_000 });
    const taken = Array.from({ length: 30 }, (_, i) => r.send(message(`record number ${i}`)));
    const accepted = taken.filter(Boolean).length;
    expect(taken.slice(0, accepted).every(Boolean)).toBe(true);
    expect(r.counters).toMatchObject({ dropped: 30 - accepted, pending: accepted });
    expect(r.sender.stats().heldBytes).toBeLessThanOrEqual(1000);
    expect(r.logs.some((l) => l.includes("buffer full"))).toBe(true);
    await r.sender.close(20);
    expect(r.counters).toMatchObject({ failed: accepted, pending: 0 });
  });

  test("createLogplexSender() senders sharing a budget drop once it is spent, and release on delivery", async () => {
    const budget = createMemoryBudget(500);
    const a = rig({ hang: true }, { budget, requestTimeoutMs: 60_000, flushBytes: 100 });
    const b = rig({}, { budget });
    const record = message("a record of one size");
    while (a.send(record)) {
      // fill the queue until it refuses
    }
    expect(b.send(record)).toBe(false);
    expect(b.counters.dropped).toBe(1);
    await a.sender.close(10);
    expect(budget.used).toBe(0);
    expect(b.send(record)).toBe(true);
    await b.sender.close(1000);
    expect(b.counters.forwarded).toBe(1);
  });

  test("createLogplexSender() rejects a record with a message over 10,240 bytes", () => {
    const r = rig();
    expect(r.send(message("ok"), message("x".repeat(11_000)))).toBe(false);
    expect(r.counters).toMatchObject({ rejected: 1, pending: 0 });
    expect(r.logs.join("\n")).toContain("logplex accepts at most 10240");
  });
});

describe("createLogplexSender() close()", () => {
  test("createLogplexSender() close() flushes everything pending within the deadline", async () => {
    const r = rig({ delayMs: 5 }, { flushIntervalMs: 60_000 });
    for (let i = 0; i < 100; i++) r.send(message(`m${i}`));
    await r.sender.close(5000);
    expect(r.counters).toMatchObject({ forwarded: 100, pending: 0 });
    expect(r.fake.messages).toHaveLength(100);
  });

  test("createLogplexSender() close() counts what it could not deliver by the deadline as failed", async () => {
    const r = rig({ hang: true }, { flushBytes: 100, requestTimeoutMs: 60_000 });
    for (let i = 0; i < 50; i++) r.send(message(`m${i}`));
    await r.sender.close(30);
    expect(r.counters).toMatchObject({ received: 50, failed: 50, pending: 0, forwarded: 0 });
    expect(r.sender.stats()).toMatchObject({ inFlight: 0, queuedBatches: 0, heldBytes: 0, closed: true });
  });

  test("createLogplexSender() drops records enqueued after close()", async () => {
    const r = rig();
    const closing = r.sender.close(1000);
    expect(r.send(message("late"))).toBe(false);
    await closing;
    expect(r.counters).toMatchObject({ dropped: 1, pending: 0 });
  });

  test("createLogplexSender() close() of an idle sender resolves at once and twice", async () => {
    const r = rig();
    await r.sender.close(60_000);
    await r.sender.close(60_000);
    expect(r.sender.stats().closed).toBe(true);
  });
});

describe("createLogplexSender() options and secrets", () => {
  test("createLogplexSender() prefers the token option to the URL password", async () => {
    const r = rig({}, { url: `http://token:${URL_PASSWORD}@logplex.test/logs`, token: TOKEN });
    r.send(message("a"));
    await r.sender.close(1000);
    expect(r.counters.forwarded).toBe(1);
  });

  test("createLogplexSender() shows the URL without credentials", () => {
    expect(rig().sender.url).toBe("http://logplex.test/logs");
  });

  test("createLogplexSender() rejects bad URLs and options in one line without secrets", () => {
    const counters = emptyCounters();
    const attempt = (url: string, extra = {}) => {
      try {
        createLogplexSender({ url, counters, ...extra });
      } catch (error) {
        return (error as Error).message;
      }
      return "no error";
    };
    expect(attempt(`ftp://token:${URL_PASSWORD}@host/logs`)).toBe(
      'Cannot use logplex URL "ftp://host/logs": expected an https:// or http:// URL',
    );
    expect(attempt("https://host/logs")).toBe(
      'Cannot use logplex URL "https://host/logs": no token: give one, or put it in the URL as https://token:SECRET@host/logs',
    );
    expect(attempt(`https://token:${URL_PASSWORD}@host:99999/logs`)).toBe(
      'Cannot use logplex URL "https://host:99999/logs": not a valid URL',
    );
    expect(attempt(`https://token:${TOKEN}@host/logs`, { maxInFlight: 0 })).toBe(
      "Cannot use 0 as maxInFlight: expected a whole number from 1 to 1000",
    );
    expect(attempt(`https://token:${TOKEN}@host/logs`, { caFile: "/nonexistent/ca.pem" })).toBe(
      'Cannot read CA file "/nonexistent/ca.pem": no such file',
    );
  });

  test("createLogplexSender() scrubs secrets even from error text that echoes them", async () => {
    const r = rig(
      {},
      { url: `http://token:${URL_PASSWORD}@logplex.test/logs`, maxAttempts: 1 },
      () => () => Promise.reject(new Error(`connect failed for http://token:${URL_PASSWORD}@logplex.test/logs`)),
    );
    r.send(message("a"));
    await r.sender.close(1000);
    expect(r.logs.length).toBeGreaterThan(0);
    expectNoSecrets(r.logs);
  });
});

describe("createLogplexSender() counter invariant", () => {
  test("createLogplexSender() keeps received = forwarded + dropped + rejected + failed + pending at every tick", async () => {
    const r = rig({ failRate: 0.4, seed: 7, delayMs: 3 }, { flushBytes: 300, maxServeBytes: 2000, maxAttempts: 2 });
    let ticks = 0;
    const watcher = setInterval(() => (ticks++, r.balanced()), 1);
    try {
      for (let round = 0; round < 40; round++) {
        for (let i = 0; i < 10; i++) r.send(message(`round ${round} record ${i}`), message("second line"));
        await new Promise((resolve) => setTimeout(resolve, 2));
      }
      await r.sender.close(2000);
    } finally {
      clearInterval(watcher);
    }
    r.balanced();
    expect(ticks).toBeGreaterThan(0);
    expect(r.counters.pending).toBe(0);
    expect(r.counters.forwarded).toBeGreaterThan(0);
    expect(r.counters.dropped + r.counters.failed).toBeGreaterThan(0);
    expect(r.fake.messages).toHaveLength(r.counters.forwarded * 2);
    expectNoSecrets(r.logs);
  });
});
