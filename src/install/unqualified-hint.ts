/**
 * What to do when a check's SQL names something the server cannot find: every check function pins
 * `search_path = pg_catalog, pg_temp`, so `FROM orders` fails even though `public.orders` exists.
 * @module
 */

/** undefined_table, undefined_function, undefined_object (a type): what an unqualified name gives. */
const NOT_FOUND = new Set(["42P01", "42883", "42704"]);

/** The hint for a server error that an unqualified name could cause, else "". */
export function unqualifiedHint(error: unknown): string {
  const code = (error as { code?: unknown } | undefined)?.code;
  return typeof code === "string" && NOT_FOUND.has(code)
    ? " (check SQL runs with search_path = pg_catalog, pg_temp: write application objects with their schema, e.g. public.orders)"
    : "";
}
