-- No running statement is 0 s, not NULL: the value graphs, and nothing is hidden (privileges are
-- checked below). Without pg_read_all_stats other roles' sessions show no state: say so.
-- Ages count to clock_timestamp(): what started after this statement did must not age negatively.
WITH running AS (
  SELECT clock_timestamp() - query_start AS age,
         format('pid %s %s@%s (%s)', pid, usename, datname, application_name) AS session
    FROM pg_catalog.pg_stat_activity
   WHERE backend_type = 'client backend'
     AND state IN ('active', 'fastpath function call')
     AND pid <> pg_backend_pid()
   ORDER BY query_start
   LIMIT 1
)
SELECT coalesce(extract(epoch FROM running.age), 0)::double precision,
       running.session,
       CASE WHEN NOT pg_has_role('pg_read_all_stats', 'USAGE')
            THEN format('role %I lacks pg_read_all_stats (grant pg_monitor): sessions of other roles are hidden', current_user)
       END
  FROM (SELECT 1) AS one
  LEFT JOIN running ON true
