-- 17 moved the counters to pg_stat_checkpointer and split restartpoints out; add them back so a
-- standby's figures mean what they meant before 17.
SELECT num_timed + restartpoints_timed, num_requested + restartpoints_req
  FROM pg_catalog.pg_stat_checkpointer
