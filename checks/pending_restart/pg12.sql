-- pg_settings shows every setting to pg_read_all_settings (in pg_monitor).
SELECT count(*)::integer, string_agg(name, ', ' ORDER BY name)
  FROM pg_catalog.pg_settings
 WHERE pending_restart
