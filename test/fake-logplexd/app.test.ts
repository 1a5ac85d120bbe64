import { afterEach, describe, expect, test } from "bun:test";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createFakeLogplexd, type FakeLogplexdOptions } from "../../src/fake-logplexd/app.ts";
import { frameMessages } from "../../src/logs/logplex/frame.ts";
import type { LogplexMessage } from "../../src/logs/logplex/message.ts";

const TOKEN = "t.fake-token";
const auth = (user: string, pass: string) => `Basic ${btoa(`${user}:${pass}`)}`;

function message(body: string, overrides: Partial<LogplexMessage> = {}): LogplexMessage {
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

function post(
  options: Partial<FakeLogplexdOptions>,
  init: { body?: Uint8Array<ArrayBuffer> | string; headers?: Record<string, string>; messages?: LogplexMessage[] } = {},
) {
  const fake = createFakeLogplexd({ token: TOKEN, ...options });
  const messages = init.messages ?? [message("hello")];
  const headers = {
    Authorization: auth("token", TOKEN),
    "Content-Type": "application/logplex-1",
    "Logplex-Msg-Count": String(messages.length),
    ...init.headers,
  };
  const response = Promise.resolve(
    fake.app.request("http://fake/logs", { method: "POST", headers, body: init.body ?? frameMessages(messages) }),
  );
  return { fake, response };
}

describe("createFakeLogplexd()", () => {
  test("createFakeLogplexd() answers 204 and keeps the parsed messages", async () => {
    const { fake, response } = post({}, { messages: [message("one"), message("two", { pri: 131 })] });
    expect((await response).status).toBe(204);
    expect(fake.messages.map((m) => [m.pri, m.body])).toEqual([[134, "one"], [131, "two"]]);
    expect(fake.requests).toEqual([{
      status: 204,
      messageCount: 2,
      msgCountHeader: "2",
      bytes: frameMessages([message("one"), message("two", { pri: 131 })]).length,
      frameId: null,
    }]);
    expect(fake.stats).toMatchObject({ requests: 1, messages: 2 });
  });

  test("createFakeLogplexd() answers 401 with a Basic challenge for a wrong token", async () => {
    const { fake, response } = post({}, { headers: { Authorization: auth("token", "t.other") } });
    const res = await response;
    expect(res.status).toBe(401);
    expect(res.headers.get("www-authenticate")).toBe("Basic realm=Logplex");
    expect(fake.messages).toEqual([]);
  });

  test("createFakeLogplexd() answers 401 without credentials or with a user other than token", async () => {
    expect((await post({}, { headers: { Authorization: "" } }).response).status).toBe(401);
    expect((await post({}, { headers: { Authorization: auth("someone", TOKEN) } }).response).status).toBe(401);
    expect((await post({}, { headers: { Authorization: "Basic !!!" } }).response).status).toBe(401);
  });

  test("createFakeLogplexd() answers 415 for another content type", async () => {
    const { response } = post({}, { headers: { "Content-Type": "text/plain" } });
    const res = await response;
    expect(res.status).toBe(415);
    expect(await res.text()).toContain('Unsupported content type "text/plain"');
  });

  test("createFakeLogplexd() accepts application/x-logplex-1 as logplex does", async () => {
    expect((await post({}, { headers: { "Content-Type": "application/x-logplex-1" } }).response).status).toBe(204);
  });

  test("createFakeLogplexd() answers 400 for a bad frame and says where", async () => {
    const warnings: string[] = [];
    const { fake, response } = post({ warn: (l) => warnings.push(l) }, {
      body: "12 not a frame",
      headers: { "Logplex-Msg-Count": "1" },
    });
    const res = await response;
    expect(res.status).toBe(400);
    expect(await res.text()).toContain("Malformed log messages: Cannot parse frame at byte 0");
    expect(fake.messages).toEqual([]);
    expect(warnings).toHaveLength(1);
  });

  test("createFakeLogplexd() answers 400 when Logplex-Msg-Count does not match", async () => {
    const { response } = post({}, { headers: { "Logplex-Msg-Count": "3" } });
    const res = await response;
    expect(res.status).toBe(400);
    expect(await res.text()).toContain("Message count mismatch: header says 3, body holds 1");
  });

  test("createFakeLogplexd() answers 405 to GET /logs and OK to /healthcheck", async () => {
    const fake = createFakeLogplexd({ token: TOKEN });
    expect((await fake.app.request("/logs")).status).toBe(405);
    expect(await (await fake.app.request("/healthcheck")).text()).toBe("OK");
  });

  test("createFakeLogplexd() prints each message with the token shown as the app name", async () => {
    const lines: string[] = [];
    const { response } = post({ print: (l) => lines.push(l) }, { messages: [message("[db] hello\nDetail: more\n")] });
    await response;
    expect(lines).toEqual(["2026-11-21T04:23:21Z postgres app[postgres.42]: [db] hello\n    Detail: more"]);
    expect(lines.join("")).not.toContain(TOKEN);
  });

  test("createFakeLogplexd() prints nothing when quiet", async () => {
    const lines: string[] = [];
    await post({ quiet: true, print: (l) => lines.push(l) }).response;
    expect(lines).toEqual([]);
  });
});

describe("createFakeLogplexd() record file", () => {
  let dir = "";
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  test("createFakeLogplexd() appends one JSON line per accepted message", async () => {
    dir = mkdtempSync(join(tmpdir(), "fake-logplexd-"));
    const file = join(dir, "record.jsonl");
    await post({ record: file }, {
      messages: [message("one"), message("two\n", { procId: "postgres.7", appName: "other" })],
    }).response;
    await post({ record: file }, { messages: [message("three")] }).response;
    await post({ record: file }, { headers: { "Content-Type": "text/plain" } }).response;
    const lines = readFileSync(file, "utf8").trimEnd().split("\n").map((l) => JSON.parse(l));
    expect(lines).toEqual([
      {
        pri: 134,
        timestamp: "2026-11-21T04:23:21Z",
        hostname: "postgres",
        app: "app",
        procid: "postgres.42",
        msg: "one",
      },
      {
        pri: 134,
        timestamp: "2026-11-21T04:23:21Z",
        hostname: "postgres",
        app: "other",
        procid: "postgres.7",
        msg: "two\n",
      },
      {
        pri: 134,
        timestamp: "2026-11-21T04:23:21Z",
        hostname: "postgres",
        app: "app",
        procid: "postgres.42",
        msg: "three",
      },
    ]);
  });
});

describe("createFakeLogplexd() faults", () => {
  test("createFakeLogplexd() status answers that status to well-formed requests and drops their messages", async () => {
    const { fake, response } = post({ status: 500 });
    expect((await response).status).toBe(500);
    expect(fake.messages).toEqual([]);
    expect((await post({ status: 401 }, { headers: { "Content-Type": "text/plain" } }).response).status).toBe(415);
  });

  test("createFakeLogplexd() status 200 still accepts the messages", async () => {
    const { fake, response } = post({ status: 200 });
    expect((await response).status).toBe(200);
    expect(fake.messages).toHaveLength(1);
  });

  test("createFakeLogplexd() failRate with a seed fails a repeatable share of requests with 503", async () => {
    const run = async () => {
      const fake = createFakeLogplexd({ token: TOKEN, failRate: 0.5, seed: 42 });
      const statuses: number[] = [];
      for (let i = 0; i < 40; i++) {
        const res = await fake.app.request("/logs", {
          method: "POST",
          headers: { Authorization: auth("token", TOKEN), "Content-Type": "application/logplex-1" },
          body: frameMessages([message(`m${i}`)]),
        });
        statuses.push(res.status);
      }
      return { statuses, kept: fake.messages.length };
    };
    const first = await run();
    expect(first).toEqual(await run());
    const failures = first.statuses.filter((s) => s === 503).length;
    expect(failures).toBeGreaterThan(5);
    expect(failures).toBeLessThan(35);
    expect(first.kept).toBe(40 - failures);
  });

  test("createFakeLogplexd() failRate 1 always answers 503 and 0 never", async () => {
    expect((await post({ failRate: 1 }).response).status).toBe(503);
    expect((await post({ failRate: 0 }).response).status).toBe(204);
  });

  test("createFakeLogplexd() delayMs answers after the delay", async () => {
    const { fake, response } = post({ delayMs: 30 });
    let settled = false;
    void response.then(() => (settled = true));
    await new Promise((resolve) => setImmediate(resolve));
    expect(settled).toBe(false);
    expect(fake.stats.inFlight).toBe(1);
    expect((await response).status).toBe(204);
  });

  test("createFakeLogplexd() hang never answers until the client gives up", async () => {
    const abort = new AbortController();
    const fake = createFakeLogplexd({ token: TOKEN, hang: true });
    let settled = false;
    const response = Promise.resolve(
      fake.app.request("/logs", {
        method: "POST",
        signal: abort.signal,
        headers: { Authorization: auth("token", TOKEN), "Content-Type": "application/logplex-1" },
        body: frameMessages([message("x")]),
      }),
    );
    void response.then(() => (settled = true), () => (settled = true));
    await new Promise((resolve) => setImmediate(resolve));
    expect([settled, fake.stats.inFlight]).toEqual([false, 1]);
    abort.abort();
    // The hang lets go only when the client does; what it answers then (503) reaches no one over HTTP.
    expect(await response.then((r) => r.status, () => "aborted")).toBe(503);
    expect(fake.messages).toEqual([]);
  });
});
