-- The walsender's backend_start is when the base backup's connection began. Without
-- pg_read_all_stats other roles' walsenders show no backend_start: say so instead of "no backup".
WITH streaming AS (
  SELECT max(extract(epoch FROM statement_timestamp() - a.backend_start)) AS age
    FROM pg_catalog.pg_stat_progress_basebackup AS p
    JOIN pg_catalog.pg_stat_activity AS a ON a.pid = p.pid
), exclusive AS (
  SELECT extract(epoch FROM statement_timestamp() - pg_backup_start_time()) AS age
   WHERE pg_is_in_backup()
)
SELECT greatest(streaming.age, exclusive.age)::integer,
       CASE WHEN NOT pg_has_role('pg_read_all_stats', 'USAGE')
            THEN format('role %I lacks pg_read_all_stats (grant pg_monitor): base backups of other roles are hidden', current_user)
       END
  FROM streaming
  LEFT JOIN exclusive ON true
