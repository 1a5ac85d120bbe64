-- pg_stat_database has a row with a NULL datname for shared objects since 12: not a database (B12).
WITH per_db AS (
  SELECT datname, blk_read_time, blk_write_time
    FROM pg_catalog.pg_stat_database
   WHERE datname IS NOT NULL
     AND (coalesce(skip_db_re, '') = '' OR datname !~ skip_db_re)
), numbered AS (
  SELECT 0 AS sort_group, '!TOTAL'::name AS datname,
         coalesce(sum(blk_read_time), 0) AS blk_read_time, coalesce(sum(blk_write_time), 0) AS blk_write_time
    FROM per_db
  UNION ALL
  SELECT 1, datname, blk_read_time, blk_write_time FROM per_db
)
SELECT datname::text, blk_read_time::double precision, blk_write_time::double precision
  FROM numbered
 ORDER BY sort_group, datname
