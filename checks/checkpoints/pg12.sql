-- Before 17 these counters include restartpoints on a standby.
SELECT checkpoints_timed, checkpoints_req
  FROM pg_catalog.pg_stat_bgwriter
