SELECT buffers_alloc
  FROM pg_catalog.pg_stat_bgwriter
