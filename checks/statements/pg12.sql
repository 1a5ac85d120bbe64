-- plpgsql because the extension may be absent, or live in any schema, and its columns depend on
-- its version (total_time until 1.8, total_exec_time since): names are looked up, then EXECUTEd.
-- The result columns are also plpgsql variables, so the static queries below qualify every column.
-- pg_stat_statements(false) skips reading the query texts file: the texts are not returned anyway.
DECLARE
  ext_schema name;
  time_column text;
  info_table regclass;
  dealloc_sql text := 'NULL::bigint';
  hidden text;
BEGIN
  SELECT n.nspname INTO ext_schema
    FROM pg_catalog.pg_extension AS e
    JOIN pg_catalog.pg_namespace AS n ON n.oid = e.extnamespace
   WHERE e.extname = 'pg_stat_statements';
  IF ext_schema IS NULL THEN
    RETURN QUERY SELECT '!TOTAL'::text, NULL::text, NULL::text, NULL::bigint, NULL::double precision,
                        NULL::double precision, NULL::bigint, NULL::real, NULL::bigint, NULL::text;
    RETURN;
  END IF;
  SELECT a.attname INTO time_column
    FROM pg_catalog.pg_attribute AS a
   WHERE a.attrelid = pg_catalog.format('%I.pg_stat_statements', ext_schema)::regclass
     AND a.attname IN ('total_exec_time', 'total_time')
   ORDER BY a.attname = 'total_exec_time' DESC
   LIMIT 1;
  -- Before 1.9 the extension has no info view, and a same-named view that the owner of the
  -- extension's schema (e.g. a database owner, who owns public) put there would run its code as the
  -- owner role: only the extension's own member is read.
  SELECT c.oid::regclass INTO info_table
    FROM pg_catalog.pg_extension AS e
    JOIN pg_catalog.pg_depend AS d ON d.refclassid = 'pg_catalog.pg_extension'::regclass AND d.refobjid = e.oid
                                  AND d.classid = 'pg_catalog.pg_class'::regclass AND d.deptype = 'e'
    JOIN pg_catalog.pg_class AS c ON c.oid = d.objid
   WHERE e.extname = 'pg_stat_statements' AND c.relname = 'pg_stat_statements_info';
  IF info_table IS NOT NULL THEN
    dealloc_sql := pg_catalog.format('(SELECT i.dealloc FROM %s AS i)', info_table);
  END IF;
  IF NOT pg_catalog.pg_has_role('pg_read_all_stats', 'USAGE') THEN
    hidden := pg_catalog.format('role %I lacks pg_read_all_stats (grant pg_monitor): statements of other roles are hidden', current_user);
  END IF;
  RETURN QUERY EXECUTE pg_catalog.format($sql$
    WITH entries AS (
      SELECT s.queryid, d.datname, r.rolname, s.calls, s.%2$I AS total_time, s.rows
        FROM %1$I.pg_stat_statements(false) AS s
        LEFT JOIN pg_catalog.pg_database AS d ON d.oid = s.dbid
        LEFT JOIN pg_catalog.pg_roles AS r ON r.oid = s.userid
    ), per_query AS (
      SELECT coalesce(queryid::text, '(hidden)') AS queryid,
             CASE WHEN count(DISTINCT datname) = 1 THEN min(datname) ELSE '(several)' END AS database,
             CASE WHEN count(DISTINCT rolname) = 1 THEN min(rolname) ELSE '(several)' END AS role,
             sum(calls) AS calls, sum(total_time) AS total_time, sum(rows) AS rows
        FROM entries
       GROUP BY 1
    ), top AS (
      SELECT * FROM per_query ORDER BY total_time DESC, queryid LIMIT $1
    ), everything AS (
      SELECT sum(calls) AS calls, sum(total_time) AS total_time, sum(rows) AS rows FROM per_query
    ), numbered AS (
      SELECT 0 AS sort_group, NULL::double precision AS sort_time, '!TOTAL' AS queryid, NULL::text AS database,
             NULL::text AS role, e.calls, e.total_time, e.total_time / nullif(e.calls, 0) AS mean_time,
             e.rows, 100 * (SELECT sum(t.total_time) FROM top AS t) / nullif(e.total_time, 0) AS time_percent,
             %3$s AS deallocations
        FROM everything AS e
      UNION ALL
      SELECT 1, t.total_time, t.queryid, t.database::text, t.role::text, t.calls, t.total_time,
             t.total_time / nullif(t.calls, 0), t.rows, 100 * t.total_time / nullif(e.total_time, 0), NULL
        FROM top AS t, everything AS e
    )
    SELECT queryid, database, role, calls::bigint, total_time::double precision, mean_time::double precision,
           rows::bigint, time_percent::real, deallocations::bigint, $2
      FROM numbered
     ORDER BY sort_group, sort_time DESC, queryid
  $sql$, ext_schema, time_column, dealloc_sql) USING top_n, hidden;
EXCEPTION WHEN OTHERS THEN
  RETURN QUERY SELECT '!TOTAL'::text, NULL::text, NULL::text, NULL::bigint, NULL::double precision,
                      NULL::double precision, NULL::bigint, NULL::real, NULL::bigint,
                      pg_catalog.format('cannot read pg_stat_statements: %s', SQLERRM);
END
