-- No block access means no ratio: NULL, not the original's 0 % that turned idle databases CRITICAL (B11).
-- pg_stat_database has a row with a NULL datname for shared objects since 12: not a database (B12).
WITH per_db AS (
  SELECT datname, blks_hit, blks_read
    FROM pg_catalog.pg_stat_database
   WHERE datname IS NOT NULL
     AND (coalesce(skip_db_re, '') = '' OR datname !~ skip_db_re)
), numbered AS (
  SELECT 0 AS sort_group, '!TOTAL'::name AS datname, sum(blks_hit) AS blks_hit, sum(blks_read) AS blks_read
    FROM per_db
  UNION ALL
  SELECT 1, datname, blks_hit, blks_read FROM per_db
)
SELECT datname::text,
       (100.0 * blks_hit / nullif(blks_hit + blks_read, 0))::real
  FROM numbered
 ORDER BY sort_group, datname
