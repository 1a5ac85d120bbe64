-- Not the original's bare "time since the last replayed transaction": an idle primary sends no
-- transactions, so that figure grows without any lag. Caught up (received <= replayed) is 0 (B18).
-- On a primary the wal row is missing and every value stays NULL (pg_is_wal_replay_paused() would
-- fail there). It is true once a pause was asked for, paused yet or not, on 12 as on 14+ where
-- pg_get_wal_replay_pause_state() tells the two apart.
WITH wal AS (
  SELECT pg_last_wal_receive_lsn() AS received,
         pg_last_wal_replay_lsn() AS replayed,
         pg_last_xact_replay_timestamp() AS replayed_xact_at,
         pg_is_wal_replay_paused() AS replay_paused
   WHERE pg_is_in_recovery()
)
SELECT CASE WHEN received > replayed THEN pg_wal_lsn_diff(received, replayed)
            WHEN received <= replayed THEN 0
       END,
       CASE WHEN received <= replayed THEN 0
            ELSE extract(epoch FROM clock_timestamp() - replayed_xact_at)::double precision
       END,
       replay_paused
  FROM (SELECT 1) AS one
  LEFT JOIN wal ON true
