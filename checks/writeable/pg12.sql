-- Fixed retention and no caller-supplied text: the monitoring role cannot make the table grow (S6).
DELETE FROM {{schema}}.writeable_probe
 WHERE written_at < statement_timestamp() - interval '1 day';
INSERT INTO {{schema}}.writeable_probe DEFAULT VALUES;
-- Seconds spent so far; the runner replaces it with the time it measured, which includes COMMIT.
SELECT extract(epoch FROM clock_timestamp() - statement_timestamp())::double precision;
