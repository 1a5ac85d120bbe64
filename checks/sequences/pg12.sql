-- Sequences closest to exhaustion in this database. A sequence is bounded by its own min/max and by
-- the narrowest integer column it fills: the column it is OWNED BY (serial, identity), and every
-- column whose DEFAULT calls nextval() on it (a sequence created by hand and shared, with no OWNED
-- BY): a bigint sequence feeding an int4 column fails at 2^31-1, not at its own maximum. The row
-- says which column (used_by). A cycling sequence that wraps inside those bounds never runs out and
-- is left out. pg_sequence_last_value() needs SELECT (or USAGE) on the sequence: posemo install
-- grants the owner role SELECT on sequences, which shows their counters and nothing of any table.
-- A sequence it still cannot read (created after install by a role install did not know) is one
-- row with no value and the reason, naming the command that fixes it; the others are judged.
WITH sequences AS (
  SELECT c.oid, format('%I.%I', n.nspname, c.relname) AS name,
         s.seqincrement::numeric AS step, s.seqstart::numeric AS start, s.seqcycle AS cycles,
         s.seqmin::numeric AS seq_low, s.seqmax::numeric AS seq_high,
         has_sequence_privilege(c.oid, 'SELECT,USAGE') AS readable
    FROM pg_catalog.pg_class AS c
    JOIN pg_catalog.pg_namespace AS n ON n.oid = c.relnamespace
    JOIN pg_catalog.pg_sequence AS s ON s.seqrelid = c.oid
   WHERE c.relkind = 'S'
     AND c.relpersistence <> 't'
     AND n.nspname <> {{schema_literal}} -- posemo's own objects are posemo's to keep, as in every object check
     AND NOT (c.relpersistence = 'u' AND pg_is_in_recovery())
), fed AS (
  -- Columns a sequence fills: OWNED BY / identity (pg_depend from the sequence to the column), and
  -- DEFAULT nextval(...) (pg_depend from the column's default to the sequence).
  SELECT d.objid AS seq, d.refobjid AS rel, d.refobjsubid AS attnum
    FROM pg_catalog.pg_depend AS d
   WHERE d.classid = 'pg_catalog.pg_class'::regclass AND d.refclassid = 'pg_catalog.pg_class'::regclass
     AND d.refobjsubid > 0 AND d.deptype IN ('a', 'i')
  UNION
  SELECT d.refobjid, ad.adrelid, ad.adnum
    FROM pg_catalog.pg_depend AS d
    JOIN pg_catalog.pg_attrdef AS ad ON ad.oid = d.objid
   WHERE d.classid = 'pg_catalog.pg_attrdef'::regclass AND d.refclassid = 'pg_catalog.pg_class'::regclass
), columns AS (
  SELECT f.seq, format('%I.%I.%I', n.nspname, c.relname, a.attname) AS column_name,
         format_type(a.atttypid, NULL) AS type_name,
         CASE a.atttypid WHEN 'int2'::regtype THEN -32768 WHEN 'int4'::regtype THEN -2147483648 END::numeric AS low,
         CASE a.atttypid WHEN 'int2'::regtype THEN 32767 WHEN 'int4'::regtype THEN 2147483647 END::numeric AS high
    FROM fed AS f
    JOIN pg_catalog.pg_attribute AS a ON a.attrelid = f.rel AND a.attnum = f.attnum
    JOIN pg_catalog.pg_class AS c ON c.oid = f.rel
    JOIN pg_catalog.pg_namespace AS n ON n.oid = c.relnamespace
), narrowest AS (
  -- The column that runs out first (the smallest type), named with its type.
  SELECT DISTINCT ON (col.seq) col.seq, col.low, col.high,
         format('%s (%s)', col.column_name, col.type_name) AS used_by
    FROM columns AS col
   ORDER BY col.seq, col.high NULLS LAST, col.column_name
), bounded AS (
  SELECT sq.*, nw.used_by,
         CASE WHEN sq.readable THEN pg_sequence_last_value(sq.oid)::numeric END AS last_value,
         greatest(sq.seq_low, nw.low) AS low,
         least(sq.seq_high, nw.high) AS high
    FROM sequences AS sq
    LEFT JOIN narrowest AS nw ON nw.seq = sq.oid
), positioned AS (
  -- `upcoming` is the value nextval() hands out next: the start until the sequence is first used.
  SELECT b.name, b.readable, b.step, b.low, b.high, b.used_by,
         coalesce(b.last_value + b.step, b.start) AS upcoming
    FROM bounded AS b
   WHERE NOT (b.cycles AND b.low = b.seq_low AND b.high = b.seq_high)
), measured AS (
  SELECT p.name, p.readable, p.used_by,
         CASE WHEN p.step > 0
              THEN greatest(0, least(100, 100 * (p.upcoming - p.low) / (p.high - p.low + 1)))
              ELSE greatest(0, least(100, 100 * (p.high - p.upcoming) / (p.high - p.low + 1)))
         END AS percent_used,
         CASE WHEN p.step > 0
              THEN greatest(0, floor((p.high - p.upcoming) / p.step) + 1)
              ELSE greatest(0, floor((p.upcoming - p.low) / -p.step) + 1)
         END AS values_left
    FROM positioned AS p
), hidden AS (
  SELECT count(*) FILTER (WHERE NOT m.readable) AS unreadable, count(*) AS total,
         min(m.name) FILTER (WHERE NOT m.readable) AS example
    FROM measured AS m
), ranked AS (
  -- The database's row names its fullest sequence and the column it fills: what a page should say.
  SELECT 0 AS sort_group, '!TOTAL' AS name, max(m.percent_used) FILTER (WHERE m.readable) AS percent_used,
         min(m.values_left) FILTER (WHERE m.readable) AS values_left,
         (SELECT w.name || ' filling ' || w.used_by FROM measured AS w WHERE w.readable
           ORDER BY w.percent_used DESC, w.name LIMIT 1) AS used_by,
         NULL::text AS reason
    FROM measured AS m
  UNION ALL
  (SELECT 1, m.name, m.percent_used, m.values_left, m.used_by, NULL::text
     FROM measured AS m
    WHERE m.readable
    ORDER BY m.percent_used DESC, m.name
    LIMIT greatest(top_n, 0))
  UNION ALL
  SELECT 2, h.example, NULL, NULL, NULL,
         format('role %I cannot read %s of %s sequences in database %I (first: %s), created after posemo install: run posemo install again (it grants SELECT on sequences, which shows their counters only)',
                current_user, h.unreadable, h.total, current_database(), h.example)
    FROM hidden AS h
   WHERE h.unreadable > 0
)
SELECT r.name, r.percent_used::double precision, r.values_left, r.used_by, r.reason
  FROM ranked AS r
 ORDER BY r.sort_group, r.percent_used DESC, r.name
