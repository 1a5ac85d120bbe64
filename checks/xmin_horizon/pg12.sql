-- Each kind keeps its oldest holder; kinds without one stay listed with no value, so the
-- perfdata labels do not come and go. Without pg_read_all_stats other roles' backend_xmin is
-- hidden: say so rather than report a younger horizon.
WITH holders AS (
  SELECT 'backend' AS kind, greatest(age(backend_xmin), age(backend_xid)) AS xmin_age,
         format('pid %s %s@%s (%s)', pid, usename, datname, application_name) AS holder
    FROM pg_catalog.pg_stat_activity
   WHERE backend_type NOT IN ('walsender', 'autovacuum worker')
     AND pid <> pg_backend_pid()
     AND (backend_xmin IS NOT NULL OR backend_xid IS NOT NULL)
  UNION ALL
  SELECT 'prepared_transaction', age(transaction), format('gid %s in %s', gid, database)
    FROM pg_catalog.pg_prepared_xacts
  UNION ALL
  SELECT 'replication_slot', age(xmin), slot_name::text
    FROM pg_catalog.pg_replication_slots
   WHERE xmin IS NOT NULL
  UNION ALL
  SELECT 'replication_slot_catalog', age(catalog_xmin), slot_name::text
    FROM pg_catalog.pg_replication_slots
   WHERE catalog_xmin IS NOT NULL
  UNION ALL
  SELECT 'standby_feedback', age(backend_xmin), format('pid %s %s', pid, application_name)
    FROM pg_catalog.pg_stat_replication
   WHERE backend_xmin IS NOT NULL
), kinds (kind) AS (
  VALUES ('backend'), ('prepared_transaction'), ('replication_slot'),
         ('replication_slot_catalog'), ('standby_feedback')
), oldest AS (
  SELECT DISTINCT ON (kind) kind, xmin_age, holder
    FROM holders
   ORDER BY kind, xmin_age DESC
), numbered AS (
  SELECT 0 AS sort_group, '!MAX' AS kind, xmin_age, kind || ': ' || holder AS holder
    FROM (SELECT * FROM oldest ORDER BY xmin_age DESC LIMIT 1) AS worst
   RIGHT JOIN (SELECT 1) AS one ON true
  UNION ALL
  SELECT 1, k.kind, o.xmin_age, o.holder
    FROM kinds AS k
    LEFT JOIN oldest AS o ON o.kind = k.kind
)
SELECT n.kind, n.xmin_age::bigint, n.holder,
       CASE WHEN NOT pg_has_role('pg_read_all_stats', 'USAGE')
            THEN format('role %I lacks pg_read_all_stats (grant pg_monitor): sessions of other roles are hidden', current_user)
       END
  FROM numbered AS n
 ORDER BY n.sort_group, n.kind
