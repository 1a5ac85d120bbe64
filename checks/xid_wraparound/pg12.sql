-- 2^31: the distance at which an XID would wrap around; PostgreSQL stops a little before it.
-- !MAX takes every database, skipped or not: template0 ages too, and wraps the whole cluster.
WITH ages AS (
  SELECT datname, age(datfrozenxid)::bigint AS xid_age FROM pg_catalog.pg_database
), numbered AS (
  SELECT 0 AS sort_group, '!MAX'::name AS datname, max(xid_age) AS xid_age FROM ages
  UNION ALL
  SELECT 1, datname, xid_age FROM ages
   WHERE coalesce(skip_db_re, '') = '' OR datname !~ skip_db_re
)
SELECT datname::text, xid_age,
       (100.0 * xid_age / 2147483648)::real,
       (100.0 * xid_age / current_setting('autovacuum_freeze_max_age')::bigint)::real
  FROM numbered
 ORDER BY sort_group, datname
