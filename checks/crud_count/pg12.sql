-- pg_stat_database has a row with a NULL datname for shared objects since 12: not a database (B12).
WITH per_db AS (
  SELECT datname, tup_returned, tup_fetched, tup_inserted, tup_updated, tup_deleted
    FROM pg_catalog.pg_stat_database
   WHERE datname IS NOT NULL
     AND (coalesce(skip_db_re, '') = '' OR datname !~ skip_db_re)
), numbered AS (
  SELECT 0 AS sort_group, '!TOTAL'::name AS datname,
         coalesce(sum(tup_returned), 0) AS tup_returned, coalesce(sum(tup_fetched), 0) AS tup_fetched,
         coalesce(sum(tup_inserted), 0) AS tup_inserted, coalesce(sum(tup_updated), 0) AS tup_updated,
         coalesce(sum(tup_deleted), 0) AS tup_deleted
    FROM per_db
  UNION ALL
  SELECT 1, datname, tup_returned, tup_fetched, tup_inserted, tup_updated, tup_deleted FROM per_db
)
SELECT datname::text, tup_returned::bigint, tup_fetched::bigint, tup_inserted::bigint,
       tup_updated::bigint, tup_deleted::bigint
  FROM numbered
 ORDER BY sort_group, datname
