/**
 * The shipped catalogue as data: every folder parses, the generated index matches the folders, and
 * the checks follow the conventions the installer and the runner rely on.
 */
import { describe, expect, test } from "bun:test";
import { readdirSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { catalogue } from "../../src/catalogue/catalogue.generated.ts";
import { SUPPORTED_MAJORS, UNKNOWN_REASON, valueColumns, variantFor } from "../../src/catalogue/definition.ts";
import { loadCatalogue } from "../../src/catalogue/load.ts";
import { fillTemplate } from "../../src/install/quote.ts";
import { renderCatalogue } from "../../scripts/gen-catalogue.ts";

const root = resolve(import.meta.dir, "../..");
const checksDir = join(root, "checks");

/** Removing or renaming a check breaks users' Nagios definitions: change this list on purpose. */
const SHIPPED = [
  "activity",
  "alive",
  "allocated_buffers",
  "archiver",
  "autovacuum_workers",
  "backends",
  "backup_age",
  "bgwriter_pressure",
  "blocked_sessions",
  "cache_hit_ratio",
  "checkpoint_time",
  "checkpointer",
  "checkpoints",
  "checksum_failures",
  "connection_limit",
  "crud_count",
  "db_size",
  "deadlocks",
  "idle_in_transaction",
  "index_bloat",
  "invalid_indexes",
  "io",
  "locks",
  "longest_query",
  "longest_transaction",
  "mxid_wraparound",
  "pending_restart",
  "prepared_transactions",
  "primary",
  "read_write_time",
  "recovery_conflicts",
  "replication",
  "replication_slots",
  "replication_slots_at_risk",
  "role_connections",
  "sequences",
  "server_info",
  "standby_lag",
  "statements",
  "subscription_errors",
  "table_bloat",
  "temp_files",
  "transactions",
  "unused_indexes",
  "vacuum_age",
  "wal_files",
  "writeable",
  "xid_wraparound",
  "xmin_horizon",
];

/** Checks that start later than PostgreSQL 12, with the major they need (the view or column they read). */
const LATER_MINIMUM: Record<string, number> = { replication_slots_at_risk: 13, subscription_errors: 15, io: 16 };

/** Names posemo's own objects use in the schema; a check function must not take one. */
const RESERVED = /^posemo_/;

const names = { schema: "s", owner: "o", monitoring: "m", database: "d" };

describe("catalogue folders", () => {
  test("loadCatalogue() parses every folder under checks/", () => {
    const folders = readdirSync(checksDir, { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => e.name)
      .sort();
    expect(loadCatalogue(checksDir).map((c) => c.name)).toEqual(folders);
  });

  // In process: what `scripts/gen-catalogue.ts --check` compares (CI's smoke step runs the script itself).
  test("the generated index is fresh (what scripts/gen-catalogue.ts writes)", () => {
    const committed = readFileSync(join(root, "src/catalogue/catalogue.generated.ts"), "utf8");
    expect(committed === renderCatalogue() ? "fresh" : "stale: run npm run gen").toBe("fresh");
  });

  test("the shipped checks are exactly the expected list", () => {
    expect(catalogue.map((c) => c.name)).toEqual(SHIPPED);
  });
});

describe("catalogue conventions", () => {
  test("check names are unique, valid identifiers and clear of posemo's own objects", () => {
    const all = catalogue.map((c) => c.name);
    expect(new Set(all).size).toBe(all.length);
    for (const name of all) {
      expect(name).toMatch(/^[a-z][a-z0-9_]{0,62}$/);
      expect(name).not.toMatch(RESERVED);
    }
  });

  test.each(catalogue.map((c) => [c.name, c]))(
    "%s has SQL from PostgreSQL 12 (or its declared later minimum) to 18",
    (name, check) => {
      const first = Math.min(...check.variants.map((v) => v.minMajor));
      expect(first).toBe(LATER_MINIMUM[name] ?? 12);
      for (const major of SUPPORTED_MAJORS.filter((m) => m >= first)) expect(variantFor(check, major)).toBeDefined();
    },
  );

  test.each(catalogue.map((c) => [c.name, c]))(
    "%s SQL never contains the body quote $posemo$ and fills its placeholders",
    (_name, check) => {
      for (const variant of check.variants) {
        for (const text of [variant.body, variant.setup ?? "", variant.teardown ?? ""]) {
          expect(text).not.toContain("$posemo$");
          expect(fillTemplate(text, names)).not.toMatch(/\{\{\w+\}\}/);
        }
      }
    },
  );

  test.each(catalogue.map((c) => [c.name, c]))(
    "%s has a description, unique columns and at least one value column",
    (_name, check) => {
      expect(check.description.length).toBeGreaterThan(40);
      const columns = check.columns.map((c) => c.name);
      expect(new Set(columns).size).toBe(columns.length);
      expect(valueColumns(check).filter((c) => c.type !== "text").length).toBeGreaterThan(0);
      const reason = check.columns.find((c) => c.name === UNKNOWN_REASON);
      if (reason) expect(reason.type).toBe("text");
    },
  );

  test.each(catalogue.filter((c) => c.titleColumn === "database" && c.scope === "cluster").map((c) => [c.name, c]))(
    "%s (multi-row by database) is titled by database and takes skip_db_re",
    (_name, check) => {
      expect(check.columns[0]).toEqual({ name: "database", type: "text" });
      expect(check.arguments[0]).toEqual({
        name: "skip_db_re",
        type: "text",
        default: "^template[01]$",
        format: "regex",
      });
      // Rate checks also take the caller that keeps the previous sample.
      expect(check.arguments.slice(1).map((a) => a.name)).toEqual(check.rates ? ["caller"] : []);
    },
  );

  const byObject = catalogue.filter((c) => c.titleColumn && c.titleColumn !== "database" && c.scope === "cluster");
  test.each(byObject.map((c) => [c.name, c]))(
    "%s (multi-row by object: standby, slot, ...) titles in its first column and documents its !TOTAL or !MAX row",
    (_name, check) => {
      expect(check.columns[0]).toEqual({ name: check.titleColumn!, type: "text" });
      expect(check.arguments.some((a) => a.name === "skip_db_re")).toBe(false);
      expect(check.description).toMatch(/!(TOTAL|MAX) (comes first|is|sums|counts)/);
    },
  );

  test.each(catalogue.filter((c) => c.scope === "database").map((c) => [c.name, c]))(
    "%s (database scope) titles objects in its first column, takes top_n and documents its !TOTAL row",
    (_name, check) => {
      expect(check.titleColumn).toBeDefined();
      expect(check.columns[0]).toEqual({ name: check.titleColumn!, type: "text" });
      expect(check.arguments.at(-1)).toEqual({ name: "top_n", type: "integer", default: "10" });
      expect(check.arguments.some((a) => a.name === "skip_db_re")).toBe(false);
      expect(check.description).toContain("!TOTAL first (the database");
      expect(check.writes).toBe(false);
    },
  );

  test.each(catalogue.filter((c) => c.counter).map((c) => [c.name, c]))(
    "%s (counter) has no thresholds and counts in c, ms or B",
    (_name, check) => {
      expect(check.thresholds).toBeUndefined();
      for (const column of valueColumns(check)) expect(["c", "ms", "B"]).toContain(column.unit ?? check.unit);
    },
  );

  test("thresholds judge numeric or boolean columns only", () => {
    for (const check of catalogue) {
      for (const name of check.thresholds?.columns ?? []) {
        expect(check.columns.find((c) => c.name === name)!.type).not.toBe("text");
      }
    }
  });

  test("only writeable writes; it and the rate checks have setup.sql with a matching teardown.sql", () => {
    expect(catalogue.filter((c) => c.writes).map((c) => c.name)).toEqual(["writeable"]);
    const withSetup = catalogue.filter((c) => c.variants.some((v) => v.setup));
    expect(withSetup.map((c) => c.name)).toEqual(
      ["writeable", ...catalogue.filter((c) => c.rates).map((c) => c.name)].sort(),
    );
    for (const check of withSetup) {
      const table = check.writes ? "writeable_probe" : `${check.name}_samples`;
      for (const variant of check.variants) {
        expect([variant.setup, variant.teardown]).toEqual([
          expect.stringContaining(table),
          expect.stringContaining(table),
        ]);
      }
    }
  });

  test("every relation a body reads from the catalog is written pg_catalog.<name>", () => {
    for (const check of catalogue) {
      for (const variant of check.variants) {
        const bare = /\b(?:FROM|JOIN)\s+(?!pg_catalog\.)(pg_[a-z_]+)\b/gi;
        expect([...variant.body.matchAll(bare)].map((m) => `${check.name}: ${m[1]}`)).toEqual([]);
      }
    }
  });
});
