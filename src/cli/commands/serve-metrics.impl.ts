/**
 * `posemo serve-metrics`: serves the checks as Prometheus metrics until SIGTERM/SIGINT. The first
 * stdout line is the metrics URL, so scripts can read the port when `--listen` asked for port 0.
 * SIGHUP reads the configuration (and the servers' custom checks) again; a configuration that is
 * refused leaves the running one in place, so a typo never takes monitoring down.
 * @module
 */
import type { CliContext } from "../context.ts";
import { complain, say } from "../context.ts";
import { UserError } from "../../errors.ts";
import type { ServeMetricsFlags } from "./serve-metrics.ts";
import { type MetricsService, metricsService } from "../../metrics/service.ts";
import { runCatalogue } from "../custom-catalogue.ts";
import { onHangup } from "../hangup.ts";
import { escapeControlCharacters } from "../log-line.ts";
import { realConnectionEnvironment } from "../../config/environment.ts";
import { type HttpServer, serveHttp } from "../../http/serve.ts";
import { POSEMO_VERSION } from "../../version.ts";

const REASONS: Record<string, string> = {
  EADDRINUSE: "address in use",
  EADDRNOTAVAIL: "address not available on this machine",
  EACCES: "permission denied",
};

async function listen(
  handler: (request: Request) => Response | Promise<Response>,
  address: ServeMetricsFlags["listen"],
): Promise<HttpServer> {
  try {
    return await serveHttp(handler, address);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? "";
    throw new UserError(
      `Cannot listen on ${address.hostname}:${address.port}: ${REASONS[code] ?? (code || (error as Error).message)}`,
    );
  }
}

function stopped(signal: AbortSignal): Promise<void> {
  return new Promise((
    resolve,
  ) => (signal.aborted ? resolve() : signal.addEventListener("abort", () => resolve(), { once: true })));
}

/** Builds the service from the flags, the configuration file and the servers' custom checks as they are now. */
function serviceBuilder(context: CliContext, flags: ServeMetricsFlags): () => Promise<MetricsService> {
  const sources = {
    env: context.process.env,
    warn: (line: string) => complain(context, line),
    version: POSEMO_VERSION,
  };
  return async () => {
    const connectionEnv = realConnectionEnvironment(context.process.env, sources.warn);
    const known = await runCatalogue(flags, { env: context.process.env, connectionEnv, version: POSEMO_VERSION });
    return metricsService(flags, sources, known);
  };
}

function describe(service: MetricsService, flags: ServeMetricsFlags): string {
  return `${service.targets.length} host(s), checks run at most every ${flags.minInterval / 1000} s`;
}

export default async function serveMetrics(this: CliContext, flags: ServeMetricsFlags): Promise<void> {
  const build = serviceBuilder(this, flags);
  let service = await build();
  const server = await listen((request) => service.app.fetch(request), flags.listen);
  say(this, `${server.url}/metrics`);
  complain(this, `posemo serve-metrics: ${describe(service, flags)}`);
  let reloading = Promise.resolve();
  const reload = async () => {
    try {
      service = await build();
      complain(this, `posemo serve-metrics: reloaded: ${describe(service, flags)}`);
    } catch (error) {
      complain(
        this,
        `posemo serve-metrics: reload refused, still serving the previous configuration: ${
          escapeControlCharacters((error as Error).message)
        }`,
      );
    }
  };
  const stopHangups = onHangup(() => void (reloading = reloading.then(reload)));
  await stopped(this.stopSignal);
  stopHangups();
  await reloading;
  await server.close();
}
