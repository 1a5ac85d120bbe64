-- PostgreSQL 12 and 13 do not say when a lock wait began: the waiting statement's start bounds it.
-- pg_blocking_pids runs only for sessions that wait, so an idle server pays nothing for it.
-- Ages count to clock_timestamp(): what started after this statement did must not age negatively.
WITH RECURSIVE waiting AS (
  SELECT pid, query_start AS wait_start, pg_blocking_pids(pid) AS blockers
    FROM pg_catalog.pg_stat_activity
   WHERE wait_event_type = 'Lock' AND pid <> pg_backend_pid()
), edges AS (
  SELECT w.pid AS waiter, b.blocker
    FROM waiting AS w, unnest(w.blockers) AS b (blocker)
), chains (pid, depth, path) AS (
  SELECT pid, 0, ARRAY[pid] FROM waiting
  UNION ALL
  SELECT e.blocker, c.depth + 1, c.path || e.blocker
    FROM chains AS c
    JOIN edges AS e ON e.waiter = c.pid
   WHERE e.blocker <> ALL (c.path) AND c.depth < 100
), longest AS (
  SELECT pid, depth FROM chains ORDER BY depth DESC, pid LIMIT 1
)
SELECT coalesce(extract(epoch FROM clock_timestamp() - (SELECT min(wait_start) FROM waiting)), 0)::double precision,
       (SELECT count(*) FROM waiting)::integer,
       coalesce((SELECT depth FROM longest), 0)::integer,
       (SELECT CASE WHEN l.pid = 0 THEN 'a prepared transaction'
                    ELSE format('pid %s %s@%s (%s), %s', l.pid, a.usename, a.datname, a.application_name, a.state)
               END
          FROM longest AS l
          LEFT JOIN pg_catalog.pg_stat_activity AS a ON a.pid = l.pid
         WHERE l.depth > 0),
       CASE WHEN NOT pg_has_role('pg_read_all_stats', 'USAGE')
            THEN format('role %I lacks pg_read_all_stats (grant pg_monitor): sessions of other roles are hidden', current_user)
       END
