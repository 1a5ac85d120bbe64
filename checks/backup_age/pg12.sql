-- PostgreSQL 12 has no view of streaming base backups (pg_stat_progress_basebackup is 13+).
SELECT CASE WHEN pg_is_in_backup()
            THEN extract(epoch FROM statement_timestamp() - pg_backup_start_time())::integer
       END,
       NULL::text
