/**
 * serve-logs against a database user who controls what PostgreSQL logs: records that would amplify
 * (a statement of a million newlines, a megabyte without one, every field long), bytes that are not
 * UTF-8. Real serve-logs, real sockets, real fake-logplexd recording what it accepted.
 */
import { afterEach, describe, expect, test } from "bun:test";
import type { LogRecord } from "../../src/logs/record.ts";
import { concat, encodeRecord } from "../../dev/logfebe-sender.ts";
import { sampleRecord } from "../../dev/sample-record.ts";
import { cleanUp, connect, record, settled, startHostileServeLogs, startup } from "../harness/hostile-serve-logs.ts";
import type { RecordedMessage } from "../../dev/log-processes.ts";

afterEach(cleanUp);

const KiB = 1024;

/** Records a database user can make PostgreSQL log, each under the 1 MiB frame limit, by pid. */
const AMPLIFYING: Record<number, Partial<LogRecord>> = {
  101: { userQuery: `select 1/0 /*${"\n".repeat(1_000_000)}*/` },
  102: { userQuery: "x".repeat(1_000_000) },
  103: {
    errDetail: "\n".repeat(200_000),
    errHint: "\n".repeat(200_000),
    errContext: "\n".repeat(200_000),
    internalQuery: "\n".repeat(200_000),
    userQuery: "\n".repeat(200_000),
  },
  104: { userQuery: "é\n".repeat(300_000) },
  105: { userQuery: "\n".repeat(6000) }, // under the cap: not cut, but still not 6,000 messages
};
const UNDER_CAP = "105";

function byProcess(messages: readonly RecordedMessage[]): Map<string, RecordedMessage[]> {
  const groups = new Map<string, RecordedMessage[]>();
  for (const m of messages) groups.set(m.procid, [...(groups.get(m.procid) ?? []), m]);
  return groups;
}

describe("amplification", () => {
  for (const format of ["heroku", "legacy", "json"]) {
    test(
      `${format}: a record over --max-record-bytes is cut, marked and counted; it costs at most ~120 messages and twice the cap in bytes, and the genuine records around it all arrive`,
      async () => {
        const setup = await startHostileServeLogs({ format, flags: ["--max-record-bytes", "64KiB"] });
        const socket = await connect(setup.path);
        const hostile = Object.entries(AMPLIFYING).map(([pid, fields], i) =>
          encodeRecord(sampleRecord({ ...fields, pid: Number(pid), seqNum: 100 + i }))
        );
        const genuine = Array.from({ length: 50 }, (_, i) => record({ seqNum: 1 + i, pid: 7 }));
        socket.write(concat([startup(), ...genuine.slice(0, 25), ...hostile, ...genuine.slice(25)]));
        const total = hostile.length + genuine.length;
        const c = await settled(setup, (c) => c.forwarded === total, 60_000);
        expect(c).toMatchObject({
          received: total,
          dropped: 0,
          rejected: 0,
          failed: 0,
          truncatedRecords: hostile.length - 1,
        });
        const groups = byProcess(setup.logplex.recorded());
        expect(groups.get("postgres.7")!.length).toBe(format === "heroku" ? 50 * 3 : 50);
        for (const pid of Object.keys(AMPLIFYING)) {
          const messages = groups.get(`postgres.${pid}`)!;
          const bytes = messages.reduce((n, m) => n + Buffer.byteLength(m.msg), 0);
          // Escaping may double text (JSON's \n, the tab heroku puts after each newline); labels cost ~60 bytes a message.
          expect({ pid, messages: messages.length <= 120, bytes: bytes <= 2 * 64 * KiB + 120 * 64 }).toEqual({
            pid,
            messages: true,
            bytes: true,
          });
          if (pid !== UNDER_CAP) {
            expect(messages.map((m) => m.msg).join("\n")).toMatch(/\.\.\.\[truncated from \d+ bytes\]/);
          }
        }
      },
      90_000,
    );
  }

  test('a serve\'s "max_record_bytes" overrides the flag', async () => {
    const setup = await startHostileServeLogs({ format: "legacy", serve: { max_record_bytes: 2048 } });
    const socket = await connect(setup.path);
    socket.write(concat([startup(), record({ userQuery: "y".repeat(10_000) })]));
    const c = await settled(setup, (c) => c.forwarded === 1);
    expect(c).toMatchObject({ truncatedRecords: 1 });
    const [message] = setup.logplex.recorded();
    expect(Buffer.byteLength(message!.msg)).toBeLessThanOrEqual(2048 + 64);
    expect(message!.msg).toContain("...[truncated from 10000 bytes]");
  }, 30_000);

  test("bytes that are not UTF-8 are forwarded as U+FFFD and the record still arrives", async () => {
    const setup = await startHostileServeLogs({ format: "heroku" });
    const frame = encodeRecord(sampleRecord({ errMessage: "bad \u0001\u0002 bytes", pid: 9 }));
    const at = frame.indexOf(0x01);
    frame.set([0xff, 0xc3], at); // 0xff is never UTF-8; 0xc3 starts a sequence that is not finished
    const socket = await connect(setup.path);
    socket.write(concat([startup(), frame]));
    await settled(setup, (c) => c.forwarded === 1);
    expect(setup.logplex.recorded()[0]!.msg).toContain("ERROR:  bad \uFFFD\uFFFD bytes");
  }, 30_000);
});

