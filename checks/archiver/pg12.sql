-- A standby archives only with archive_mode = always. pg_ls_archive_statusdir() is granted to
-- pg_monitor; the modification time of a .ready file is when its segment was completed.
-- Ages count to clock_timestamp(): what started after this statement did must not age negatively.
-- Failing now: the last attempt failed after the last success (or nothing ever succeeded). The
-- archiver retries a segment three times, then waits a minute, so last_failed_time stays the
-- newer one for as long as archive_command keeps failing. A failing segment keeps its .ready file,
-- so no .ready file means nothing is failing now, even while the statistics (sent every 500 ms
-- before PostgreSQL 15) still show the failure as the newest event.
WITH mode AS (
  SELECT current_setting('archive_mode') = 'always'
         OR (current_setting('archive_mode') = 'on' AND NOT pg_is_in_recovery()) AS archiving
), ready AS (
  SELECT count(*) AS files, min(modification) AS oldest
    FROM pg_catalog.pg_ls_archive_statusdir()
   WHERE name LIKE '%.ready'
), failing AS (
  SELECT s.last_failed_time IS NOT NULL
         AND (s.last_archived_time IS NULL OR s.last_failed_time > s.last_archived_time)
         AND ready.files > 0 AS now
    FROM pg_catalog.pg_stat_archiver AS s, ready
)
SELECT CASE WHEN mode.archiving THEN failing.now END,
       CASE WHEN mode.archiving
            THEN coalesce(extract(epoch FROM clock_timestamp() - ready.oldest), 0)
       END::double precision,
       ready.files::integer,
       s.archived_count,
       s.failed_count,
       extract(epoch FROM clock_timestamp() - s.last_archived_time)::double precision,
       extract(epoch FROM clock_timestamp() - s.last_failed_time)::double precision,
       mode.archiving,
       CASE WHEN mode.archiving AND failing.now THEN s.last_failed_wal END
  FROM pg_catalog.pg_stat_archiver AS s, mode, ready, failing
