-- No open transaction is 0 s, not NULL. Without pg_read_all_stats other roles' sessions show no
-- xact_start: say so.
-- Ages count to clock_timestamp(): what started after this statement did must not age negatively.
WITH open AS (
  SELECT clock_timestamp() - xact_start AS age,
         format('pid %s %s@%s (%s)', pid, usename, datname, application_name) AS session
    FROM pg_catalog.pg_stat_activity
   WHERE backend_type = 'client backend'
     AND xact_start IS NOT NULL
     AND pid <> pg_backend_pid()
   ORDER BY xact_start
   LIMIT 1
)
SELECT coalesce(extract(epoch FROM open.age), 0)::double precision,
       open.session,
       CASE WHEN NOT pg_has_role('pg_read_all_stats', 'USAGE')
            THEN format('role %I lacks pg_read_all_stats (grant pg_monitor): sessions of other roles are hidden', current_user)
       END
  FROM (SELECT 1) AS one
  LEFT JOIN open ON true
