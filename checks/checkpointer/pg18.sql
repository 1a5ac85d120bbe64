-- 18 counts completed checkpoints (num_done: timed and requested ones may be skipped when nothing
-- changed) and SLRU buffers written apart.
SELECT c.num_timed, c.num_requested, c.num_done,
       c.restartpoints_timed, c.restartpoints_req, c.restartpoints_done,
       c.buffers_written, c.slru_written,
       c.write_time, c.sync_time,
       b.buffers_clean, b.maxwritten_clean, b.buffers_alloc
  FROM pg_catalog.pg_stat_checkpointer AS c, pg_catalog.pg_stat_bgwriter AS b
