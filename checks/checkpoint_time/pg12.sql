SELECT checkpoint_write_time, checkpoint_sync_time
  FROM pg_catalog.pg_stat_bgwriter
