-- A standby archives only with archive_mode = always. pg_ls_archive_statusdir() is granted to
-- pg_monitor; the modification time of a .ready file is when its segment was completed.
-- Ages count to clock_timestamp(): what started after this statement did must not age negatively.
WITH mode AS (
  SELECT current_setting('archive_mode') = 'always'
         OR (current_setting('archive_mode') = 'on' AND NOT pg_is_in_recovery()) AS archiving
), ready AS (
  SELECT count(*) AS files, min(modification) AS oldest
    FROM pg_catalog.pg_ls_archive_statusdir()
   WHERE name LIKE '%.ready'
)
SELECT CASE WHEN mode.archiving
            THEN coalesce(extract(epoch FROM clock_timestamp() - ready.oldest), 0)
       END::double precision,
       ready.files::integer,
       s.archived_count,
       s.failed_count,
       extract(epoch FROM clock_timestamp() - s.last_archived_time)::double precision,
       extract(epoch FROM clock_timestamp() - s.last_failed_time)::double precision,
       mode.archiving
  FROM pg_catalog.pg_stat_archiver AS s, mode, ready
