-- 18 counts conflicts by kind; their sum is what needs attention.
WITH subs AS (
  SELECT subname::text AS subscription, apply_error_count, sync_error_count,
         confl_insert_exists + confl_update_origin_differs + confl_update_exists + confl_update_missing
         + confl_delete_origin_differs + confl_delete_missing + confl_multiple_unique_conflicts AS conflicts
    FROM pg_catalog.pg_stat_subscription_stats
), numbered AS (
  SELECT 0 AS sort_group, '!TOTAL' AS subscription, coalesce(sum(apply_error_count), 0) AS apply_error_count,
         coalesce(sum(sync_error_count), 0) AS sync_error_count, coalesce(sum(conflicts), 0) AS conflicts
    FROM subs
  UNION ALL
  SELECT 1, * FROM subs
)
SELECT subscription, apply_error_count::bigint, sync_error_count::bigint, conflicts::bigint
  FROM numbered
 ORDER BY sort_group, subscription
