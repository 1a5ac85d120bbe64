-- 17 moved the checkpointer to pg_stat_checkpointer and counts restartpoints apart.
SELECT c.num_timed, c.num_requested, NULL::bigint,
       c.restartpoints_timed, c.restartpoints_req, c.restartpoints_done,
       c.buffers_written, NULL::bigint,
       c.write_time, c.sync_time,
       b.buffers_clean, b.maxwritten_clean, b.buffers_alloc
  FROM pg_catalog.pg_stat_checkpointer AS c, pg_catalog.pg_stat_bgwriter AS b
