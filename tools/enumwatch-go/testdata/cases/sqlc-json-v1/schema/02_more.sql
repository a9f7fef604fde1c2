ALTER TYPE "Inventory"."Bin-Size" ADD VALUE 'XS' BEFORE 'S';
ALTER TYPE stock_state ADD VALUE 'preorder' AFTER 'in_stock';
