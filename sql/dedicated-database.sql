-- A database created by posemo is posemo's alone: PUBLIC may not connect, create temporary tables
-- or create objects in `public` (the default on PostgreSQL 14 and older), so the monitoring role can
-- do nothing there but call its functions.
REVOKE ALL ON DATABASE {{database}} FROM PUBLIC;
REVOKE ALL ON SCHEMA public FROM PUBLIC;
