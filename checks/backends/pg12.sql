-- datconnlimit -1 means no limit: NULL limit and NULL percentage, never judged.
-- reserved_connections (for pg_use_reserved_connections) exists from 16; missing_ok reads NULL before.
-- Without pg_read_all_stats other roles' sessions show no backend_type: say so, do not undercount.
WITH clients AS (
  SELECT datid FROM pg_catalog.pg_stat_activity WHERE backend_type = 'client backend'
), per_db AS (
  SELECT d.datname, count(c.datid) AS connections, nullif(d.datconnlimit, -1) AS connection_limit
    FROM pg_catalog.pg_database AS d
    LEFT JOIN clients AS c ON c.datid = d.oid
   WHERE coalesce(skip_db_re, '') = '' OR d.datname !~ skip_db_re
   GROUP BY d.datname, d.datconnlimit
), cluster AS (
  SELECT '!TOTAL'::name AS datname, (SELECT count(*) FROM clients) AS connections,
         current_setting('max_connections')::integer
         - current_setting('superuser_reserved_connections')::integer
         - coalesce(current_setting('reserved_connections', true)::integer, 0) AS connection_limit
), numbered AS (
  SELECT 0 AS sort_group, * FROM cluster
  UNION ALL
  SELECT 1, * FROM per_db
)
SELECT n.datname::text, n.connections::integer, n.connection_limit::integer,
       (100.0 * n.connections / nullif(n.connection_limit, 0))::real,
       CASE WHEN NOT pg_has_role('pg_read_all_stats', 'USAGE')
            THEN format('role %I lacks pg_read_all_stats (grant pg_monitor): sessions of other roles are hidden', current_user)
       END
  FROM numbered AS n
 ORDER BY n.sort_group, n.datname
