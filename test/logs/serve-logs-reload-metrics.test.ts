/**
 * /metrics while a changed serve drains: the old generation (still sending to a slow logplex) and the
 * new one on the same socket share labels, so they are one series, and counters never go backwards
 * when the old one finishes. Real serve-logs, real fake-logplexd, real sockets.
 */
import { afterEach, expect, test } from "bun:test";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { concat, encodeIdentity, encodeRecord, encodeVersion, sendFrames } from "../../dev/logfebe-sender.ts";
import { sampleRecord } from "../../dev/sample-record.ts";
import {
  type Child,
  parseMetrics,
  startFakeLogplexd,
  startServeLogs,
  tempServeDirs,
  waitFor,
  writeServesNew,
} from "../../dev/log-processes.ts";
import { countersBalance } from "../../src/logs/stats.ts";

const children: Child[] = [];
const setups: Array<ReturnType<typeof tempServeDirs>> = [];
afterEach(async () => {
  await Promise.all(children.splice(0).map((child) => child.stop("SIGKILL")));
  for (const setup of setups.splice(0)) setup.cleanup();
});

/** Series that appear more than once with the same name and labels. */
function duplicateSeries(text: string): string[] {
  const seen = new Set<string>();
  const duplicates: string[] = [];
  for (const line of text.split("\n")) {
    if (line === "" || line.startsWith("#")) continue;
    const series = line.slice(0, line.lastIndexOf(" "));
    if (seen.has(series)) duplicates.push(series);
    seen.add(series);
  }
  return duplicates;
}

test(
  "a serve changed while its old generation drains is one series per metric, and its counters only grow",
  async () => {
    const setup = tempServeDirs();
    setups.push(setup);
    const slow = await startFakeLogplexd(setup.root, ["--delay", "1500"]);
    children.push(slow.child);
    const serve = { i: "e2e identity", p: setup.socket("web"), url: slow.url, name: "web", format: "heroku" };
    writeFileSync(join(setup.db, "serves.loaded"), JSON.stringify({ serves: [serve] }));
    const sl = await startServeLogs(setup.db, ["--flush-interval", "20ms", "--drain-timeout", "20s"]);
    children.push(sl.child);
    const startup = concat([encodeVersion("PG-15.20/logfebe-1"), encodeIdentity("e2e identity")]);
    const records = (from: number, n: number) =>
      Array.from({ length: n }, (_, i) => encodeRecord(sampleRecord({ seqNum: from + i })));
    await sendFrames(serve.p, [startup, ...records(1, 5)]);
    await waitFor(async () => (await sl.counters()).get(serve.p)?.received === 5 || undefined, 10_000);
    writeServesNew(setup.db, [{ ...serve, format: "json" }]);
    sl.hangup();
    await sl.child.waitForStderr(/serve set applied: 1 opened, 1 closed/);
    await waitFor(() => sl.listening(serve.p), 10_000, () => "the new generation listening");
    await sendFrames(serve.p, [startup, ...records(6, 3)]);
    const during = await waitFor(
      async () => {
        const text = await (await fetch(`${sl.statsUrl}/metrics`)).text();
        return parseMetrics(text).get(serve.p)?.received === 8 ? text : undefined;
      },
      10_000,
      () => "8 received",
    );
    expect(duplicateSeries(during)).toEqual([]);
    expect(parseMetrics(during).get(serve.p)!.forwarded).toBeLessThan(8); // the old generation is still draining
    const after = await waitFor(
      async () => {
        const c = (await sl.counters()).get(serve.p)!;
        return c.forwarded === 8 ? c : undefined;
      },
      20_000,
      () => "all 8 forwarded",
    );
    expect(after).toMatchObject({ received: 8, forwarded: 8, pending: 0, connections: 2 });
    expect(countersBalance(after)).toBe(true);
    await sl.child.waitForStderr(/stats \[web\].*received=5 forwarded=5/); // the old generation's last line: it finished
    const final = await (await fetch(`${sl.statsUrl}/metrics`)).text();
    expect(duplicateSeries(final)).toEqual([]);
    expect(parseMetrics(final).get(serve.p)).toMatchObject({ received: 8, forwarded: 8, connections: 2 });
  },
  60_000,
);
