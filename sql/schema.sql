-- The schema belongs to the owner role and nobody else may create in it: a pinned search_path is
-- only as safe as the schemas it can reach (the original's S1 escalation went through `public`).
CREATE SCHEMA {{schema}} AUTHORIZATION {{owner}};
REVOKE ALL ON SCHEMA {{schema}} FROM PUBLIC;
