CREATE TYPE order_status AS ENUM ('pending_payment', 'paid');

/* a second definition,
   as PostgreSQL would refuse it */
CREATE TYPE public.order_status AS ENUM ('PendingPayment', 'Paid');
