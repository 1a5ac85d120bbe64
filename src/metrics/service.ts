/**
 * `posemo serve-metrics` without the listening: the hosts and checks (resolved once, as `posemo check`
 * resolves them, so a bad configuration fails at start), the shared run that limits how often they
 * run, and the hono app. Tests drive the app with `app.request()`.
 * @module
 */
import type { Hono } from "hono";
import {
  checkTargets,
  commandLineChecks,
  fleetConcurrency,
  lateCustom,
  type LatePlanner,
  learnDuringRun,
  type TargetFlags,
} from "../check/targets.ts";
import { withCustomChecks } from "../catalogue/custom.ts";
import type { CheckDefinition } from "../catalogue/definition.ts";
import type { PosemoConfig } from "../config/parse.ts";
import { type FleetTarget, runFleet } from "../check/fleet.ts";
import type { FleetReport } from "../check/result.ts";
import { realConnectionEnvironment } from "../config/environment.ts";
import { createMetricsApp } from "./app.ts";
import { createSharedRun, type SharedRun } from "./shared-run.ts";
import { formatPrometheus } from "../output/prometheus.ts";

/** What the service needs from the process. */
export interface MetricsServiceSources {
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly warn: (line: string) => void;
  /** posemo's version, which the installed functions must match. */
  readonly version: string;
}

/** The catalogue the service runs and the configuration file, if any (see src/cli/custom-catalogue.ts). */
export interface MetricsCatalogue {
  readonly catalogue: readonly CheckDefinition[];
  readonly config: PosemoConfig | undefined;
  /** For checks the binary does not know: each host's plan once its session told its custom checks. */
  readonly late?: LatePlanner;
}

/** What the service reads of the command line. */
export interface MetricsFlags extends TargetFlags {
  /** Scrapes within this many milliseconds of the last run get its result. */
  readonly minInterval: number;
}

/** The service: its app, the gate in front of the checks, and the hosts it checks. */
export interface MetricsService {
  readonly app: Hono;
  readonly shared: SharedRun<FleetReport>;
  readonly targets: readonly FleetTarget[];
}

/**
 * Resolves the hosts and builds the app; throws UserError for bad flags or configuration. `known` is
 * the catalogue with any custom checks learnt beforehand and the configuration (see src/cli/custom-catalogue.ts); `--check all` also learns
 * each server's custom checks on every run, so one installed later is served without a restart.
 */
export function metricsService(
  flags: MetricsFlags,
  sources: MetricsServiceSources,
  known: MetricsCatalogue,
): MetricsService {
  const config = known.config;
  const connectionEnv = realConnectionEnvironment(sources.env, sources.warn);
  const plan = (checks: readonly CheckDefinition[]) =>
    commandLineChecks(checks, flags.check, undefined, undefined, flags.arg);
  const commandLine = known.late ? commandLineChecks(known.catalogue, flags.check) : plan(known.catalogue);
  const learnt = new Map<string, CheckDefinition>();
  // A host that lacks a named custom check, or whose plan is refused, reports it "not installed": the service keeps serving.
  const found = lateCustom();
  const targets = learnDuringRun(
    checkTargets(flags, { config, connectionEnv, commandLine, version: sources.version }),
    known.catalogue,
    learnt,
    known.late?.(plan, found),
  );
  const concurrency = fleetConcurrency(flags, config);
  const shared = createSharedRun({ run: () => runFleet(targets, { concurrency }), minIntervalMs: flags.minInterval });
  const formatted = async () =>
    formatPrometheus((await shared.latest()).value, {
      catalogue: withCustomChecks(known.catalogue, [...found.learnt.values(), ...learnt.values()]),
    });
  const app = createMetricsApp({ metrics: formatted, warn: sources.warn });
  return { app, shared, targets };
}
