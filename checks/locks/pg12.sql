-- pg_locks is readable by every role. Our own session's locks (the catalog reads of this very
-- query) are not the server's load: leave them out.
SELECT count(*) FILTER (WHERE mode = 'AccessShareLock')::integer,
       count(*) FILTER (WHERE mode = 'RowShareLock')::integer,
       count(*) FILTER (WHERE mode = 'RowExclusiveLock')::integer,
       count(*) FILTER (WHERE mode = 'ShareUpdateExclusiveLock')::integer,
       count(*) FILTER (WHERE mode = 'ShareLock')::integer,
       count(*) FILTER (WHERE mode = 'ShareRowExclusiveLock')::integer,
       count(*) FILTER (WHERE mode = 'ExclusiveLock')::integer,
       count(*) FILTER (WHERE mode = 'AccessExclusiveLock')::integer,
       count(*) FILTER (WHERE mode = 'SIReadLock')::integer,
       count(*)::integer,
       count(*) FILTER (WHERE NOT granted)::integer
  FROM pg_catalog.pg_locks
 WHERE pid IS NULL OR pid <> pg_backend_pid()
