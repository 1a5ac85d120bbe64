-- One body for every version: states are text, and `starting` simply never appears before 18.
-- Without pg_read_all_stats the states of other roles' sessions read NULL: say so, do not undercount.
WITH per_db AS (
  SELECT d.datname,
         count(*) FILTER (WHERE a.state = 'active') AS active,
         count(*) FILTER (WHERE a.state = 'idle') AS idle,
         count(*) FILTER (WHERE a.state = 'idle in transaction') AS idle_in_transaction,
         count(*) FILTER (WHERE a.state = 'idle in transaction (aborted)') AS idle_in_transaction_aborted,
         count(*) FILTER (WHERE a.state = 'fastpath function call') AS fastpath_function_call,
         count(*) FILTER (WHERE a.state = 'disabled') AS disabled,
         count(*) FILTER (WHERE a.state = 'starting') AS starting
    FROM pg_catalog.pg_database AS d
    LEFT JOIN pg_catalog.pg_stat_activity AS a
      ON a.datid = d.oid AND a.backend_type = 'client backend'
   WHERE coalesce(skip_db_re, '') = '' OR d.datname !~ skip_db_re
   GROUP BY d.datname
), privilege AS (
  SELECT CASE WHEN NOT pg_has_role('pg_read_all_stats', 'USAGE')
              THEN format('role %I lacks pg_read_all_stats (grant pg_monitor): sessions of other roles are hidden', current_user)
         END AS unknown_reason
), numbered AS (
  SELECT 0 AS sort_group, '!TOTAL'::name AS datname,
         coalesce(sum(active), 0) AS active, coalesce(sum(idle), 0) AS idle,
         coalesce(sum(idle_in_transaction), 0) AS idle_in_transaction,
         coalesce(sum(idle_in_transaction_aborted), 0) AS idle_in_transaction_aborted,
         coalesce(sum(fastpath_function_call), 0) AS fastpath_function_call,
         coalesce(sum(disabled), 0) AS disabled, coalesce(sum(starting), 0) AS starting
    FROM per_db
  UNION ALL
  SELECT 1, datname, active, idle, idle_in_transaction, idle_in_transaction_aborted,
         fastpath_function_call, disabled, starting
    FROM per_db
)
SELECT n.datname::text, n.active::integer, n.idle::integer, n.idle_in_transaction::integer,
       n.idle_in_transaction_aborted::integer, n.fastpath_function_call::integer,
       n.disabled::integer, n.starting::integer, privilege.unknown_reason
  FROM numbered AS n, privilege
 ORDER BY n.sort_group, n.datname
