-- +goose Up
ALTER TYPE order_status ADD VALUE 'refunded';
ALTER TYPE order_status ADD VALUE IF NOT EXISTS 'pending_review' BEFORE 'paid';
ALTER TYPE order_status ADD VALUE IF NOT EXISTS 'paid';
ALTER TYPE order_status RENAME VALUE 'cancelled' TO 'canceled';

CREATE SCHEMA risk;
CREATE TYPE risk.level AS ENUM ('low', 'high');

CREATE TYPE temp_kind AS ENUM ('x');
ALTER TYPE temp_kind RENAME TO legacy_kind;
DROP TYPE IF EXISTS legacy_kind, no_such_type;

CREATE TYPE moving AS ENUM ('here', 'there');
ALTER TYPE moving SET SCHEMA billing;

-- +goose Down
DROP TYPE risk.level;
CREATE TYPE only_in_down AS ENUM ('x');
