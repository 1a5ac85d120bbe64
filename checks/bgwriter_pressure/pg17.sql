-- 17 removed buffers_backend_fsync; pg_stat_io counts the same fsyncs per backend type. Only
-- relation data: 18 added WAL rows, whose fsyncs are ordinary commits, not pressure.
SELECT (SELECT maxwritten_clean FROM pg_catalog.pg_stat_bgwriter),
       (SELECT sum(fsyncs)::bigint
          FROM pg_catalog.pg_stat_io
         WHERE backend_type = 'client backend' AND object = 'relation')
