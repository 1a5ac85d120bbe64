#variable_conflict use_column
-- The estimate needs the average width and null fraction of every indexed column (a table column,
-- or an expression ANALYZE sampled for the index), which live in pg_statistic: pg_stats shows only
-- the rows of tables the caller may SELECT, so the owner role reads pg_statistic itself, which
-- takes SELECT on it in this database. Without that grant the query below would fail at its start,
-- so it is not run at all: UNKNOWN, with the reason.
BEGIN
  IF NOT has_table_privilege('pg_catalog.pg_statistic', 'SELECT') THEN
    RETURN QUERY SELECT '!TOTAL'::text, NULL::double precision, NULL::bigint, NULL::bigint, NULL::text, NULL::text,
      format('role %I cannot read pg_catalog.pg_statistic in database %I: grant it SELECT on it (posemo install does)',
             current_user, current_database());
    RETURN;
  END IF;
  -- Expected size of a B-tree: a leaf tuple is an 8-byte header (16 with a null bitmap) plus the
  -- data (average widths weighted by non-NULL share, fixed-width types rounded up to their
  -- alignment), padded to 8, plus a 4-byte line pointer; a leaf page holds (block_size - 24 - 16)
  -- * fillfactor / 100 bytes of them (fillfactor 90 unless set). Add the meta page and one
  -- internal page per leaf page's worth of downlinks. Deduplication (13+) can make an index
  -- smaller than this: such an index shows no bloat rather than a false one.
  RETURN QUERY
  WITH candidates AS (
    SELECT c.oid, i.indrelid, i.indkey, format('%I.%I', n.nspname, c.relname) AS name,
           format('%I.%I', tn.nspname, tc.relname) AS table_name,
           c.reltuples::numeric AS tuples, c.relpages::numeric AS pages,
           c.relpages::numeric * current_setting('block_size')::numeric >= pg_size_bytes(min_size) AS big_enough,
           n.nspname IN ('pg_catalog', 'information_schema') AS system,
           coalesce((SELECT o.option_value::numeric FROM pg_catalog.pg_options_to_table(c.reloptions) AS o
                      WHERE o.option_name = 'fillfactor'), 90) AS fillfactor
      FROM pg_catalog.pg_index AS i
      JOIN pg_catalog.pg_class AS c ON c.oid = i.indexrelid
      JOIN pg_catalog.pg_namespace AS n ON n.oid = c.relnamespace
      JOIN pg_catalog.pg_class AS tc ON tc.oid = i.indrelid
      JOIN pg_catalog.pg_namespace AS tn ON tn.oid = tc.relnamespace
      JOIN pg_catalog.pg_am AS am ON am.oid = c.relam
     WHERE am.amname = 'btree' AND i.indisvalid AND c.relkind = 'i'
       AND c.relpersistence <> 't'
       AND tn.nspname <> {{schema_literal}} -- posemo's own tables are posemo's to keep, as in every object check
  ), indexes AS (
    SELECT * FROM candidates AS k WHERE k.big_enough AND k.tuples >= 0 AND k.pages > 0
  ), widths AS (
    SELECT x.oid,
           bool_or(coalesce(s.stanullfrac, 0) > 0) AS has_nulls,
           sum((1 - coalesce(s.stanullfrac, 0))
               * CASE WHEN a.attlen > 0
                      THEN ceil(a.attlen / al.bytes) * al.bytes
                      ELSE s.stawidth END) AS data_width,
           bool_and(s.stawidth IS NOT NULL OR a.attlen > 0) AS estimable,
           bool_or(s.starelid IS NOT NULL) AS analyzed
      FROM indexes AS x
      JOIN pg_catalog.pg_attribute AS a ON a.attrelid = x.oid AND a.attnum > 0
      CROSS JOIN LATERAL (SELECT CASE a.attalign WHEN 'd' THEN 8 WHEN 'i' THEN 4 WHEN 's' THEN 2 ELSE 1 END::numeric AS bytes) AS al
      LEFT JOIN pg_catalog.pg_statistic AS s
        ON NOT s.stainherit
       AND (s.starelid, s.staattnum) = (CASE WHEN x.indkey[a.attnum - 1] = 0 THEN x.oid ELSE x.indrelid END,
                                        CASE WHEN x.indkey[a.attnum - 1] = 0 THEN a.attnum ELSE x.indkey[a.attnum - 1] END)
     GROUP BY x.oid
  ), estimated AS (
    SELECT x.oid, x.name, x.table_name, x.pages, per_page.tuples AS tuples_per_page,
           ceil(x.tuples / per_page.tuples) AS leaf_pages
      FROM indexes AS x
      JOIN widths AS w ON w.oid = x.oid
      CROSS JOIN LATERAL (
        SELECT greatest(1, floor((current_setting('block_size')::numeric - 24 - 16) * x.fillfactor / 100
                                 / (8 * ceil(((CASE WHEN w.has_nulls THEN 16 ELSE 8 END) + w.data_width) / 8) + 4))) AS tuples
      ) AS per_page
     WHERE w.estimable AND w.analyzed
  ), bloat AS (
    SELECT e.name, e.table_name, e.pages * current_setting('block_size')::numeric AS bytes,
           greatest(e.pages - (1 + e.leaf_pages + ceil(e.leaf_pages / e.tuples_per_page)), 0)
             * current_setting('block_size')::numeric AS bloat_bytes
      FROM estimated AS e
  ), skipped AS (
    -- What was not judged, so an OK says so: indexes under min_size (not counting the system
    -- catalogs'), and indexes without an estimate (their table never analyzed).
    SELECT nullif(concat_ws(', ',
             CASE WHEN count(*) FILTER (WHERE NOT k.big_enough AND NOT k.system) > 0
                  THEN format('%s indexes under min_size %s', count(*) FILTER (WHERE NOT k.big_enough AND NOT k.system), pg_size_pretty(pg_size_bytes(min_size))) END,
             CASE WHEN count(*) FILTER (WHERE k.big_enough AND k.oid NOT IN (SELECT e.oid FROM estimated AS e)) > 0
                  THEN format('%s indexes without statistics (table never analyzed)', count(*) FILTER (WHERE k.big_enough AND k.oid NOT IN (SELECT e.oid FROM estimated AS e))) END), '') AS note
      FROM candidates AS k
  ), ranked AS (
    SELECT 0 AS sort_group, '!TOTAL' AS name, NULL::text AS table_name, sum(b.bloat_bytes) AS bloat_bytes, sum(b.bytes) AS bytes,
           (SELECT sk.note FROM skipped AS sk) AS note
      FROM bloat AS b
    UNION ALL
    (SELECT 1, b.name, b.table_name, b.bloat_bytes, b.bytes, NULL::text
       FROM bloat AS b
      ORDER BY b.bloat_bytes / nullif(b.bytes, 0) DESC NULLS LAST, b.bloat_bytes DESC, b.name
      LIMIT greatest(top_n, 0))
  )
  SELECT r.name, (100 * r.bloat_bytes / nullif(r.bytes, 0))::double precision,
         r.bloat_bytes::bigint, r.bytes::bigint, r.table_name, r.note, NULL::text
    FROM ranked AS r
   ORDER BY r.sort_group, r.bloat_bytes / nullif(r.bytes, 0) DESC NULLS LAST, r.bloat_bytes DESC, r.name;
END
