-- Indexes no query has used since the statistics were last reset (idx_scan = 0). Unique, primary
-- key and exclusion indexes enforce a constraint even when never scanned, and invalid ones are
-- invalid_indexes' business: none of them is listed. The size is pg_class.relpages, kept by VACUUM,
-- ANALYZE and index builds: pg_relation_size() would wait behind a REINDEX's lock.
WITH unused AS (
  SELECT format('%I.%I', s.schemaname, s.indexrelname) AS name,
         format('%I.%I', s.schemaname, s.relname) AS table_name,
         c.relpages::bigint * current_setting('block_size')::bigint AS size
    FROM pg_catalog.pg_stat_user_indexes AS s
    JOIN pg_catalog.pg_index AS i ON i.indexrelid = s.indexrelid
    JOIN pg_catalog.pg_class AS c ON c.oid = s.indexrelid
   WHERE s.idx_scan = 0
     AND i.indisvalid
     AND NOT (i.indisunique OR i.indisprimary OR i.indisexclusion)
     AND c.relpersistence <> 't'
     AND s.schemaname <> {{schema_literal}} -- posemo's own tables are posemo's to keep, as in every object check
), ranked AS (
  SELECT 0 AS sort_group, '!TOTAL' AS name, NULL::text AS table_name, count(*) AS unused_indexes,
         coalesce(sum(u.size), 0) AS size
    FROM unused AS u
  UNION ALL
  (SELECT 1, u.name, u.table_name, 1, u.size
     FROM unused AS u
    ORDER BY u.size DESC, u.name
    LIMIT greatest(top_n, 0))
)
SELECT r.name, r.unused_indexes::integer, r.size::bigint, r.table_name
  FROM ranked AS r
 ORDER BY r.sort_group, r.size DESC, r.name
