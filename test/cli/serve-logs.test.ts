/**
 * `posemo serve-logs` as a real process, fed by the pg_logfebe test sender, forwarding into a real
 * `posemo fake-logplexd --record` over loopback HTTP. Startup errors run in process.
 */
import { afterEach, describe, expect, test } from "bun:test";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fixtureNames, readFixture } from "../../dev/fixtures.ts";
import {
  decodeFixture,
  expectedMessages,
  expectJsonMatchesRecord,
  withoutReceiveTime,
} from "../harness/expected-messages.ts";
import { sendFrames } from "../../dev/logfebe-sender.ts";
import { runCli } from "../harness/cli.ts";
import {
  type Child,
  type RecordedMessage,
  startFakeLogplexd,
  startServeLogs,
  tempServeDirs,
  waitFor,
  writeServesNew,
} from "../../dev/log-processes.ts";
import type { LogFormat } from "../../src/logs/logplex/format.ts";
import { countersBalance } from "../../src/logs/stats.ts";

const FORMATS: readonly LogFormat[] = ["legacy", "heroku", "json"];
const SECRET = "t.test-token";
const setups: Array<ReturnType<typeof tempServeDirs>> = [];
const children: Child[] = [];

afterEach(async () => {
  await Promise.all(children.splice(0).map((child) => child.stop("SIGKILL")));
  for (const setup of setups.splice(0)) setup.cleanup();
});

function startSetup() {
  const setup = tempServeDirs();
  setups.push(setup);
  return setup;
}

async function fake(dir: string, extra: string[] = []) {
  const f = await startFakeLogplexd(dir, extra, SECRET);
  children.push(f.child);
  return f;
}

async function serveLogs(db: string, extra: string[] = [], env: Record<string, string> = {}) {
  const s = await startServeLogs(db, extra, env);
  children.push(s.child);
  return s;
}

function readIfPresent(path: string): string | undefined {
  return existsSync(path) ? readFileSync(path, "utf8") : undefined;
}

/** Which serve a recorded message came from: heroku and json put the serve name in HOSTNAME. */
function serveOf(message: RecordedMessage): string {
  return message.hostname === "postgres" ? "legacy" : message.hostname;
}

describe("serve-logs forwards the fixtures", () => {
  test(
    "serve-logs forwards every record of every fixture in order, in every format, matching the decoded fixture field for field",
    async () => {
      const setup = startSetup();
      const logplex = await fake(setup.root);
      const serves = FORMATS.map((format) => ({
        i: "e2e identity",
        p: setup.socket(format),
        url: logplex.url,
        name: format,
        format,
      }));
      writeFileSync(join(setup.db, "serves.loaded"), JSON.stringify({ serves }));
      const sl = await serveLogs(setup.db, ["--max-in-flight", "1", "--flush-interval", "50ms"]);
      const fixtures = fixtureNames().map((name) => ({ name, decoded: decodeFixture(name) }));
      const total = fixtures.reduce((n, f) => n + f.decoded.records.length, 0);
      await Promise.all(
        FORMATS.flatMap((format) =>
          fixtures.map((f) => sendFrames(setup.socket(format), readFixture(f.name), { chunkSize: 1000 }))
        ),
      );
      const counters = await waitFor(
        async () => {
          const all = await sl.counters();
          return FORMATS.every((format) => all.get(setup.socket(format))?.forwarded === total) ? all : undefined;
        },
        30_000,
        () => "every record forwarded",
      );
      for (const format of FORMATS) {
        expect(counters.get(setup.socket(format))).toMatchObject({
          received: total,
          forwarded: total,
          dropped: 0,
          rejected: 0,
          failed: 0,
          pending: 0,
          lostUpstream: 0,
          connections: fixtures.length,
          protocolErrors: 0,
          truncated: 0,
        });
      }
      const recorded = logplex.recorded();
      for (const format of FORMATS) {
        for (const { decoded } of fixtures) {
          const expected = expectedMessages(decoded, { format, name: format, token: SECRET });
          const procid = `postgres.${decoded.records[0]!.pid}`;
          const got = recorded.filter((m) => serveOf(m) === format && m.procid === procid).map((m) =>
            withoutReceiveTime(m, format)
          );
          expect(got).toEqual(expected.flat().map((m) => withoutReceiveTime(m, format)));
          if (format === "json") {
            expectEveryJsonField(
              got,
              expected.map((messages) => messages.length),
              decoded.records,
            );
          }
        }
      }
    },
    60_000,
  );
});

