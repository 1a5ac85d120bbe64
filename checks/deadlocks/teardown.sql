-- Removes what setup.sql created (run when the check is removed or posemo is uninstalled).
DROP TABLE IF EXISTS {{schema}}.deadlocks_samples;
