-- Workers run as the bootstrap superuser: without pg_read_all_stats their backend_type and query
-- are hidden. Say so rather than report 0.
WITH workers AS (
  SELECT count(*) AS running,
         count(*) FILTER (WHERE query LIKE '%(to prevent wraparound)%') AS anti_wraparound
    FROM pg_catalog.pg_stat_activity
   WHERE backend_type = 'autovacuum worker'
), setting AS (
  SELECT current_setting('autovacuum_max_workers')::integer AS max_workers
)
SELECT (100.0 * running / nullif(max_workers, 0))::real, running::integer, max_workers,
       anti_wraparound::integer,
       CASE WHEN NOT pg_has_role('pg_read_all_stats', 'USAGE')
            THEN format('role %I lacks pg_read_all_stats (grant pg_monitor): autovacuum workers are hidden', current_user)
       END
  FROM workers, setting
