-- The custom checks' definitions (install --checks-dir): `posemo check` on a host that has only the
-- binary learns their columns, units, thresholds and scope from here; `teardown` and `granted` are what
-- removing a check must undo once its folder is gone. A later install runs that teardown as a
-- superuser, so the table belongs to the installing superuser, not to the owner role: whoever could
-- act as the owner role (a flaw in a check, a trusted table owner's code) cannot rewrite it. The owner
-- role reads the definitions (for the function below), the monitoring role calls the function only.
CREATE TABLE IF NOT EXISTS {{schema}}.posemo_custom_checks (name text PRIMARY KEY, definition text NOT NULL, teardown text, granted text NOT NULL);
ALTER TABLE {{schema}}.posemo_custom_checks OWNER TO CURRENT_USER;
REVOKE ALL ON TABLE {{schema}}.posemo_custom_checks FROM PUBLIC;
GRANT SELECT (name, definition) ON TABLE {{schema}}.posemo_custom_checks TO {{owner}};
CREATE OR REPLACE FUNCTION {{schema}}.posemo_custom_definitions()
  RETURNS TABLE (name text, definition text)
  LANGUAGE sql STABLE SECURITY DEFINER
  SET search_path = pg_catalog, pg_temp
  AS $posemo$
SELECT c.name, c.definition FROM {{schema}}.posemo_custom_checks AS c ORDER BY c.name COLLATE pg_catalog."C"
$posemo$;
ALTER FUNCTION {{schema}}.posemo_custom_definitions() OWNER TO {{owner}};
REVOKE ALL ON FUNCTION {{schema}}.posemo_custom_definitions() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION {{schema}}.posemo_custom_definitions() TO {{monitoring}};
