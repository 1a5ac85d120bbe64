-- 16 and 17 count one block per operation: bytes are operations times op_bytes. Combinations that
-- cannot happen are NULL in pg_stat_io; sums skip them (no value when a type never can).
WITH per_type AS (
  SELECT backend_type, sum(reads) AS reads, sum(writes) AS writes, sum(extends) AS extends,
         sum(hits) AS hits, sum(evictions) AS evictions, sum(fsyncs) AS fsyncs,
         sum(reads * op_bytes) AS read_bytes, sum(writes * op_bytes) AS write_bytes,
         sum(read_time) AS read_time, sum(write_time) AS write_time
    FROM pg_catalog.pg_stat_io
   WHERE object IN ('relation', 'temp relation')
   GROUP BY backend_type
), numbered AS (
  SELECT 0 AS sort_group, '!TOTAL' AS backend_type, sum(reads) AS reads, sum(writes) AS writes,
         sum(extends) AS extends, sum(hits) AS hits, sum(evictions) AS evictions, sum(fsyncs) AS fsyncs,
         sum(read_bytes) AS read_bytes, sum(write_bytes) AS write_bytes, sum(read_time) AS read_time,
         sum(write_time) AS write_time
    FROM per_type
  UNION ALL
  SELECT 1, * FROM per_type
)
SELECT backend_type, reads::bigint, writes::bigint, extends::bigint, hits::bigint, evictions::bigint,
       fsyncs::bigint, read_bytes::numeric, write_bytes::numeric, read_time::double precision,
       write_time::double precision
  FROM numbered
 ORDER BY sort_group, backend_type
