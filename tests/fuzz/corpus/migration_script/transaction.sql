BEGIN;
ALTER TYPE public.s ADD VALUE 'x';
-- c
UPDATE t SET s = 'x';
COMMIT;
