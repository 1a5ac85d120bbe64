-- PostgreSQL 16+: when every ordinary connection slot is taken, the monitoring role may still log in
-- through the reserved_connections slots and report the server full instead of failing to connect.
-- INHERIT TRUE because the role is NOINHERIT (the privilege is checked as inherited); SET FALSE:
-- it never needs to become that role.
GRANT pg_use_reserved_connections TO {{monitoring}} WITH INHERIT TRUE, SET FALSE;
