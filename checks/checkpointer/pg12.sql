-- Before 17 pg_stat_bgwriter holds it all; restartpoints count as checkpoints and completions are
-- not counted: no value for those.
SELECT checkpoints_timed, checkpoints_req, NULL::bigint,
       NULL::bigint, NULL::bigint, NULL::bigint,
       buffers_checkpoint, NULL::bigint,
       checkpoint_write_time, checkpoint_sync_time,
       buffers_clean, maxwritten_clean, buffers_alloc
  FROM pg_catalog.pg_stat_bgwriter
