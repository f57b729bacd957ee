-- The SQLite migration of the same number moves its indexes to lower();
-- PostgreSQL's were made that way (0005, 0008). Kept so both engines'
-- migrations keep the same numbers.
SELECT 1;
