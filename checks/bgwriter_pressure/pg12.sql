SELECT maxwritten_clean, buffers_backend_fsync
  FROM pg_catalog.pg_stat_bgwriter
