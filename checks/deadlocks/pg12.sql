#variable_conflict use_column
-- Deadlocks per database since this caller's previous run (pg_stat_database deadlocks), with
-- the lifetime totals beside them.
-- pg_stat_database has a row with a NULL datname for shared objects since 12: not a database.
DECLARE
  -- The caller: the `caller` argument (--arg caller=NAME, so two monitoring systems on one host keep
  -- their own samples), else the monitoring role and the host it connects from.
  who pg_catalog.text := pg_catalog.left(coalesce(nullif(caller, ''),
                           session_user || '@' || coalesce(pg_catalog.host(pg_catalog.inet_client_addr()), 'local')), 64);
  standby boolean := pg_catalog.pg_is_in_recovery();
  -- A primary made read-only (default_transaction_read_only, which check sessions leave as the
  -- server sets it, so the write probe sees what applications see) cannot keep a sample either.
  read_only boolean := pg_catalog.current_setting('transaction_read_only')::boolean;
  current_sample pg_catalog.jsonb;
  previous pg_catalog.jsonb;
  previous_at pg_catalog.timestamptz;
BEGIN
  SELECT coalesce(pg_catalog.jsonb_object_agg(d.datname, pg_catalog.to_jsonb(d.deadlocks)), '{}')
    INTO current_sample
    FROM pg_catalog.pg_stat_database AS d
   WHERE d.datname IS NOT NULL
     AND (coalesce(skip_db_re, '') = '' OR d.datname !~ skip_db_re);
  -- A standby is read-only: it keeps no sample, so it has no rate (and reads no stale one).
  IF NOT read_only THEN
    SELECT s.sample, s.taken_at INTO previous, previous_at
      FROM {{schema}}.deadlocks_samples AS s WHERE s.caller = who;
    INSERT INTO {{schema}}.deadlocks_samples AS s (caller, taken_at, sample)
    VALUES (who, pg_catalog.clock_timestamp(), current_sample)
        ON CONFLICT (caller) DO UPDATE SET taken_at = EXCLUDED.taken_at, sample = EXCLUDED.sample;
    DELETE FROM {{schema}}.deadlocks_samples AS s
     WHERE s.caller NOT IN (SELECT k.caller FROM {{schema}}.deadlocks_samples AS k ORDER BY k.taken_at DESC LIMIT 32);
  END IF;
  RETURN QUERY
  WITH per_db AS (
    SELECT c.key AS datname, (c.value #>> '{}')::bigint AS n, (previous ->> c.key)::bigint AS n_before
      FROM pg_catalog.jsonb_each(current_sample) AS c
  ), judged AS (
    -- A counter that went down was reset: that database starts a new baseline.
    SELECT p.*, coalesce(p.n >= p.n_before, false) AS comparable FROM per_db AS p
  ), numbered AS (
    SELECT 0 AS sort_group, '!TOTAL'::text AS datname,
           sum(j.n - j.n_before) FILTER (WHERE j.comparable) AS delta,
           extract(epoch FROM pg_catalog.clock_timestamp() - previous_at)::double precision AS since, coalesce(sum(j.n), 0) AS total,
           CASE WHEN standby THEN 'a standby keeps no previous sample (read-only): no rate, lifetime totals only'
                WHEN read_only THEN 'the server is read-only (default_transaction_read_only): no previous sample kept, no rate, lifetime totals only'
                WHEN previous IS NULL THEN pg_catalog.format('first run for caller %s: baseline taken, judged from the next run', who)
                WHEN bool_or(NOT j.comparable) THEN pg_catalog.format('new baseline for %s (statistics reset or new database)',
                                                                      string_agg(j.datname, ', ' ORDER BY j.datname) FILTER (WHERE NOT j.comparable))
           END AS note
      FROM judged AS j
    UNION ALL
    SELECT 1, j.datname, CASE WHEN j.comparable THEN j.n - j.n_before END, NULL, j.n, NULL
      FROM judged AS j
  )
  SELECT n.datname, n.delta::bigint, n.since, n.total::bigint, n.note
    FROM numbered AS n
   ORDER BY n.sort_group, n.datname;
END
