-- pg_stat_database has a row with a NULL datname for shared objects since 12: not a database.
WITH per_db AS (
  SELECT datname, deadlocks
    FROM pg_catalog.pg_stat_database
   WHERE datname IS NOT NULL
     AND (coalesce(skip_db_re, '') = '' OR datname !~ skip_db_re)
), numbered AS (
  SELECT 0 AS sort_group, '!TOTAL'::name AS datname, coalesce(sum(deadlocks), 0) AS deadlocks
    FROM per_db
  UNION ALL
  SELECT 1, datname, deadlocks FROM per_db
)
SELECT datname::text, deadlocks::bigint
  FROM numbered
 ORDER BY sort_group, datname
