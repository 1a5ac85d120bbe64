-- The role the monitoring server logs in as. It owns nothing and is granted nothing but CONNECT on
-- this database, USAGE on the schema and EXECUTE on the check functions.
CREATE ROLE {{monitoring}} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOINHERIT NOREPLICATION NOBYPASSRLS;
