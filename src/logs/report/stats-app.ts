/**
 * The `--stats-addr` endpoints as a hono app: `/healthz` (is the collector up, which sockets fail)
 * and `/metrics` (Prometheus text). Tests call `app.request()`; serve-logs serves it with serveHttp.
 * @module
 */
import { Hono } from "hono";
import { renderMetrics, type ProcessFigures } from "./metrics.ts";
import type { ServeSnapshot } from "./snapshot.ts";

/** Where the app reads its figures, at request time. */
export interface StatsSource {
  serves(): readonly ServeSnapshot[];
  process(): ProcessFigures;
}

/**
 * Builds the app. `/healthz` answers 200 while the process runs (a serve whose socket cannot be bound
 * does not make the collector unhealthy for the other tenants); its JSON says `degraded` and lists
 * such sockets.
 */
export function createStatsApp(source: StatsSource): Hono {
  const app = new Hono();
  app.get("/healthz", (c) => {
    const serves = source.serves();
    const notListening = serves.filter((s) => !s.listening).map((s) => s.socketPath);
    return c.json({ status: notListening.length === 0 ? "ok" : "degraded", serves: serves.length, notListening });
  });
  app.get("/metrics", (c) => {
    c.header("Content-Type", "text/plain; version=0.0.4; charset=utf-8");
    return c.body(renderMetrics(source.serves(), source.process()));
  });
  return app;
}
