-- PostgreSQL 12 has neither wal_status nor safe_wal_size (13+) nor inactive_since (17+): no value.
-- pg_current_wal_lsn() fails during recovery: a standby measures from what it received.
WITH here AS (
  SELECT CASE WHEN pg_is_in_recovery() THEN greatest(pg_last_wal_receive_lsn(), pg_last_wal_replay_lsn())
              ELSE pg_current_wal_lsn()
         END AS lsn
), slots AS (
  SELECT s.slot_name::text AS slot, NULL::text AS wal_status, CASE WHEN s.active THEN 0 ELSE 1 END AS inactive,
         pg_wal_lsn_diff(here.lsn, s.restart_lsn) AS retained_bytes,
         NULL::numeric AS safe_wal_size, NULL::double precision AS inactive_seconds
    FROM pg_catalog.pg_replication_slots AS s, here
), numbered AS (
  SELECT 0 AS sort_group, '!MAX' AS slot, NULL AS wal_status, count(*) AS slots, sum(inactive) AS inactive,
         max(retained_bytes) AS retained_bytes, min(safe_wal_size) AS safe_wal_size,
         max(inactive_seconds) AS inactive_seconds
    FROM slots
  UNION ALL
  SELECT 1, slot, wal_status, 1, inactive, retained_bytes, safe_wal_size, inactive_seconds FROM slots
)
SELECT slot, wal_status, slots::integer, coalesce(inactive, 0)::integer, retained_bytes::numeric,
       safe_wal_size::numeric, inactive_seconds::double precision
  FROM numbered
 ORDER BY sort_group, slot
