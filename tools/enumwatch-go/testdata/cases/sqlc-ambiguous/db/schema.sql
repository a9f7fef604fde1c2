-- Both are OrderStatus to sqlc (StructName: "order_status" and "OrderStatus").
CREATE TYPE order_status AS ENUM ('new', 'paid');
CREATE TYPE "OrderStatus" AS ENUM ('New', 'Paid');
-- Both are Kind: neither matches the code's values.
CREATE TYPE kind AS ENUM ('x');
CREATE TYPE "Kind" AS ENUM ('y');
