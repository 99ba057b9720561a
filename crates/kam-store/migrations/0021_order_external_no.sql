-- An order's number in the system it came from (an ERP, last year's sheet):
-- imported orders are found again by it, per account.
ALTER TABLE orders ADD COLUMN external_no TEXT;
CREATE INDEX orders_external_no ON orders(account_id, external_no);
