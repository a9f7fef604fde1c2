-- golang-migrate's down migration: sqlc never reads it.
DROP TABLE orders;
DROP TYPE order_status;
CREATE TYPE never_read AS ENUM ('x');
