/**
 * serve-logs against a database user who controls what PostgreSQL logs: records that would amplify
 * (a statement of a million newlines, a megabyte without one, every field long), bytes that are not
 * UTF-8. Real serve-logs, real sockets, real fake-logplexd recording what it accepted.
 */
import { afterEach, describe, expect, test } from "bun:test";
import type { LogRecord } from "../../src/logs/record.ts";
import { encodeRecord, concat } from "../harness/logfebe-sender.ts";
import { sampleRecord } from "../harness/sample-record.ts";
import { cleanUp, connect, hostileWorld, record, settled, startup } from "../harness/hostile-world.ts";
import type { RecordedMessage } from "../harness/log-processes.ts";

afterEach(cleanUp);

const KiB = 1024;

/** Records a database user can make PostgreSQL log, each under the 1 MiB frame limit, by pid. */
const AMPLIFYING: Record<number, Partial<LogRecord>> = {
  101: { userQuery: `select 1/0 /*${"\n".repeat(1_000_000)}*/` },
  102: { userQuery: "x".repeat(1_000_000) },
  103: { errDetail: "\n".repeat(200_000), errHint: "\n".repeat(200_000), errContext: "\n".repeat(200_000), internalQuery: "\n".repeat(200_000), userQuery: "\n".repeat(200_000) },
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
    test(`${format}: a record over --max-record-bytes is cut, marked and counted; it costs at most ~120 messages and twice the cap in bytes, and the genuine records around it all arrive`, async () => {
      const world = await hostileWorld({ format, flags: ["--max-record-bytes", "64KiB"] });
      const socket = await connect(world.path);
      const hostile = Object.entries(AMPLIFYING).map(([pid, fields], i) => encodeRecord(sampleRecord({ ...fields, pid: Number(pid), seqNum: 100 + i })));
      const genuine = Array.from({ length: 50 }, (_, i) => record({ seqNum: 1 + i, pid: 7 }));
      socket.write(concat([startup(), ...genuine.slice(0, 25), ...hostile, ...genuine.slice(25)]));
      const total = hostile.length + genuine.length;
      const c = await settled(world, (c) => c.forwarded === total, 60_000);
      expect(c).toMatchObject({ received: total, dropped: 0, rejected: 0, failed: 0, truncatedRecords: hostile.length - 1 });
      const groups = byProcess(world.logplex.recorded());
      expect(groups.get("postgres.7")!.length).toBe(format === "heroku" ? 50 * 3 : 50);
      for (const pid of Object.keys(AMPLIFYING)) {
        const messages = groups.get(`postgres.${pid}`)!;
        const bytes = messages.reduce((n, m) => n + Buffer.byteLength(m.msg), 0);
        // Escaping may double text (JSON's \n, the tab heroku puts after each newline); labels cost ~60 bytes a message.
        expect({ pid, messages: messages.length <= 120, bytes: bytes <= 2 * 64 * KiB + 120 * 64 }).toEqual({ pid, messages: true, bytes: true });
        if (pid !== UNDER_CAP) expect(messages.map((m) => m.msg).join("\n")).toMatch(/\.\.\.\[truncated from \d+ bytes\]/);
      }
    }, 90_000);
  }

  test("a serve's \"max_record_bytes\" overrides the flag", async () => {
    const world = await hostileWorld({ format: "legacy", serve: { max_record_bytes: 2048 } });
    const socket = await connect(world.path);
    socket.write(concat([startup(), record({ userQuery: "y".repeat(10_000) })]));
    const c = await settled(world, (c) => c.forwarded === 1);
    expect(c).toMatchObject({ truncatedRecords: 1 });
    const [message] = world.logplex.recorded();
    expect(Buffer.byteLength(message!.msg)).toBeLessThanOrEqual(2048 + 64);
    expect(message!.msg).toContain("...[truncated from 10000 bytes]");
  }, 30_000);

  test("bytes that are not UTF-8 are forwarded as U+FFFD and the record still arrives", async () => {
    const world = await hostileWorld({ format: "heroku" });
    const frame = encodeRecord(sampleRecord({ errMessage: "bad \u0001\u0002 bytes", pid: 9 }));
    const at = frame.indexOf(0x01);
    frame.set([0xff, 0xc3], at); // 0xff is never UTF-8; 0xc3 starts a sequence that is not finished
    const socket = await connect(world.path);
    socket.write(concat([startup(), frame]));
    await settled(world, (c) => c.forwarded === 1);
    expect(world.logplex.recorded()[0]!.msg).toContain("ERROR:  bad \uFFFD\uFFFD bytes");
  }, 30_000);
});
