-- pg_stat_database has a row with a NULL datname for shared objects since 12: not a database (B12).
WITH per_db AS (
  SELECT datname, xact_commit, xact_rollback
    FROM pg_catalog.pg_stat_database
   WHERE datname IS NOT NULL
     AND (coalesce(skip_db_re, '') = '' OR datname !~ skip_db_re)
), numbered AS (
  SELECT 0 AS sort_group, '!TOTAL'::name AS datname,
         coalesce(sum(xact_commit), 0) AS xact_commit, coalesce(sum(xact_rollback), 0) AS xact_rollback
    FROM per_db
  UNION ALL
  SELECT 1, datname, xact_commit, xact_rollback FROM per_db
)
SELECT datname::text, xact_commit::bigint, xact_rollback::bigint
  FROM numbered
 ORDER BY sort_group, datname
