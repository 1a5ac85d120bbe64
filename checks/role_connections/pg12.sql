-- rolconnlimit -1 means no limit: NULL limit and NULL percentage, never judged. Superusers ignore
-- their limit, but a limit set on one is still shown.
-- Without pg_read_all_stats other roles' sessions show no backend_type: say so, do not undercount.
WITH clients AS (
  SELECT usesysid FROM pg_catalog.pg_stat_activity WHERE backend_type = 'client backend'
), per_role AS (
  SELECT r.rolname, count(c.usesysid) AS connections, nullif(r.rolconnlimit, -1) AS connection_limit
    FROM pg_catalog.pg_roles AS r
    LEFT JOIN clients AS c ON c.usesysid = r.oid
   GROUP BY r.rolname, r.rolconnlimit
  HAVING r.rolconnlimit <> -1 OR count(c.usesysid) > 0
), cluster AS (
  SELECT '!TOTAL'::name AS rolname, (SELECT count(*) FROM clients) AS connections,
         current_setting('max_connections')::integer
         - current_setting('superuser_reserved_connections')::integer
         - coalesce(current_setting('reserved_connections', true)::integer, 0) AS connection_limit
), numbered AS (
  SELECT 0 AS sort_group, * FROM cluster
  UNION ALL
  SELECT 1, * FROM per_role
)
SELECT n.rolname::text, n.connections::integer, n.connection_limit::integer,
       (100.0 * n.connections / nullif(n.connection_limit, 0))::real,
       CASE WHEN NOT pg_has_role('pg_read_all_stats', 'USAGE')
            THEN format('role %I lacks pg_read_all_stats (grant pg_monitor): sessions of other roles are hidden', current_user)
       END
  FROM numbered AS n
 ORDER BY n.sort_group, n.rolname
