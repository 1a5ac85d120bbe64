-- Since 16 any invalidation (WAL removed, rows removed, wal_level) shows as wal_status lost.
SELECT count(*) FILTER (WHERE wal_status IN ('lost', 'unreserved'))::integer,
       count(*) FILTER (WHERE wal_status = 'lost')::integer,
       count(*) FILTER (WHERE wal_status = 'unreserved')::integer,
       string_agg(format('%s (%s)', slot_name, wal_status), ', ' ORDER BY slot_name)
         FILTER (WHERE wal_status IN ('lost', 'unreserved'))
  FROM pg_catalog.pg_replication_slots
