-- checksum_failures is NULL when data checksums are off: no value, not a reassuring 0. The row with
-- a NULL datname counts failures in shared catalogs: kept, as !SHARED, so none goes unseen.
WITH per_db AS (
  SELECT coalesce(datname, '!SHARED') AS datname, checksum_failures,
         extract(epoch FROM clock_timestamp() - checksum_last_failure) AS since_failure
    FROM pg_catalog.pg_stat_database
   WHERE datname IS NULL OR coalesce(skip_db_re, '') = '' OR datname !~ skip_db_re
), numbered AS (
  SELECT 0 AS sort_group, '!TOTAL'::name AS datname, sum(checksum_failures) AS checksum_failures,
         min(since_failure) AS since_failure, current_setting('data_checksums')::boolean AS data_checksums
    FROM per_db
  UNION ALL
  SELECT 1, datname, checksum_failures, since_failure, NULL FROM per_db
)
SELECT datname::text, checksum_failures::bigint, since_failure::double precision, data_checksums
  FROM numbered
 ORDER BY sort_group, datname
