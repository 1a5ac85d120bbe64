-- None is 0 s and 0 sessions, not NULL. Without pg_read_all_stats other roles' sessions show no
-- state: say so.
-- Ages count to clock_timestamp(): what started after this statement did must not age negatively.
WITH idle AS (
  SELECT clock_timestamp() - state_change AS age,
         format('pid %s %s@%s (%s)', pid, usename, datname, application_name) AS session
    FROM pg_catalog.pg_stat_activity
   WHERE backend_type = 'client backend'
     AND state IN ('idle in transaction', 'idle in transaction (aborted)')
)
SELECT coalesce(extract(epoch FROM (SELECT max(age) FROM idle)), 0)::double precision,
       (SELECT count(*) FROM idle)::integer,
       (SELECT session FROM idle ORDER BY age DESC LIMIT 1),
       CASE WHEN NOT pg_has_role('pg_read_all_stats', 'USAGE')
            THEN format('role %I lacks pg_read_all_stats (grant pg_monitor): sessions of other roles are hidden', current_user)
       END
