-- The probe table. Re-runnable (an install may drop and re-create the check); every name is
-- schema-qualified because the installer's search_path is not the function's.
CREATE TABLE IF NOT EXISTS {{schema}}.writeable_probe (
  written_at pg_catalog.timestamptz NOT NULL DEFAULT pg_catalog.now(),
  written_by pg_catalog.name NOT NULL DEFAULT session_user
);
ALTER TABLE {{schema}}.writeable_probe OWNER TO {{owner}};
REVOKE ALL ON TABLE {{schema}}.writeable_probe FROM PUBLIC;
