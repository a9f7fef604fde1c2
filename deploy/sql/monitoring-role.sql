-- A least-privilege role for enumwatch. Run as a superuser (or the database owner) in each
-- database enumwatch watches, after replacing the database name and password.
--
-- enumwatch only reads the system catalogs (pg_type, pg_enum, pg_namespace, pg_depend,
-- pg_attribute, pg_class, pg_attrdef, pg_constraint), which every role may read, so it needs
-- nothing beyond LOGIN and CONNECT. With migration_table set, it also needs SELECT on that one
-- table. Impact estimates (docs/check-enums.md) come from pg_stats, which shows a column only to
-- a role that may SELECT it: without the optional grant below they are "unknown".

CREATE ROLE enumwatch WITH LOGIN PASSWORD 'change-me'
  NOSUPERUSER NOCREATEDB NOCREATEROLE NOINHERIT NOREPLICATION NOBYPASSRLS
  CONNECTION LIMIT 4;

-- Keep a runaway catalog query from ever holding resources for long.
ALTER ROLE enumwatch SET statement_timeout = '30s';
ALTER ROLE enumwatch SET default_transaction_read_only = on;

GRANT CONNECT ON DATABASE orders TO enumwatch;

-- Only when migration_table = "alembic_version" (adjust schema and table):
-- GRANT USAGE ON SCHEMA public TO enumwatch;
-- GRANT SELECT ON public.alembic_version TO enumwatch;

-- Optional, for impact estimates: SELECT on the columns that hold enum values. enumwatch never
-- reads the rows in its polls (only pg_stats); `diff --impact exact`, run by a person, does.
-- GRANT SELECT (status, channel) ON public.orders TO enumwatch;
