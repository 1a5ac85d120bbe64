-- pg_prepared_xacts is readable by every role: nothing can be hidden here.
-- Ages count to clock_timestamp(): what started after this statement did must not age negatively.
SELECT coalesce(extract(epoch FROM clock_timestamp() - min(prepared)), 0)::double precision,
       count(*)::integer
  FROM pg_catalog.pg_prepared_xacts
