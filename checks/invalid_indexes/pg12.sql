-- An index is invalid after a failed CREATE INDEX CONCURRENTLY or REINDEX CONCURRENTLY: it is
-- maintained on every write but never used, and a unique one still rejects duplicates. An index
-- that a CONCURRENTLY command is building right now is invalid too, but only for the moment: one
-- on a table with such a command in progress is not counted (pg_stat_progress_create_index).
WITH building AS (
  SELECT p.relid
    FROM pg_catalog.pg_stat_progress_create_index AS p
   WHERE p.command IN ('CREATE INDEX CONCURRENTLY', 'REINDEX CONCURRENTLY')
), invalid AS (
  SELECT format('%I.%I', n.nspname, ic.relname) AS name,
         format('%I.%I', tn.nspname, tc.relname) AS table_name
    FROM pg_catalog.pg_index AS i
    JOIN pg_catalog.pg_class AS ic ON ic.oid = i.indexrelid
    JOIN pg_catalog.pg_namespace AS n ON n.oid = ic.relnamespace
    JOIN pg_catalog.pg_class AS tc ON tc.oid = i.indrelid
    JOIN pg_catalog.pg_namespace AS tn ON tn.oid = tc.relnamespace
   WHERE NOT i.indisvalid
     AND ic.relpersistence <> 't'
     AND tn.nspname <> {{schema_literal}} -- posemo's own tables are posemo's to keep, as in every object check
     AND NOT EXISTS (SELECT FROM building AS b WHERE b.relid = i.indrelid)
), ranked AS (
  SELECT 0 AS sort_group, '!TOTAL' AS name, NULL::text AS table_name, count(*) AS invalid_indexes
    FROM invalid AS v
  UNION ALL
  (SELECT 1, v.name, v.table_name, 1
     FROM invalid AS v
    ORDER BY v.name
    LIMIT greatest(top_n, 0))
)
SELECT r.name, r.invalid_indexes::integer, r.table_name
  FROM ranked AS r
 ORDER BY r.sort_group, r.name
