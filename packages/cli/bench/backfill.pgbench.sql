-- The OLTP workload beside the backfill benchmark (backfill.bench.ts): an application's point
-- read and point write on the table being backfilled, one transaction each, by primary key.
\set id random(1, :rows)
SELECT id, email, billing_email, amount FROM invoices WHERE id = :id;
UPDATE invoices SET amount = amount + 1, updated_at = now() WHERE id = :id;
