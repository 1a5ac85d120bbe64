GRANT CONNECT ON DATABASE {{database}} TO {{monitoring}};
GRANT USAGE ON SCHEMA {{schema}} TO {{monitoring}};
