-- pg_monitor (pg_read_all_settings, pg_read_all_stats, pg_stat_scan_tables) is all the checks need.
GRANT pg_monitor TO {{owner}};
