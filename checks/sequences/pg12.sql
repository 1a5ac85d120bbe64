-- Sequences closest to exhaustion in this database. A sequence OWNED BY an integer column (serial,
-- identity) is bounded by that column's type too: a bigint sequence feeding an int4 column fails at
-- 2^31-1, not at its own maximum. A cycling sequence that wraps inside those bounds never runs out
-- and is left out. pg_sequence_last_value() needs SELECT or USAGE on the sequence (it raises an
-- error without it before 17), so it is called only where has_sequence_privilege() allows it;
-- sequences the owner role cannot read make the check UNKNOWN instead of a silent OK.
WITH sequences AS (
  SELECT c.oid, format('%I.%I', n.nspname, c.relname) AS name,
         s.seqincrement::numeric AS step, s.seqstart::numeric AS start, s.seqcycle AS cycles,
         s.seqmin::numeric AS seq_low, s.seqmax::numeric AS seq_high,
         has_sequence_privilege(c.oid, 'SELECT,USAGE') AS readable,
         (SELECT a.atttypid
            FROM pg_catalog.pg_depend AS d
            JOIN pg_catalog.pg_attribute AS a ON a.attrelid = d.refobjid AND a.attnum = d.refobjsubid
           WHERE d.classid = 'pg_catalog.pg_class'::regclass AND d.objid = c.oid
             AND d.refclassid = 'pg_catalog.pg_class'::regclass AND d.refobjsubid > 0
             AND d.deptype IN ('a', 'i')
           LIMIT 1) AS column_type
    FROM pg_catalog.pg_class AS c
    JOIN pg_catalog.pg_namespace AS n ON n.oid = c.relnamespace
    JOIN pg_catalog.pg_sequence AS s ON s.seqrelid = c.oid
   WHERE c.relkind = 'S'
     AND c.relpersistence <> 't'
     AND NOT (c.relpersistence = 'u' AND pg_is_in_recovery())
), bounded AS (
  SELECT sq.*,
         CASE WHEN sq.readable THEN pg_sequence_last_value(sq.oid)::numeric END AS last_value,
         greatest(sq.seq_low, CASE sq.column_type WHEN 'int2'::regtype THEN -32768
                                                  WHEN 'int4'::regtype THEN -2147483648 END) AS low,
         least(sq.seq_high, CASE sq.column_type WHEN 'int2'::regtype THEN 32767
                                                WHEN 'int4'::regtype THEN 2147483647 END) AS high
    FROM sequences AS sq
), positioned AS (
  -- `upcoming` is the value nextval() hands out next: the start until the sequence is first used.
  SELECT b.name, b.readable, b.step, b.low, b.high,
         coalesce(b.last_value + b.step, b.start) AS upcoming
    FROM bounded AS b
   WHERE NOT (b.cycles AND b.low = b.seq_low AND b.high = b.seq_high)
), measured AS (
  SELECT p.name, p.readable,
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
  SELECT 0 AS sort_group, '!TOTAL' AS name, max(m.percent_used) FILTER (WHERE m.readable) AS percent_used,
         min(m.values_left) FILTER (WHERE m.readable) AS values_left
    FROM measured AS m
  UNION ALL
  (SELECT 1, m.name, m.percent_used, m.values_left
     FROM measured AS m
    WHERE m.readable
    ORDER BY m.percent_used DESC, m.name
    LIMIT greatest(top_n, 0))
)
SELECT r.name, r.percent_used::double precision, r.values_left,
       CASE WHEN r.sort_group = 0 AND h.unreadable > 0
            THEN format('role %I cannot read %s of %s sequences (first: %s): grant it SELECT on them, or pg_read_all_data (PostgreSQL 14+)',
                        current_user, h.unreadable, h.total, h.example)
       END
  FROM ranked AS r, hidden AS h
 ORDER BY r.sort_group, r.percent_used DESC, r.name
