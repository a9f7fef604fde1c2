-- sqlc version 1: no engine means PostgreSQL; `rename` is global; a glob lists the files.
CREATE TYPE stock_state AS ENUM ('in_stock', 'backordered', 'discontinued');
CREATE SCHEMA "Inventory";
CREATE TYPE "Inventory"."Bin-Size" AS ENUM ('S', 'M', 'L', 'XL');
CREATE TYPE sku_id_kind AS ENUM ('ean', 'upc');
