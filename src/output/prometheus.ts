/**
 * Prometheus text exposition (format 0.0.4), for node_exporter's textfile collector and for
 * `posemo serve-metrics`. Names follow Prometheus' conventions: `posemo_<check>[_<column>]` in base
 * units with the unit as suffix (`%` → `_ratio` 0-1, `ms` and `s` → `_seconds`, `B` → `_bytes`),
 * counters end in `_total`, booleans are 1/0 gauges without a unit; labels `host` and the row (`database` for per-database rows, `!TOTAL`
 * kept as it is). A value without a value is left out rather than exported as 0 or NaN. Pure.
 * @module
 */
import {
  type CheckResult,
  type FleetReport,
  type HostReport,
  type Measurement,
  STATUS_CODES,
} from "../check/result.ts";
import type { CheckDefinition } from "../catalogue/definition.ts";
import { escapeLabelValue } from "../safe-text.ts";

/** What the exposition needs from the catalogue: which checks count, and what their rows are. */
export interface PrometheusOptions {
  /** Check definitions by name (counters become `_total` counters); default: none, units decide. */
  readonly catalogue?: readonly CheckDefinition[];
}

interface Family {
  readonly name: string;
  readonly type: "gauge" | "counter";
  readonly help: string;
  readonly samples: string[];
}

type Labels = readonly (readonly [string, string])[];

const UNITS: Readonly<Record<Measurement["unit"], { suffix: string; factor: number }>> = {
  "": { suffix: "", factor: 1 },
  c: { suffix: "", factor: 1 },
  "%": { suffix: "_ratio", factor: 0.01 },
  ms: { suffix: "_seconds", factor: 0.001 },
  s: { suffix: "_seconds", factor: 1 },
  B: { suffix: "_bytes", factor: 1 },
};

/** HELP text with `\` and newlines escaped. */
export function escapeHelp(text: string): string {
  return text.replace(/\\/g, "\\\\").replace(/\n/g, "\\n");
}

/** A metric or label name: characters outside `[a-zA-Z0-9_]` become `_`, never a leading digit. */
export function metricIdentifier(name: string): string {
  const cleaned = name.replace(/[^a-zA-Z0-9_]/g, "_");
  return /^[0-9]/.test(cleaned) ? `_${cleaned}` : cleaned;
}

/** A sample value: booleans as 1/0, scaled numbers without binary noise (0.712, not 0.7120000000000001). */
export function sampleValue(value: number | boolean, factor = 1): string {
  if (typeof value === "boolean") return value ? "1" : "0";
  if (factor === 1) return String(value);
  return String(Number((value * factor).toPrecision(15)));
}

function labelText(labels: Labels): string {
  return labels.length === 0 ? "" : `{${labels.map(([k, v]) => `${k}="${escapeLabelValue(v)}"`).join(",")}}`;
}

/** Suffixes Prometheus reserves for counters, histograms and summaries; a gauge must not end in one. */
const RESERVED_SUFFIX = /_(total|count|sum|bucket)$/;

/**
 * `posemo_<check>[_<column>]<unit suffix>[_total]`, the column left out when it is the check's name.
 * A gauge whose name would end in a reserved suffix (a `total` column) gets `_current` appended.
 */
export function familyName(check: string, m: Pick<Measurement, "column" | "unit">, counter: boolean): string {
  const base = metricIdentifier(["posemo", check, ...(m.column !== check ? [m.column] : [])].join("_"));
  const suffix = UNITS[m.unit].suffix;
  const withUnit = suffix && !base.endsWith(suffix) ? base + suffix : base;
  if (counter) return withUnit.endsWith("_total") ? withUnit : `${withUnit}_total`;
  return RESERVED_SUFFIX.test(withUnit) ? `${withUnit}_current` : withUnit;
}

/**
 * Counters: values in the counter unit `c`, and every non-boolean value of a check the catalogue
 * marks as counting (its times and bytes are cumulative too). Without the catalogue, `c` alone.
 */
export function isCounter(
  m: Pick<Measurement, "unit" | "value">,
  definition: Pick<CheckDefinition, "counter"> | undefined,
): boolean {
  return m.unit === "c" || (definition?.counter === true && typeof m.value !== "boolean");
}

function rowLabel(definition: CheckDefinition | undefined): string {
  const name = definition?.titleColumn ?? (definition?.scope === "database" ? "database" : "row");
  return name === "host" || name === "check" ? "row" : metricIdentifier(name);
}

const UNIT_WORDS: Readonly<Record<Measurement["unit"], string>> = {
  "": "",
  c: "",
  "%": " (ratio 0-1)",
  ms: " (seconds)",
  s: " (seconds)",
  B: " (bytes)",
};

function help(result: CheckResult, m: Measurement): string {
  const what = m.column === result.name ? result.name : `${result.name}.${m.column}`;
  return `${what}${UNIT_WORDS[m.unit]}: ${result.description}`;
}

class Exposition {
  readonly #families = new Map<string, Family>();

  add(name: string, type: Family["type"], help: string, labels: Labels, value: string): void {
    let family = this.#families.get(name);
    if (!family) this.#families.set(name, family = { name, type, help, samples: [] });
    family.samples.push(`${name}${labelText(labels)} ${value}`);
  }

  render(): string {
    const blocks = [...this.#families.values()].map((f) =>
      [`# HELP ${f.name} ${escapeHelp(f.help)}`, `# TYPE ${f.name} ${f.type}`, ...f.samples].join("\n")
    );
    return blocks.length === 0 ? "" : blocks.join("\n") + "\n";
  }
}

function addValues(
  out: Exposition,
  host: HostReport,
  result: CheckResult,
  definition: CheckDefinition | undefined,
): void {
  for (const m of result.measurements) {
    if (m.value === null) continue;
    const shown = typeof m.value === "boolean" ? { ...m, unit: "" as const } : m; // booleans carry no unit
    const counter = isCounter(m, definition);
    const labels: Labels = [
      ["host", host.name],
      ...(m.title !== undefined ? [[rowLabel(definition), m.title] as const] : []),
    ];
    out.add(
      familyName(result.name, shown, counter),
      counter ? "counter" : "gauge",
      help(result, shown),
      labels,
      sampleValue(m.value, UNITS[shown.unit].factor),
    );
  }
}

function addHost(out: Exposition, host: HostReport, catalogue: readonly CheckDefinition[]): void {
  const run = host.report;
  const labels: Labels = [["host", host.name]];
  out.add(
    "posemo_up",
    "gauge",
    "1 when the server accepted posemo's login, else 0.",
    labels,
    run.serverVersion !== undefined ? "1" : "0",
  );
  out.add(
    "posemo_run_duration_seconds",
    "gauge",
    "How long the run against this host took.",
    labels,
    sampleValue(run.durationMs, 0.001),
  );
  out.add(
    "posemo_run_timestamp_seconds",
    "gauge",
    "When the run against this host started, in seconds since the epoch.",
    labels,
    sampleValue(run.startedAt.getTime(), 0.001),
  );
  for (const result of run.results) {
    const status = String(STATUS_CODES[result.status]);
    out.add("posemo_check_status", "gauge", "Check status: 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN.", [...labels, [
      "check",
      result.name,
    ]], status);
  }
  for (const result of run.results) addValues(out, host, result, catalogue.find((c) => c.name === result.name));
}

/** Renders a fleet as Prometheus text exposition (ends with a newline). */
export function formatPrometheus(fleet: FleetReport, options: PrometheusOptions = {}): string {
  const out = new Exposition();
  for (const host of fleet.hosts) addHost(out, host, options.catalogue ?? []);
  return out.render();
}
