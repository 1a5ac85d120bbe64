-- pg_prepared_xacts is readable by every role: nothing can be hidden here.
-- Ages count to clock_timestamp(): what started after this statement did must not age negatively.
-- The oldest one is named (GID, database, owner): it is the one to COMMIT PREPARED or ROLLBACK
-- PREPARED, in that database, and the owner says which application left it.
SELECT coalesce(extract(epoch FROM clock_timestamp() - o.prepared), 0)::double precision,
       (SELECT count(*)::integer FROM pg_catalog.pg_prepared_xacts),
       o.gid,
       o.database::text,
       o.owner::text
  FROM (SELECT 1) AS one
  LEFT JOIN LATERAL (SELECT x.gid, x.database, x.owner, x.prepared
                       FROM pg_catalog.pg_prepared_xacts AS x
                      ORDER BY x.prepared
                      LIMIT 1) AS o ON true
