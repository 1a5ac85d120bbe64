-- pg_ls_waldir() is granted to pg_monitor and lists regular files only (not archive_status/).
SELECT (count(*) FILTER (WHERE name ~ '^[0-9A-F]{24}$'))::integer,
       coalesce(sum(size), 0)::bigint
  FROM pg_catalog.pg_ls_waldir()
