-- A hidden file: sqlc skips it.
CREATE TYPE hidden AS ENUM ('x');
