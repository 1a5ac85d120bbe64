WITH per_db AS (
  SELECT datname, pg_database_size(oid) AS size
    FROM pg_catalog.pg_database
   WHERE datname IS NOT NULL
     AND (coalesce(skip_db_re, '') = '' OR datname !~ skip_db_re)
), numbered AS (
  SELECT 0 AS sort_group, '!TOTAL'::name AS datname, coalesce(sum(size), 0) AS size FROM per_db
  UNION ALL
  SELECT 1, datname, size FROM per_db
)
SELECT datname::text, size::bigint
  FROM numbered
 ORDER BY sort_group, datname
