-- The previous sample of each caller, so temp_files judges the change since that caller's previous
-- run rather than lifetime totals. Unlogged: it only caches the last run (after a crash the next run
-- takes a new baseline), and writing it never waits for synchronous standbys. Owned by the owner
-- role; nobody else may touch it. Bounded: one row per caller, at most 32 callers (the function
-- evicts the oldest), each holding one pair of numbers per database. Re-runnable.
CREATE UNLOGGED TABLE IF NOT EXISTS {{schema}}.temp_files_samples (
  caller pg_catalog.text PRIMARY KEY,
  taken_at pg_catalog.timestamptz NOT NULL,
  sample pg_catalog.jsonb NOT NULL
);
ALTER TABLE {{schema}}.temp_files_samples OWNER TO {{owner}};
REVOKE ALL ON TABLE {{schema}}.temp_files_samples FROM PUBLIC;
