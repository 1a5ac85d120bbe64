-- Logical slots on a standby, and so their conflicts, exist from 16: 0 before, not NULL.
WITH per_db AS (
  SELECT datname, confl_tablespace, confl_lock, confl_snapshot, confl_bufferpin, confl_deadlock,
         0::bigint AS confl_logical_slot
    FROM pg_catalog.pg_stat_database_conflicts
   WHERE datname IS NOT NULL
     AND (coalesce(skip_db_re, '') = '' OR datname !~ skip_db_re)
), numbered AS (
  SELECT 0 AS sort_group, '!TOTAL'::name AS datname,
         coalesce(sum(confl_tablespace), 0) AS confl_tablespace, coalesce(sum(confl_lock), 0) AS confl_lock,
         coalesce(sum(confl_snapshot), 0) AS confl_snapshot, coalesce(sum(confl_bufferpin), 0) AS confl_bufferpin,
         coalesce(sum(confl_deadlock), 0) AS confl_deadlock, coalesce(sum(confl_logical_slot), 0) AS confl_logical_slot
    FROM per_db
  UNION ALL
  SELECT 1, * FROM per_db
)
SELECT datname::text, confl_tablespace::bigint, confl_lock::bigint, confl_snapshot::bigint,
       confl_bufferpin::bigint, confl_deadlock::bigint, confl_logical_slot::bigint
  FROM numbered
 ORDER BY sort_group, datname