/** RFC 3339 as logplex reads it, with every field in range. */
function validRfc3339(timestamp: string): boolean {
  const m = /^(\d{4})-(\d\d)-(\d\d)T(\d\d):(\d\d):(\d\d)(?:\.\d{1,6})?(?:Z|([+-])(\d\d):(\d\d))$/.exec(timestamp);
  if (!m) return false;
  const [, y, mo, d, h, mi, s, , oh, om] = m.map(Number) as number[];
  const day = new Date(Date.UTC(y!, mo! - 1, d!));
  return day.getUTCMonth() === mo! - 1 && day.getUTCDate() === d && h! <= 23 && mi! <= 59 && s! <= 60 &&
    (Number.isNaN(oh) || (oh! <= 23 && om! <= 59));
}

describe("poisoned header fields", () => {
  const POISONED_TIMES = [
    "2026-11-21 04;32:06.832 UTC",
    "2026-13-01 00:00:00.000 UTC",
    "2026-02-29 12:00:00.000 UTC",
    "2026-11-21 24:00:00.000 UTC",
    "2026-11-21 04:32:06.832 +99",
    "2026-11-21T04:32:06.832Z",
    "",
    "2026-11-21 04:32:06.832 U\u0001C",
    "2026-11-21 04:32:06.832 \u00e9t\u00e9",
    "9999999999-11-21 04:32:06.832 UTC",
    "2026-11-21 04:32:06.8321234 UTC",
    "2026-11-21 04:32:06.832 UTC trailing",
    "\n\n\n",
  ];

  test(
    "a LogTime that is not a valid time is replaced by the receive time and counted; the batch around it is accepted whole",
    async () => {
      const setup = await startHostileServeLogs({
        format: "heroku",
        flags: ["--flush-bytes", "1MiB", "--flush-interval", "200ms"],
      });
      const socket = await connect(setup.path);
      const frames = [startup()];
      let seqNum = 0;
      for (let i = 0; i < 200; i++) {
        frames.push(
          record({
            seqNum: ++seqNum,
            logTime: "2026-11-21 04:32:06.832 UTC",
            errMessage: `genuine ${i}`,
            errDetail: null,
            userQuery: null,
          }),
        );
      }
      POISONED_TIMES.forEach((logTime) =>
        frames.splice(
          1 + Math.floor(Math.random() * 200),
          0,
          record({ seqNum: ++seqNum, logTime, errMessage: "poisoned", errDetail: null, userQuery: null }),
        )
      );
      frames.push(
        record({
          seqNum: ++seqNum,
          logTime: "2026-07-01 06:00:00.000 CEST",
          errMessage: "named zone",
          errDetail: null,
          userQuery: null,
        }),
      );
      socket.write(concat(frames));
      const total = seqNum;
      const c = await settled(setup, (c) => c.forwarded === total);
      expect(c).toMatchObject({ received: total, rejected: 0, invalidTimes: POISONED_TIMES.length });
      const recorded = setup.logplex.recorded();
      expect(recorded.filter((m) => !validRfc3339(m.timestamp))).toEqual([]);
      expect(
        recorded.filter((m) => m.msg.includes("genuine")).every((m) =>
          m.timestamp === "2026-11-21T04:32:06.832000+00:00"
        ),
      ).toBe(true);
      expect(
        recorded.filter((m) => m.msg.includes("poisoned") || m.msg.includes("named zone")).every((m) =>
          !m.timestamp.startsWith("2026-11-21T04:32:06.832")
        ),
      ).toBe(true);
    },
    30_000,
  );
});

