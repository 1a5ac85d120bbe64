-- pg_current_wal_lsn() fails during recovery: a cascading standby measures from what it received.
-- Without pg_read_all_stats the LSNs and lags of other roles' walsenders are hidden: say so.
WITH here AS (
  SELECT CASE WHEN pg_is_in_recovery() THEN greatest(pg_last_wal_receive_lsn(), pg_last_wal_replay_lsn())
              ELSE pg_current_wal_lsn()
         END AS lsn
), senders AS (
  SELECT coalesce(nullif(r.application_name, ''), format('pid %s', r.pid)) AS name,
         row_number() OVER (PARTITION BY coalesce(nullif(r.application_name, ''), format('pid %s', r.pid)) ORDER BY r.backend_start, r.pid) AS nth,
         r.state, r.sync_state,
         pg_wal_lsn_diff(here.lsn, r.write_lsn) AS write_lag_bytes,
         pg_wal_lsn_diff(here.lsn, r.flush_lsn) AS flush_lag_bytes,
         pg_wal_lsn_diff(here.lsn, r.replay_lsn) AS replay_lag_bytes,
         extract(epoch FROM r.write_lag) AS write_lag,
         extract(epoch FROM r.flush_lag) AS flush_lag,
         extract(epoch FROM r.replay_lag) AS replay_lag
    FROM pg_catalog.pg_stat_replication AS r, here
), numbered AS (
  SELECT 0 AS sort_group, '!MAX' AS standby, NULL AS state, NULL AS sync_state, count(*) AS standbys,
         max(write_lag_bytes) AS write_lag_bytes, max(flush_lag_bytes) AS flush_lag_bytes,
         max(replay_lag_bytes) AS replay_lag_bytes, max(write_lag) AS write_lag,
         max(flush_lag) AS flush_lag, max(replay_lag) AS replay_lag
    FROM senders
  UNION ALL
  SELECT 1, CASE WHEN nth = 1 THEN name ELSE format('%s#%s', name, nth) END, state, sync_state, 1,
         write_lag_bytes, flush_lag_bytes, replay_lag_bytes, write_lag, flush_lag, replay_lag
    FROM senders
)
SELECT n.standby, n.state, n.sync_state, n.standbys::integer,
       n.write_lag_bytes::numeric, n.flush_lag_bytes::numeric, n.replay_lag_bytes::numeric,
       n.write_lag::double precision, n.flush_lag::double precision, n.replay_lag::double precision,
       CASE WHEN NOT pg_has_role('pg_read_all_stats', 'USAGE')
            THEN format('role %I lacks pg_read_all_stats (grant pg_monitor): walsenders of other roles are hidden', current_user)
       END
  FROM numbered AS n
 ORDER BY n.sort_group, n.standby
