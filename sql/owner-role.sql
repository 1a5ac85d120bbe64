-- The owner of every posemo object. NOLOGIN: nobody can sign in as it; its rights are used only
-- inside the SECURITY DEFINER functions. It inherits pg_monitor's rights, which is why it exists.
CREATE ROLE {{owner}} NOLOGIN INHERIT NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS;
