/**
 * `posemo serve-metrics`: serves the checks as Prometheus metrics until SIGTERM/SIGINT. The first
 * stdout line is the metrics URL, so scripts can read the port when `--listen` asked for port 0.
 * @module
 */
import type { CliContext } from "../context.ts";
import { complain, say } from "../context.ts";
import { UserError } from "../../errors.ts";
import type { ServeMetricsFlags } from "./serve-metrics.ts";
import { metricsService } from "../metrics-service.ts";
import { runCatalogue } from "../custom-catalogue.ts";
import { realConnectionEnvironment } from "../../config/environment.ts";
import { serveHttp, type HttpServer } from "../../http/serve.ts";
import { POSEMO_VERSION } from "../../version.ts";

const REASONS: Record<string, string> = { EADDRINUSE: "address in use", EADDRNOTAVAIL: "address not available on this machine", EACCES: "permission denied" };

async function listen(handler: (request: Request) => Response | Promise<Response>, address: ServeMetricsFlags["listen"]): Promise<HttpServer> {
  try {
    return await serveHttp(handler, address);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? "";
    throw new UserError(`Cannot listen on ${address.hostname}:${address.port}: ${REASONS[code] ?? (code || (error as Error).message)}`);
  }
}

function stopped(signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => (signal.aborted ? resolve() : signal.addEventListener("abort", () => resolve(), { once: true })));
}

export default async function serveMetrics(this: CliContext, flags: ServeMetricsFlags): Promise<void> {
  const sources = { env: this.process.env, warn: (line: string) => complain(this, line), version: POSEMO_VERSION };
  const world = realConnectionEnvironment(this.process.env, sources.warn);
  const known = await runCatalogue(flags, { env: this.process.env, world, version: POSEMO_VERSION });
  const service = metricsService(flags, sources, known);
  const server = await listen(service.app.fetch, flags.listen);
  say(this, `${server.url}/metrics`);
  complain(this, `posemo serve-metrics: ${service.targets.length} host(s), checks run at most every ${flags.minInterval / 1000} s`);
  await stopped(this.stopSignal);
  await server.close();
}
