-- Conflict counters arrive in 18; before they have no value (NULL), not 0.
WITH subs AS (
  SELECT subname::text AS subscription, apply_error_count, sync_error_count, NULL::bigint AS conflicts
    FROM pg_catalog.pg_stat_subscription_stats
), numbered AS (
  SELECT 0 AS sort_group, '!TOTAL' AS subscription, coalesce(sum(apply_error_count), 0) AS apply_error_count,
         coalesce(sum(sync_error_count), 0) AS sync_error_count, sum(conflicts) AS conflicts
    FROM subs
  UNION ALL
  SELECT 1, * FROM subs
)
SELECT subscription, apply_error_count::bigint, sync_error_count::bigint, conflicts::bigint
  FROM numbered
 ORDER BY sort_group, subscription
