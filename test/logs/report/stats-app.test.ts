import { expect, test } from "bun:test";
import { createStatsApp } from "../../../src/logs/report/stats-app.ts";
import type { ProcessFigures } from "../../../src/logs/report/metrics.ts";
import type { ServeSnapshot } from "../../../src/logs/report/snapshot.ts";
import { statsLine } from "../../../src/logs/report/stats-line.ts";
import { emptyCounters } from "../../../src/logs/stats.ts";

const web: ServeSnapshot = {
  identity: 'db "one"',
  name: "web",
  socketPath: "/run/pg/web.sock",
  listening: true,
  counters: {
    ...emptyCounters(),
    received: 10,
    forwarded: 7,
    dropped: 1,
    pending: 2,
    connections: 3,
    lostUpstream: 4,
    protocolErrors: 5,
  },
  activeConnections: 2,
  truncated: 1,
  stalled: 0,
  refusedConnections: 0,
  truncatedRecords: 0,
  cutBytes: 0,
  invalidTimes: 0,
  bufferedBytes: 512,
  requestsInFlight: 1,
  drainOnly: false,
  spool: undefined,
};
const broken: ServeSnapshot = {
  ...web,
  identity: "db2",
  name: undefined,
  socketPath: "/run/pg/db2.sock",
  listening: false,
  counters: emptyCounters(),
};
const figures: ProcessFigures = {
  reloads: { accepted: 2, rejected: 1 },
  budgetUsedBytes: 512,
  budgetTotalBytes: 1024,
  splitFrameBytes: 0,
  splitFrameEvictions: 0,
};

test("createStatsApp() /metrics has one series per counter per serve, labelled by identity, name and socket", async () => {
  const app = createStatsApp({ serves: () => [web, broken], process: () => figures });
  const response = await app.request("/metrics");
  expect(response.status).toBe(200);
  expect(response.headers.get("content-type")).toStartWith("text/plain; version=0.0.4");
  const text = await response.text();
  const labels = `identity="db \\"one\\"",name="web",socket="/run/pg/web.sock"`;
  for (
    const line of [
      `posemo_serve_received_records_total{${labels}} 10`,
      `posemo_serve_forwarded_records_total{${labels}} 7`,
      `posemo_serve_dropped_records_total{${labels}} 1`,
      `posemo_serve_rejected_records_total{${labels}} 0`,
      `posemo_serve_failed_records_total{${labels}} 0`,
      `posemo_serve_pending_records{${labels}} 2`,
      `posemo_serve_lost_upstream_records_total{${labels}} 4`,
      `posemo_serve_connections_total{${labels}} 3`,
      `posemo_serve_protocol_errors_total{${labels}} 5`,
      `posemo_serve_truncated_connections_total{${labels}} 1`,
      `posemo_serve_active_connections{${labels}} 2`,
      `posemo_serve_listening{identity="db2",name="",socket="/run/pg/db2.sock"} 0`,
      `posemo_servedb_reloads_total{result="rejected"} 1`,
      "# TYPE posemo_serve_received_records_total counter",
      "# TYPE posemo_serve_pending_records gauge",
    ]
  ) expect(text.split("\n")).toContain(line);
});

test("createStatsApp() /healthz is ok when every socket listens and degraded (still 200) when one does not", async () => {
  const healthy = await createStatsApp({ serves: () => [web], process: () => figures }).request("/healthz");
  expect([healthy.status, await healthy.json()]).toEqual([200, { status: "ok", serves: 1, notListening: [] }]);
  const degraded = await createStatsApp({ serves: () => [web, broken], process: () => figures }).request("/healthz");
  expect([degraded.status, await degraded.json()]).toEqual([200, {
    status: "degraded",
    serves: 2,
    notListening: ["/run/pg/db2.sock"],
  }]);
});

