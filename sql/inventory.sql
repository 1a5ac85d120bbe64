-- What posemo installed in this database: its version, what it created (so --uninstall removes exactly
-- that) and one row per check with the fingerprint of the SQL it installed.
CREATE TABLE IF NOT EXISTS {{schema}}.posemo_install (key text PRIMARY KEY, value text NOT NULL);
ALTER TABLE {{schema}}.posemo_install OWNER TO {{owner}};
REVOKE ALL ON TABLE {{schema}}.posemo_install FROM PUBLIC;
CREATE TABLE IF NOT EXISTS {{schema}}.posemo_checks (name text PRIMARY KEY, hash text NOT NULL, signature text NOT NULL);
ALTER TABLE {{schema}}.posemo_checks OWNER TO {{owner}};
REVOKE ALL ON TABLE {{schema}}.posemo_checks FROM PUBLIC;
-- The monitoring role reads the inventory through this function only; `check` compares it with
-- the binary so an outdated install is reported instead of silently running old SQL.
CREATE OR REPLACE FUNCTION {{schema}}.posemo_inventory()
  RETURNS TABLE (posemo_version text, server_version_num integer, check_name text, check_hash text)
  LANGUAGE sql STABLE SECURITY DEFINER
  SET search_path = pg_catalog, pg_temp
  AS $posemo$
SELECT i.value, pg_catalog.current_setting('server_version_num')::pg_catalog.int4, c.name, c.hash
  FROM {{schema}}.posemo_install AS i
  LEFT JOIN {{schema}}.posemo_checks AS c ON true
 WHERE i.key OPERATOR(pg_catalog.=) 'posemo_version'
$posemo$;
ALTER FUNCTION {{schema}}.posemo_inventory() OWNER TO {{owner}};
REVOKE ALL ON FUNCTION {{schema}}.posemo_inventory() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION {{schema}}.posemo_inventory() TO {{monitoring}};
