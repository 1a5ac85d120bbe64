-- A database created by posemo is posemo's alone: PUBLIC may not connect to it or create temporary
-- tables in it, and may not create objects in `public` (the default on PostgreSQL 14 and older), so
-- the monitoring role can do nothing there but call its functions. USAGE on `public` stays: an
-- extension a check reads (pg_stat_statements) lives there, and USAGE alone lets nobody plant anything.
REVOKE ALL ON DATABASE {{database}} FROM PUBLIC;
REVOKE CREATE ON SCHEMA public FROM PUBLIC;