test("/metrics labels of a hostile identity, name and socket: one line per sample, no raw control character, only UTF-8", async () => {
  const hostile = {
    ...web,
    identity: 'x"y\\z\nw\r\u001b[31m\u0000\ud800',
    name: "a\u2028b\u0085",
    socketPath: "/run/\t.sock",
  };
  const text = await (await createStatsApp({ serves: () => [hostile], process: () => figures }).request("/metrics"))
    .text();
  const labels =
    'identity="x\\"y\\\\x5cz\\nw\\\\x0d\\\\x1b[31m\\\\x00\\\\ud800",name="a\\\\u2028b\\\\x85",socket="/run/\\\\x09.sock"';
  expect(text.split("\n")).toContain(`posemo_serve_received_records_total{${labels}} 10`);
  // deno-lint-ignore no-control-regex
  expect(text).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u2028\u2029]|[\ud800-\udfff]/u);
});

test("statsLine() adds what hostile input cost once there is any", () => {
  expect(statsLine({ ...web, stalled: 3, truncatedRecords: 2 })).toEndWith(
    " truncated=1 stalled=3 refused_connections=0 cut_records=2 invalid_log_times=0",
  );
});

test("statsLine() shows every counter of a serve on one line", () => {
  expect(statsLine(web)).toBe(
    `serve-logs: stats [web] socket="/run/pg/web.sock" received=10 forwarded=7 dropped=1 rejected=0 failed=0 pending=2 lost_upstream=4 connections=3 active=2 protocol_errors=5 truncated=1`,
  );
});

const spooling: ServeSnapshot = {
  ...web,
  socketPath: "/run/pg/spooled.sock",
  counters: { ...web.counters, spooled: 30, spoolDropped: 6, received: 40 },
  spool: {
    bytes: 4096,
    segments: 2,
    oldestAgeSeconds: 12.5,
    spooling: true,
    failing: true,
    problem: undefined,
    damagedBytes: 0,
    damage: undefined,
  },
};

test("createStatsApp() /metrics shows the spool figures of serves that have a spool, and the total", async () => {
  const app = createStatsApp({
    serves: () => [web, spooling],
    process: () => ({ ...figures, spool: { usedBytes: 4096, totalBytes: 1 << 30 } }),
  });
  const text = await (await app.request("/metrics")).text();
  expect(text).toContain(
    'posemo_serve_spooled_records{identity="db \\"one\\"",name="web",socket="/run/pg/spooled.sock"} 30',
  );
  expect(text).toContain(
    'posemo_serve_spool_dropped_records_total{identity="db \\"one\\"",name="web",socket="/run/pg/spooled.sock"} 6',
  );
  expect(text).toContain(
    'posemo_serve_spool_oldest_record_age_seconds{identity="db \\"one\\"",name="web",socket="/run/pg/spooled.sock"} 12.5',
  );
  expect(text).toContain(
    'posemo_serve_logplex_failing{identity="db \\"one\\"",name="web",socket="/run/pg/spooled.sock"} 1',
  );
  expect(text).not.toContain('posemo_serve_spool_bytes{identity="db \\"one\\"",name="web",socket="/run/pg/web.sock"}');
  expect(text).toContain("posemo_spool_used_bytes 4096\n");
});

test("createStatsApp() /healthz is degraded while a spool cannot write or skipped damage, and says which", async () => {
  const full: ServeSnapshot = {
    ...spooling,
    spool: { ...spooling.spool!, problem: 'cannot write "/s/a/000000000001.seg": ENOSPC (no space left on device)' },
  };
  const app = createStatsApp({ serves: () => [web, full], process: () => figures });
  const body = (await (await app.request("/healthz")).json()) as { status: string; spool: unknown };
  expect(body.status).toBe("degraded");
  expect(body.spool).toEqual([{
    socket: "/run/pg/spooled.sock",
    identity: 'db "one"',
    problem: 'cannot write "/s/a/000000000001.seg": ENOSPC (no space left on device)',
  }]);
});

test("createStatsApp() /healthz does not count a drain-only spool's socket as not listening", async () => {
  const app = createStatsApp({
    serves: () => [web, { ...spooling, listening: false, drainOnly: true }],
    process: () => figures,
  });
  expect(await (await app.request("/healthz")).json()).toMatchObject({ status: "ok", notListening: [] });
});
