-- 2^31: the distance at which a multixact ID would wrap around; PostgreSQL stops a little before it.
-- !MAX takes every database, skipped or not: template0 ages too, and wraps the whole cluster.
WITH ages AS (
  SELECT datname, mxid_age(datminmxid)::bigint AS mxid_age FROM pg_catalog.pg_database
), numbered AS (
  SELECT 0 AS sort_group, '!MAX'::name AS datname, max(mxid_age) AS mxid_age FROM ages
  UNION ALL
  SELECT 1, datname, mxid_age FROM ages
   WHERE coalesce(skip_db_re, '') = '' OR datname !~ skip_db_re
)
SELECT datname::text, mxid_age,
       (100.0 * mxid_age / 2147483648)::real,
       (100.0 * mxid_age / current_setting('autovacuum_multixact_freeze_max_age')::bigint)::real
  FROM numbered
 ORDER BY sort_group, datname
