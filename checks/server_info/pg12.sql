SELECT current_setting('server_version_num')::integer,
       extract(epoch FROM clock_timestamp() - pg_postmaster_start_time())::double precision,
       extract(epoch FROM clock_timestamp() - pg_conf_load_time())::double precision
