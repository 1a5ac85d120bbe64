/**
 * The HTTP side of `posemo serve-metrics`: `GET /metrics` answers the latest run in Prometheus text
 * exposition (running the checks through the shared gate, so scrapes cannot overload the database),
 * `GET /healthz` answers `ok` while the process serves, `GET /` names both. Tests call
 * `app.request()`; the command serves it with serveHttp.
 * @module
 */
import { Hono } from "hono";

/** Content type of the Prometheus text exposition format 0.0.4. */
export const EXPOSITION_CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

/** What the app serves. */
export interface MetricsAppOptions {
  /** The exposition text of the latest run (may run the checks, may reuse a recent run). */
  readonly metrics: () => Promise<string>;
  /** Where a failed collection is reported (one line). @default discard */
  readonly warn?: (line: string) => void;
}

function failure(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Builds the hono app. */
export function createMetricsApp(options: MetricsAppOptions): Hono {
  const app = new Hono();
  app.get("/metrics", async (c) => {
    try {
      return c.body(await options.metrics(), 200, {
        "Content-Type": EXPOSITION_CONTENT_TYPE,
        "Cache-Control": "no-store",
      });
    } catch (error) {
      options.warn?.(`posemo serve-metrics: cannot collect: ${failure(error)}`);
      return c.text(`cannot collect: ${failure(error)}\n`, 500);
    }
  });
  app.get("/healthz", (c) => c.text("ok\n"));
  app.get(
    "/",
    (c) =>
      c.text(
        "posemo serve-metrics\n/metrics  Prometheus text exposition of the posemo checks\n/healthz  ok while serving\n",
      ),
  );
  app.notFound((c) => c.text("not found: see /metrics\n", 404));
  return app;
}
