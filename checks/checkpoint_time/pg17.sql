-- 17 moved the timings to pg_stat_checkpointer.
SELECT write_time, sync_time
  FROM pg_catalog.pg_stat_checkpointer