test(
  "a serve name or identity that cannot be a syslog HOSTNAME is made one: printable ASCII, no space, at most 255",
  async () => {
    const identity = `id\u00e9 ${"x".repeat(10_000)}`;
    const setup = await startHostileServeLogs({ format: "json", serve: { name: undefined, i: identity } });
    const socket = await connect(setup.path);
    socket.write(concat([startup(identity), record()]));
    await settled(setup, (c) => c.forwarded === 1);
    const [message] = setup.logplex.recorded();
    expect(message!.hostname).toMatch(/^id--x{251}$/);
  },
  30_000,
);

test(
  "a NUL inside a field misaligns the record: that connection is closed as a protocol error, the records before it and every other connection are served",
  async () => {
    const setup = await startHostileServeLogs({ format: "heroku" });
    const genuine = await connect(setup.path);
    genuine.write(concat([startup(), record({ seqNum: 1, sessionId: "genuine" })]));
    const hostile = await connect(setup.path);
    hostile.write(
      concat([
        startup(),
        record({ seqNum: 1, sessionId: "hostile" }),
        record({ seqNum: 2, sessionId: "hostile", errMessage: "a\u0000b" }),
      ]),
    );
    await settled(setup, (c) => c.protocolErrors === 1 && c.forwarded === 2);
    genuine.write(record({ seqNum: 2, sessionId: "genuine" }));
    const c = await settled(setup, (c) => c.forwarded === 3);
    expect(c).toMatchObject({ received: 3, protocolErrors: 1 });
  },
  30_000,
);

test("any pid a frame can carry makes a valid PROCID", async () => {
  const setup = await startHostileServeLogs({ format: "heroku" });
  const socket = await connect(setup.path);
  const pids = [-2147483648, -1, 0, 2147483647];
  socket.write(
    concat([startup(), ...pids.map((pid, i) => record({ pid, seqNum: i + 1, errDetail: null, userQuery: null }))]),
  );
  const c = await settled(setup, (c) => c.forwarded === pids.length);
  expect(c.rejected).toBe(0);
  expect(setup.logplex.recorded().map((m) => m.procid)).toEqual(pids.map((pid) => `postgres.${pid}`));
}, 30_000);

describe("a logplex that refuses some records", () => {
  test(
    "a 400 for a batch is narrowed down by halving: only the records logplex refuses are rejected, every other one is forwarded once and in order",
    async () => {
      const setup = await startHostileServeLogs({
        format: "heroku",
        fakeFlags: ["--refuse", "POISON"],
        flags: ["--flush-bytes", "1MiB", "--flush-interval", "300ms", "--max-in-flight", "1"],
      });
      const socket = await connect(setup.path);
      const poisoned = new Set([17, 500, 501, 998]);
      const frames = [startup()];
      for (let i = 1; i <= 1000; i++) {
        frames.push(
          record({
            seqNum: i,
            errMessage: poisoned.has(i) ? `has POISON in it ${i}` : `genuine ${i}`,
            errDetail: null,
            userQuery: null,
          }),
        );
      }
      socket.write(concat(frames));
      const c = await settled(setup, (c) => c.pending === 0 && c.received === 1000, 60_000);
      expect(c).toMatchObject({ forwarded: 1000 - poisoned.size, rejected: poisoned.size, failed: 0, dropped: 0 });
      const seen = setup.logplex.recorded().map((m) => Number(/genuine (\d+)/.exec(m.msg)?.[1]));
      expect(seen).toEqual(Array.from({ length: 1000 }, (_, i) => i + 1).filter((i) => !poisoned.has(i)));
      expect(setup.sl.child.stderr()).toContain('contains \\"POISON\\" (fault injected)"; 1 records rejected');
    },
    90_000,
  );
});
