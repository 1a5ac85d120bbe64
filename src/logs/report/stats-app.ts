/**
 * The `--stats-addr` endpoints as a hono app: `/healthz` (is the collector up, which sockets fail)
 * and `/metrics` (Prometheus text). Tests call `app.request()`; serve-logs serves it with serveHttp.
 * @module
 */
import { Hono } from "hono";
import { type ProcessFigures, renderMetrics } from "./metrics.ts";
import type { ServeSnapshot } from "./snapshot.ts";

/** Where the app reads its figures, at request time. */
export interface StatsSource {
  serves(): readonly ServeSnapshot[];
  process(): ProcessFigures;
}

/**
 * Builds the app. `/healthz` answers 200 while the process runs (a serve whose socket cannot be bound
 * does not make the collector unhealthy for the other tenants); its JSON says `degraded` and lists
 * such sockets, and spools that cannot write (full disk, unwritable directory) or skipped damaged entries.
 */
/** Spools that cannot write now, or that skipped damaged entries. */
function spoolTroubles(
  serves: readonly ServeSnapshot[],
): Array<{ socket: string; identity: string; problem?: string; damage?: string }> {
  return serves.flatMap((s) => {
    const { problem, damage } = s.spool ?? {};
    return problem || damage
      ? [{ socket: s.socketPath, identity: s.identity, ...(problem ? { problem } : {}), ...(damage ? { damage } : {}) }]
      : [];
  });
}

export function createStatsApp(source: StatsSource): Hono {
  const app = new Hono();
  app.get("/healthz", (c) => {
    const serves = source.serves();
    const notListening = serves.filter((s) => !s.listening && !s.drainOnly).map((s) => s.socketPath);
    const spool = spoolTroubles(serves);
    const status = notListening.length === 0 && spool.length === 0 ? "ok" : "degraded";
    return c.json({ status, serves: serves.length, notListening, ...(spool.length > 0 ? { spool } : {}) });
  });
  app.get("/metrics", (c) => {
    c.header("Content-Type", "text/plain; version=0.0.4; charset=utf-8");
    return c.body(renderMetrics(source.serves(), source.process()));
  });
  return app;
}
