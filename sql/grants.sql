GRANT CONNECT ON DATABASE {{database}} TO {{monitoring}};
GRANT USAGE ON SCHEMA {{schema}} TO {{monitoring}};
-- pg_statistic is per database. The bloat estimates read it directly: pg_stats hides the rows of
-- tables the reader cannot SELECT, which is how other tools silently miss bloated tables. Only the
-- NOLOGIN owner gets it, and only the estimates leave the functions.
GRANT SELECT ON pg_catalog.pg_statistic TO {{owner}};
