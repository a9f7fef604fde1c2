-- «Straße» and other non-ASCII text before the error: the column counts characters.
CREATE TYPE order_status AS ENUM ('pending_payment', 'paid');
CREATE TYPE ünïcode AS ENUM (
    ‘smart quotes’, 'are not SQL');
