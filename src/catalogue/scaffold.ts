/**
 * `posemo checks new NAME`: the files of a new custom check folder, a commented check.yaml and a
 * pg12.sql that already install and run, for the DBA to edit. Pure: names in, file texts out.
 * @module
 */

/** The scaffold's files by name. */
export function scaffoldFiles(name: string): Record<string, string> {
  return {
    "check.yaml": `# ${name}: a custom check. Install it with: posemo install --checks-dir DIR (DIR holds this folder).
# Try it first, in a transaction that is rolled back: posemo checks test DIR -H HOST -U SUPERUSER
description: What this check watches, in one sentence a person on call understands.
# The columns the SQL returns, in order. Types: boolean, integer, bigint, real, double precision, numeric, text.
columns:
  - name: value
    type: bigint
  # A text column named unknown_reason turns the check UNKNOWN with that text when it is not null.
  - name: unknown_reason
    type: text
# Unit of the values: "" (a count), s, ms, %, B, c (a counter).
unit: ""
# Default thresholds (Nagios ranges), overridable per host in the configuration or with -w/-c.
thresholds:
  columns: [value]
  warning: "10"
  critical: "100"
# scope: cluster (one function in posemo's database) or database (installed in every database, merged).
scope: cluster
# What the functions' owner role may read beyond pg_monitor: exactly these are granted, and revoked
# when the check goes. A table owned by a role that is neither a superuser nor posemo's owner role
# needs owned_by: that role (it could make reading the table run its code).
# privileges:
#   - select: public.orders
#     owned_by: shop
`,
    "pg12.sql": `-- The body of a SECURITY DEFINER function run as posemo's owner role with
-- search_path = pg_catalog, pg_temp: write application tables with their schema (public.orders).
-- pgNN.sql serves PostgreSQL NN and later, until the next pgNN.sql.
SELECT 0::bigint AS value,
       NULL::text AS unknown_reason
`,
  };
}
