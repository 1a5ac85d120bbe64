-- Exclusive backups are gone in 15; streaming base backups are what is visible server-wide.
-- Without pg_read_all_stats other roles' walsenders show no backend_start: say so instead of "no backup".
SELECT max(extract(epoch FROM statement_timestamp() - a.backend_start))::integer,
       CASE WHEN NOT pg_has_role('pg_read_all_stats', 'USAGE')
            THEN format('role %I lacks pg_read_all_stats (grant pg_monitor): base backups of other roles are hidden', current_user)
       END
  FROM pg_catalog.pg_stat_progress_basebackup AS p
  JOIN pg_catalog.pg_stat_activity AS a ON a.pid = p.pid