/** Joins the pieces of each record (long bodies are split) and checks the JSON against the record. */
function expectEveryJsonField(
  got: RecordedMessage[],
  piecesPerRecord: number[],
  records: readonly import("../../src/logs/record.ts").LogRecord[],
): void {
  let at = 0;
  piecesPerRecord.forEach((pieces, index) => {
    const body = got.slice(at, at + pieces).map((m) => m.msg).join("");
    at += pieces;
    expectJsonMatchesRecord(JSON.parse(body), records[index]!);
  });
}

describe("serve-logs startup errors", () => {
  test("serve-logs without a serve database says how to give one", async () => {
    const out = await runCli(["serve-logs"]);
    expect(out.exitCode).toBe(3);
    expect(out.stderr).toBe(
      "posemo: Cannot start serve-logs: no serve database; give --serve-db DIR or set SERVE_DB_DIR\n",
    );
  });

  test("serve-logs names a serve database directory that does not exist", async () => {
    const out = await runCli(["serve-logs"], { SERVE_DB_DIR: "/nonexistent/db" });
    expect(out.stderr).toBe(`posemo: Cannot use serve database "/nonexistent/db": no such directory\n`);
  });

  test("serve-logs refuses a malformed LOGPLEX_URL without printing its password", async () => {
    const setup = startSetup();
    for (const url of [`ftp://token:${SECRET}@h/logs`, `token:${SECRET}@h`, `https://token:${SECRET}@h h/logs`]) {
      const out = await runCli(["serve-logs", "--serve-db", setup.db], { LOGPLEX_URL: url });
      expect(out.exitCode).toBe(3);
      expect(out.stderr).toMatch(/^posemo: Cannot use logplex URL \(.*\) from LOGPLEX_URL: .*\n$/);
      expect(out.stderr).not.toContain(SECRET);
    }
  });

  test("serve-logs refuses an invalid serves.loaded at start, naming the file and the problem", async () => {
    const setup = startSetup();
    writeFileSync(
      join(setup.db, "serves.loaded"),
      JSON.stringify({ serves: [{ i: "x", p: "rel.sock", url: `https://token:${SECRET}@h/logs` }] }),
    );
    const out = await runCli(["serve-logs", "--serve-db", setup.db]);
    expect(out.exitCode).toBe(1);
    expect(out.stderr).toBe(
      `posemo: Cannot load "${
        join(setup.db, "serves.loaded")
      }": Cannot use socket path "rel.sock" for serves[0] ("x"): it must be absolute\n`,
    );
  });

  test("serve-logs names a hostile identity and path of serves.loaded escaped, in one line", async () => {
    const setup = startSetup();
    const identity = `x\n\u001b[2J${"y".repeat(100_000)}`;
    writeFileSync(
      join(setup.db, "serves.loaded"),
      JSON.stringify({ serves: [{ i: identity, p: "rel\r\npath", url: `https://token:${SECRET}@h/logs` }] }),
    );
    const out = await runCli(["serve-logs", "--serve-db", setup.db]);
    expect(out.exitCode).toBe(1);
    expect(out.stderr).toBe(
      `posemo: Cannot load "${join(setup.db, "serves.loaded")}": Cannot use socket path "rel\\r\\npath" for ` +
        `serves[0] ("x\\n\\u001b[2J${"y".repeat(194)}"... (100006 characters)): it must be absolute\n`,
    );
  });

  test("serve-logs rejects bad flag values in one line", async () => {
    const setup = startSetup();
    const cases: Array<[string[], RegExp]> = [
      [["--socket-mode", "999"], /Cannot use "999" as a file mode/],
      [["--flush-bytes", "lots"], /Cannot use "lots" as a size/],
      [["--stats-addr", "localhost"], /Cannot use "localhost" as a listen address/],
      [
        ["--flush-bytes", "2MiB", "--max-pending", "1MiB"],
        /Cannot use --flush-bytes 2097152: it is more than --max-pending \(1048576 bytes\)/,
      ],
      [["--ca-file", "/nonexistent/ca.pem"], /Cannot read CA file "\/nonexistent\/ca.pem": no such file/],
    ];
    for (const [flags, expected] of cases) {
      const out = await runCli(["serve-logs", "--serve-db", setup.db, ...flags]);
      expect(out.exitCode).toBe(3);
      expect(out.stderr).toMatch(expected);
      expect(out.stderr.trim().split("\n")).toHaveLength(1);
    }
  });
});

