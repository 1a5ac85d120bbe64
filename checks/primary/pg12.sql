SELECT NOT pg_is_in_recovery()
