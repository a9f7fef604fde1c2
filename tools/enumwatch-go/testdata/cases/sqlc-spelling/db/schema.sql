-- The post-mortem: the schema says pending_payment, the Go code (edited by hand after sqlc
-- generated it) writes PendingPayment.
CREATE TYPE order_status AS ENUM ('pending_payment', 'paid');

-- A backslash in a label: with standard_conforming_strings (PostgreSQL's default) 'a\tb' is
-- four characters, but sqlc writes it between Go double quotes unescaped, and Go reads a tab.
CREATE TYPE path_sep AS ENUM ('a\tb', 'plain');

-- The schema grew; models.go was not regenerated.
CREATE TYPE shipping AS ENUM ('standard', 'express', 'overnight');

-- The same values in another order.
CREATE TYPE priority AS ENUM ('low', 'normal', 'high');
