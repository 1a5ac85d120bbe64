#variable_conflict use_column
-- The estimate needs every column's average width and null fraction, which live in pg_statistic:
-- pg_stats shows only the rows of tables the caller may SELECT (the peers' blind spot), so the
-- owner role reads pg_statistic itself, which takes SELECT on it in this database. Without that
-- grant the query below would fail at its start, so it is not run at all: UNKNOWN, with the reason.
BEGIN
  IF NOT has_table_privilege('pg_catalog.pg_statistic', 'SELECT') THEN
    RETURN QUERY SELECT '!TOTAL'::text, NULL::double precision, NULL::bigint, NULL::bigint, NULL::text,
      format('role %I cannot read pg_catalog.pg_statistic in database %I: grant it SELECT on it (posemo install does)',
             current_user, current_database());
    RETURN;
  END IF;
  -- Expected size: a heap tuple is a 23-byte header plus a null bitmap when some column has NULLs,
  -- padded to 8 bytes, then the data (each column's average width weighted by its non-NULL share,
  -- fixed-width types rounded up to their alignment), padded to 8; plus a 4-byte line pointer. A
  -- page holds (block_size - 24) * fillfactor / 100 bytes of them. relpages and reltuples both come
  -- from the last VACUUM or ANALYZE, so they describe the same moment. A table with a column that
  -- has no statistics (never analyzed) has no estimate.
  RETURN QUERY
  WITH candidates AS (
    SELECT c.oid, format('%I.%I', n.nspname, c.relname) AS name, c.reltuples::numeric AS tuples,
           c.relpages::numeric AS pages,
           c.relpages::numeric * current_setting('block_size')::numeric >= pg_size_bytes(min_size) AS big_enough,
           n.nspname IN ('pg_catalog', 'information_schema') AS system,
           coalesce((SELECT o.option_value::numeric FROM pg_catalog.pg_options_to_table(c.reloptions) AS o
                      WHERE o.option_name = 'fillfactor'), 100) AS fillfactor
      FROM pg_catalog.pg_class AS c
      JOIN pg_catalog.pg_namespace AS n ON n.oid = c.relnamespace
     WHERE c.relkind IN ('r', 'm') AND c.relpersistence <> 't'
       AND n.nspname <> {{schema_literal}} -- posemo's own tables are posemo's to keep, as in every object check
  ), tables AS (
    SELECT * FROM candidates AS k WHERE k.big_enough AND k.tuples >= 0
  ), widths AS (
    SELECT a.attrelid,
           max(a.attnum) AS columns,
           bool_or(coalesce(s.stanullfrac, 0) > 0) AS has_nulls,
           sum((1 - coalesce(s.stanullfrac, 0))
               * CASE WHEN a.attlen > 0
                      THEN ceil(a.attlen / al.bytes) * al.bytes
                      ELSE s.stawidth END) AS data_width,
           bool_and(s.stawidth IS NOT NULL OR a.attlen > 0) AS estimable
      FROM pg_catalog.pg_attribute AS a
      JOIN tables AS t ON t.oid = a.attrelid
      CROSS JOIN LATERAL (SELECT CASE a.attalign WHEN 'd' THEN 8 WHEN 'i' THEN 4 WHEN 's' THEN 2 ELSE 1 END::numeric AS bytes) AS al
      LEFT JOIN pg_catalog.pg_statistic AS s
        ON s.starelid = a.attrelid AND s.staattnum = a.attnum AND NOT s.stainherit
     WHERE a.attnum > 0 AND NOT a.attisdropped
     GROUP BY a.attrelid
    HAVING bool_or(s.starelid IS NOT NULL)
  ), estimated AS (
    SELECT t.oid, t.name, t.pages,
           ceil(t.tuples / greatest(1, floor((current_setting('block_size')::numeric - 24) * t.fillfactor / 100
                                             / (8 * ceil((23 + CASE WHEN w.has_nulls THEN ceil(w.columns / 8.0) ELSE 0 END) / 8)
                                                + 8 * ceil(w.data_width / 8) + 4)))) AS expected_pages
      FROM tables AS t
      JOIN widths AS w ON w.attrelid = t.oid
     WHERE w.estimable
  ), bloat AS (
    SELECT e.name, e.pages * current_setting('block_size')::numeric AS bytes,
           greatest(e.pages - e.expected_pages, 0) * current_setting('block_size')::numeric AS bloat_bytes
      FROM estimated AS e
  ), skipped AS (
    -- What was not judged, so an OK says so: tables under min_size (the system catalogs, small in
    -- every database, are not counted), and tables without an estimate (never analyzed).
    SELECT nullif(concat_ws(', ',
             CASE WHEN count(*) FILTER (WHERE NOT k.big_enough AND NOT k.system) > 0
                  THEN format('%s tables under min_size %s', count(*) FILTER (WHERE NOT k.big_enough AND NOT k.system), pg_size_pretty(pg_size_bytes(min_size))) END,
             CASE WHEN count(*) FILTER (WHERE k.big_enough AND k.oid NOT IN (SELECT e.oid FROM estimated AS e)) > 0
                  THEN format('%s tables without statistics (never analyzed)', count(*) FILTER (WHERE k.big_enough AND k.oid NOT IN (SELECT e.oid FROM estimated AS e))) END), '') AS note
      FROM candidates AS k
  ), ranked AS (
    SELECT 0 AS sort_group, '!TOTAL' AS name, sum(b.bloat_bytes) AS bloat_bytes, sum(b.bytes) AS bytes,
           (SELECT sk.note FROM skipped AS sk) AS note
      FROM bloat AS b
    UNION ALL
    (SELECT 1, b.name, b.bloat_bytes, b.bytes, NULL::text
       FROM bloat AS b
      ORDER BY b.bloat_bytes / nullif(b.bytes, 0) DESC NULLS LAST, b.bloat_bytes DESC, b.name
      LIMIT greatest(top_n, 0))
  )
  SELECT r.name, (100 * r.bloat_bytes / nullif(r.bytes, 0))::double precision,
         r.bloat_bytes::bigint, r.bytes::bigint, r.note, NULL::text
    FROM ranked AS r
   ORDER BY r.sort_group, r.bloat_bytes / nullif(r.bytes, 0) DESC NULLS LAST, r.bloat_bytes DESC, r.name;
END
