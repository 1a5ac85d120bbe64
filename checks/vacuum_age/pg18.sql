-- A table is judged only while autovacuum's own formula says it needs a vacuum (dead tuples over
-- threshold + scale_factor * reltuples, per-table storage parameters first) or an analyze (rows
-- modified since the last one over its threshold): a table nobody writes is never vacuumed again,
-- and its age must not turn CRITICAL (the peers' known false alarm). A table being vacuumed right
-- now is not overdue. A never-vacuumed table counts from when the statistics started (their
-- reset, or the server start, whichever is later: a lower bound, never an overstatement).
-- From 13 autovacuum also vacuums after inserts (autovacuum_vacuum_insert_threshold, -1 = off),
-- and pg_stat_progress_analyze shows analyzes in progress. From 18 autovacuum_vacuum_max_threshold
-- (-1 = off) caps the dead-tuple trigger, and the insert trigger scales with the unfrozen pages only.
WITH options AS (
  SELECT c.oid,
         max(o.option_value) FILTER (WHERE o.option_name = 'autovacuum_vacuum_threshold')::float8 AS vac_base,
         max(o.option_value) FILTER (WHERE o.option_name = 'autovacuum_vacuum_scale_factor')::float8 AS vac_scale,
         max(o.option_value) FILTER (WHERE o.option_name = 'autovacuum_vacuum_max_threshold')::float8 AS vac_max,
         max(o.option_value) FILTER (WHERE o.option_name = 'autovacuum_vacuum_insert_threshold')::float8 AS ins_base,
         max(o.option_value) FILTER (WHERE o.option_name = 'autovacuum_vacuum_insert_scale_factor')::float8 AS ins_scale,
         max(o.option_value) FILTER (WHERE o.option_name = 'autovacuum_analyze_threshold')::float8 AS anl_base,
         max(o.option_value) FILTER (WHERE o.option_name = 'autovacuum_analyze_scale_factor')::float8 AS anl_scale
    FROM pg_catalog.pg_class AS c
    LEFT JOIN LATERAL pg_catalog.pg_options_to_table(c.reloptions) AS o ON true
   WHERE c.relkind IN ('r', 'm')
   GROUP BY c.oid
), tables AS (
  SELECT format('%I.%I', s.schemaname, s.relname) AS name, s.n_live_tup, s.n_dead_tup,
         greatest(s.last_vacuum, s.last_autovacuum) AS vacuumed,
         greatest(s.last_analyze, s.last_autoanalyze) AS analyzed,
         (s.n_dead_tup > CASE WHEN coalesce(o.vac_max, current_setting('autovacuum_vacuum_max_threshold')::float8) >= 0
                              THEN least(coalesce(o.vac_max, current_setting('autovacuum_vacuum_max_threshold')::float8), vt.threshold)
                              ELSE vt.threshold END
          OR coalesce(o.ins_base, current_setting('autovacuum_vacuum_insert_threshold')::float8) >= 0
             AND s.n_ins_since_vacuum > coalesce(o.ins_base, current_setting('autovacuum_vacuum_insert_threshold')::float8)
                                        + coalesce(o.ins_scale, current_setting('autovacuum_vacuum_insert_scale_factor')::float8) * greatest(c.reltuples, 0)
                                          * CASE WHEN c.relpages > 0 THEN 1 - least(c.relallfrozen, c.relpages)::float8 / c.relpages ELSE 1 END)
           AND NOT EXISTS (SELECT FROM pg_catalog.pg_stat_progress_vacuum AS p WHERE p.relid = s.relid) AS vacuum_due,
         s.n_mod_since_analyze > coalesce(o.anl_base, current_setting('autovacuum_analyze_threshold')::float8)
                                 + coalesce(o.anl_scale, current_setting('autovacuum_analyze_scale_factor')::float8) * greatest(c.reltuples, 0)
           AND NOT EXISTS (SELECT FROM pg_catalog.pg_stat_progress_analyze AS p WHERE p.relid = s.relid) AS analyze_due
    FROM pg_catalog.pg_stat_user_tables AS s
    JOIN pg_catalog.pg_class AS c ON c.oid = s.relid
    JOIN options AS o ON o.oid = s.relid
    CROSS JOIN LATERAL (SELECT coalesce(o.vac_base, current_setting('autovacuum_vacuum_threshold')::float8)
                               + coalesce(o.vac_scale, current_setting('autovacuum_vacuum_scale_factor')::float8) * greatest(c.reltuples, 0)
                               AS threshold) AS vt
   WHERE c.relpersistence <> 't'
     -- posemo's own tables (its schema) are posemo's to keep, as in every object check; their XID
     -- age still counts in xid_wraparound through the database's datfrozenxid.
     AND s.schemaname <> {{schema_literal}}
), counted_from AS (
  SELECT greatest(d.stats_reset, pg_postmaster_start_time()) AS since
    FROM pg_catalog.pg_stat_database AS d
   WHERE d.datname = current_database()
), aged AS (
  SELECT t.name, t.n_dead_tup AS dead_tuples, t.n_live_tup + t.n_dead_tup AS all_tuples,
         CASE WHEN t.vacuum_due THEN extract(epoch FROM statement_timestamp() - coalesce(t.vacuumed, f.since)) END AS vacuum_age,
         CASE WHEN t.analyze_due THEN extract(epoch FROM statement_timestamp() - coalesce(t.analyzed, f.since)) END AS analyze_age
    FROM tables AS t, counted_from AS f
), ranked AS (
  SELECT 0 AS sort_group, '!TOTAL' AS name, max(a.vacuum_age) AS vacuum_age, max(a.analyze_age) AS analyze_age,
         coalesce(sum(a.dead_tuples), 0) AS dead_tuples, sum(a.all_tuples) AS all_tuples
    FROM aged AS a
  UNION ALL
  (SELECT 1, a.name, a.vacuum_age, a.analyze_age, a.dead_tuples, a.all_tuples
     FROM aged AS a
    ORDER BY greatest(a.vacuum_age, a.analyze_age) DESC NULLS LAST, a.dead_tuples DESC, a.name
    LIMIT greatest(top_n, 0))
)
SELECT r.name, r.vacuum_age::bigint, r.analyze_age::bigint, r.dead_tuples::bigint,
       (100.0 * r.dead_tuples / nullif(r.all_tuples, 0))::double precision
  FROM ranked AS r
 ORDER BY r.sort_group, greatest(r.vacuum_age, r.analyze_age) DESC NULLS LAST, r.dead_tuples DESC, r.name
