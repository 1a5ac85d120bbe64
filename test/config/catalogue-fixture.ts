/**
 * A small hand-made catalogue for the configuration tests, so their exact messages do not change when
 * real checks gain columns: multi-row percentages with default thresholds, a multi-column check
 * without any, sizes, a boolean, and a check whose columns have different units.
 * @module
 */
import type { CheckDefinition, ColumnDefinition, Unit } from "../../src/catalogue/definition.ts";

function check(
  name: string,
  unit: Unit,
  columns: ColumnDefinition[],
  extra: Partial<CheckDefinition> = {},
): CheckDefinition {
  return {
    name,
    description: `the ${name} check`,
    columns,
    unit,
    arguments: [],
    counter: false,
    writes: false,
    role: "any",
    scope: "cluster",
    language: "sql",
    variants: [{ minMajor: 12, body: "SELECT 1", hash: "x" }],
    ...extra,
  };
}

/** The fixture catalogue. */
export const fixtureCatalogue: readonly CheckDefinition[] = [
  check("alive", "", [{ name: "alive", type: "boolean" }]),
  check("cache_hit_ratio", "%", [{ name: "database", type: "text" }, { name: "cache_hit_ratio", type: "real" }], {
    titleColumn: "database",
    thresholds: { columns: ["cache_hit_ratio"], warning: "80:", critical: "60:" },
    min: 0,
    max: 100,
  }),
  check("activity", "", [{ name: "database", type: "text" }, { name: "active", type: "integer" }, {
    name: "idle",
    type: "integer",
  }, { name: "idle_in_transaction", type: "integer" }], { titleColumn: "database" }),
  check("db_size", "B", [{ name: "database", type: "text" }, { name: "size", type: "bigint" }], {
    titleColumn: "database",
  }),
  check("standby_lag", "s", [{ name: "receive_replay_bytes", type: "numeric", unit: "B" }, {
    name: "lag_seconds",
    type: "double precision",
    unit: "s",
  }], {
    thresholds: { columns: ["lag_seconds"], warning: "60", critical: "300" },
  }),
  check("mixed", "s", [{ name: "seconds", type: "integer" }, { name: "bytes", type: "bigint", unit: "B" }]),
  check("backup_age", "s", [{ name: "backup_age", type: "integer" }]),
];
