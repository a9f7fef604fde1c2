\restrict 4fQmX2bLkR0
-- pg_dump 15.14 and later put \restrict lines around a dump; sqlc drops them, and so do we.
CREATE TYPE order_status AS ENUM ('pending_payment', 'paid', 'cancelled');

CREATE SCHEMA billing;
CREATE TYPE billing.currency AS ENUM ('eur', 'usd');

/* Names sqlc has to turn into Go: initialisms, non-ASCII letters, a leading digit. */
CREATE TYPE api_id_kind AS ENUM ('user id', 'service');
CREATE TYPE "Über Status" AS ENUM ('naïve', 'it''s', 'on hold');
CREATE TYPE "2fa_method" AS ENUM ('totp', 'sms');

CREATE TABLE orders (
    id bigserial PRIMARY KEY,
    status order_status NOT NULL DEFAULT 'pending_payment',
    currency billing.currency NOT NULL
);
\unrestrict 4fQmX2bLkR0
