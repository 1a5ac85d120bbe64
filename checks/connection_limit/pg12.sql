-- The original divided by max_connections alone and so ignored the reserved slots (B19).
-- reserved_connections (for pg_use_reserved_connections) exists from 16; missing_ok reads NULL before.
-- posemo's own session is not counted: on 16+ it may sit in a reserved slot (pg_use_reserved_connections)
-- and must not push a full server past 100 %, nor count as load on a quiet one.
-- Without pg_read_all_stats other roles' sessions show no backend_type: say so, do not undercount.
WITH slots AS (
  SELECT current_setting('max_connections')::integer
         - current_setting('superuser_reserved_connections')::integer
         - coalesce(current_setting('reserved_connections', true)::integer, 0) AS usable
), clients AS (
  SELECT count(*)::integer AS connections
    FROM pg_catalog.pg_stat_activity
   WHERE backend_type = 'client backend'
     AND pid <> pg_backend_pid()
)
SELECT (100.0 * connections / nullif(usable, 0))::real,
       connections,
       usable,
       CASE WHEN NOT pg_has_role('pg_read_all_stats', 'USAGE')
            THEN format('role %I lacks pg_read_all_stats (grant pg_monitor): sessions of other roles are hidden', current_user)
       END
  FROM slots, clients
