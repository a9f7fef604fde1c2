CREATE FUNCTION f() RETURNS int AS $$ SELECT 1; $$ LANGUAGE sql;
/* c; */ DROP TYPE "a""b";
V1__a.sql
2_b.up.sql