describe("serve-logs serve database", () => {
  test(
    "serve-logs rejects an invalid serves.new, keeps serving, then accepts a valid one and clears the rejection",
    async () => {
      const setup = startSetup();
      const logplex = await fake(setup.root);
      const a = { i: "e2e identity", p: setup.socket("a"), url: logplex.url, name: "a" };
      writeFileSync(join(setup.db, "serves.loaded"), JSON.stringify({ serves: [a] }));
      const sl = await serveLogs(setup.db);
      const invalid: Array<[object[], string]> = [
        [[a, { ...a, name: "dup" }], `Cannot use socket path "${a.p}" for serves[1]: serves[0] already uses it`],
        [
          [a, { ...a, p: a.p.replace(/\/([^/]+)$/, "/./$1"), name: "dotted" }],
          `Cannot use socket path "${a.p}" for serves[1]: serves[0] already uses it`,
        ],
        [
          [a, { ...a, p: a.p.replace(/\/([^/]+)\/([^/]+)$/, "/$1/../$1//$2"), name: "detour" }],
          `Cannot use socket path "${a.p}" for serves[1]: serves[0] already uses it`,
        ],
        [
          [{ ...a, p: "relative.sock" }],
          `Cannot use socket path "relative.sock" for serves[0] ("e2e identity"): it must be absolute`,
        ],
        [
          [{ i: "e2e identity", p: setup.socket("b"), t: SECRET }],
          `Cannot use serves[0] ("e2e identity"): it gives a token ("t") but LOGPLEX_URL is not set`,
        ],
        [
          [{ ...a, format: "xml" }],
          `Cannot use format "xml" for serves[0] ("e2e identity"): expected legacy, heroku, json`,
        ],
      ];
      for (const [index, [serves, error]] of invalid.entries()) {
        writeServesNew(setup.db, serves);
        sl.hangup();
        await waitFor(
          () =>
            !existsSync(join(setup.db, "serves.new")) && readIfPresent(join(setup.db, "last_error")) === `${error}\n`,
          10_000,
          () => `rejection ${index}`,
        );
        expect(readFileSync(join(setup.db, "serves.rej"), "utf8")).toBe(JSON.stringify({ serves }));
      }
      expect(readFileSync(join(setup.db, "serves.loaded"), "utf8")).toBe(JSON.stringify({ serves: [a] }));
      expect(sl.child.stderr()).not.toContain(SECRET);
      await sendFrames(a.p, readFixture("pg15-checkpointer"));
      await waitFor(async () => (await sl.counters()).get(a.p)?.forwarded === 2, 10_000);

      const b = { i: "e2e identity", p: setup.socket("b"), url: logplex.url, name: "b" };
      writeServesNew(setup.db, [a, b]);
      sl.hangup();
      await waitFor(() => sl.listening(b.p), 10_000, () => "serve b");
      expect(
        existsSync(join(setup.db, "serves.rej")) || existsSync(join(setup.db, "last_error")) ||
          existsSync(join(setup.db, "serves.new")),
      ).toBe(false);
      expect(JSON.parse(readFileSync(join(setup.db, "serves.loaded"), "utf8"))).toEqual({ serves: [a, b] });
      await sendFrames(b.p, readFixture("pg15-checkpointer"));
      const counters = await waitFor(async () => {
        const all = await sl.counters();
        return all.get(b.p)?.forwarded === 2 ? all : undefined;
      }, 10_000);
      expect(counters.get(a.p)?.forwarded).toBe(2); // a was left alone: its counters were not reset
      for (const c of counters.values()) expect(countersBalance(c)).toBe(true);
    },
    60_000,
  );

  test("serve-logs picks up serves.new on the file-system event, without SIGHUP or a poll tick", async () => {
    const setup = startSetup();
    const logplex = await fake(setup.root);
    const sl = await serveLogs(setup.db, ["--poll-interval", "1h"]);
    writeServesNew(setup.db, [{ i: "e2e identity", p: setup.socket("a"), url: logplex.url }]);
    await waitFor(() => sl.listening(setup.socket("a")), 10_000, () => "serve a");
    expect(existsSync(setup.socket("a"))).toBe(true);
  }, 30_000);

  test(
    "serve-logs reports a serve whose socket path is a regular file, keeps that file, and serves the others",
    async () => {
      const setup = startSetup();
      const logplex = await fake(setup.root);
      const blocked = setup.socket("blocked");
      writeFileSync(blocked, "not a socket");
      const serves = [{ i: "e2e identity", p: setup.socket("ok"), url: logplex.url }, {
        i: "e2e identity",
        p: blocked,
        url: logplex.url,
      }];
      writeFileSync(join(setup.db, "serves.loaded"), JSON.stringify({ serves }));
      const sl = await serveLogs(setup.db);
      const health = await (await fetch(`${sl.statsUrl}/healthz`)).json();
      expect(health).toEqual({ status: "degraded", serves: 2, notListening: [blocked] });
      expect(sl.child.stderr()).toContain(
        `Cannot listen on "${blocked}": it exists and is not a socket (not removing it)`,
      );
      expect(readFileSync(blocked, "utf8")).toBe("not a socket");
      await sendFrames(setup.socket("ok"), readFixture("pg15-startup-process"));
      await waitFor(async () => (await sl.counters()).get(setup.socket("ok"))?.forwarded === 1, 10_000);
    },
    30_000,
  );

  test("serve-logs takes LOGPLEX_URL for serves that give a token", async () => {
    const setup = startSetup();
    const logplex = await fake(setup.root);
    const endpoint = new URL(logplex.url);
    endpoint.password = "";
    endpoint.username = "";
    writeFileSync(
      join(setup.db, "serves.loaded"),
      JSON.stringify({ serves: [{ i: "e2e identity", p: setup.socket("t"), t: SECRET }] }),
    );
    const sl = await serveLogs(setup.db, [], { LOGPLEX_URL: endpoint.href });
    await sendFrames(setup.socket("t"), readFixture("pg15-startup-process"));
    await waitFor(async () => (await sl.counters()).get(setup.socket("t"))?.forwarded === 1, 10_000);
    expect(logplex.recorded()).toHaveLength(1);
  }, 30_000);
});

describe("serve-logs shutdown", () => {
  test("serve-logs on SIGTERM stops listening, sends everything pending and exits 0", async () => {
    const setup = startSetup();
    const logplex = await fake(setup.root, ["--delay", "300"]);
    const socket = setup.socket("a");
    writeFileSync(
      join(setup.db, "serves.loaded"),
      JSON.stringify({ serves: [{ i: "e2e identity", p: socket, url: logplex.url }] }),
    );
    const sl = await serveLogs(setup.db, ["--flush-interval", "10s", "--drain-timeout", "10s"]);
    await sendFrames(socket, readFixture("pg15-pgbench-client"));
    const counters = await waitFor(async () => {
      const c = (await sl.counters()).get(socket);
      return c?.received === 1052 ? c : undefined;
    }, 10_000);
    expect(counters.pending).toBeGreaterThan(0); // still buffered: the flush interval is 10 s
    expect(await sl.child.stop("SIGTERM")).toBe(0);
    expect(logplex.recorded()).toHaveLength(1052);
    expect(sl.child.stderr()).toContain("received=1052 forwarded=1052 dropped=0 rejected=0 failed=0 pending=0");
    expect(existsSync(socket)).toBe(false);
  }, 60_000);
});
