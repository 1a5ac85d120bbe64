/**
 * `posemo serve-metrics` without the listening: the hosts and checks (resolved once, as `posemo check`
 * resolves them, so a bad configuration fails at start), the shared run that limits how often they
 * run, and the hono app. Tests drive the app with `app.request()`.
 * @module
 */
import type { Hono } from "hono";
import type { ServeMetricsFlags } from "./commands/serve-metrics.ts";
import { checkTargets, commandLineChecks, fleetConcurrency } from "./check-targets.ts";
import { commandConfig } from "./load-config.ts";
import { catalogue } from "../catalogue/catalogue.generated.ts";
import { runFleet, type FleetTarget } from "../check/fleet.ts";
import type { FleetReport } from "../check/result.ts";
import { realConnectionEnvironment } from "../config/environment.ts";
import { createMetricsApp } from "../metrics/app.ts";
import { createSharedRun, type SharedRun } from "../metrics/shared-run.ts";
import { formatPrometheus } from "../output/prometheus.ts";

/** What the service needs from the process. */
export interface MetricsServiceSources {
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly warn: (line: string) => void;
  /** posemo's version, which the installed functions must match. */
  readonly version: string;
}

/** The service: its app, the gate in front of the checks, and the hosts it checks. */
export interface MetricsService {
  readonly app: Hono;
  readonly shared: SharedRun<FleetReport>;
  readonly targets: readonly FleetTarget[];
}

/** Resolves the hosts and builds the app; throws UserError for bad flags or configuration. */
export function metricsService(flags: ServeMetricsFlags, sources: MetricsServiceSources): MetricsService {
  const config = commandConfig({ path: flags.config, env: sources.env, catalogue });
  const world = realConnectionEnvironment(sources.env, sources.warn);
  const targets = checkTargets(flags, { config, world, line: commandLineChecks(flags.check, undefined, undefined, flags.arg), version: sources.version });
  const concurrency = fleetConcurrency(flags, config);
  const shared = createSharedRun({ run: () => runFleet(targets, { concurrency }), minIntervalMs: flags.minInterval });
  const app = createMetricsApp({ metrics: async () => formatPrometheus((await shared.latest()).value, { catalogue }), warn: sources.warn });
  return { app, shared, targets };
}
