-- The money: products, orders with lines and steps, and the append-only ledger.

CREATE TABLE products (
    id ${id},
    code TEXT NOT NULL,
    name TEXT NOT NULL,
    unit TEXT NOT NULL,
    list_price BIGINT,
    tax_rate ${real},
    active BIGINT NOT NULL DEFAULT 1,
    note TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE UNIQUE INDEX products_code ON products(code);

CREATE TABLE orders (
    id ${id},
    number TEXT,
    account_id BIGINT NOT NULL REFERENCES accounts(id),
    status TEXT NOT NULL,
    order_date TEXT NOT NULL,
    contract_no TEXT,
    payment_method TEXT,
    currency TEXT,
    delivery_date TEXT,
    note TEXT,
    total_with_tax BIGINT NOT NULL,
    total_without_tax BIGINT NOT NULL,
    tax BIGINT NOT NULL,
    -- What the credit check saw when the order was placed.
    credit_limit BIGINT,
    credit_exposure BIGINT,
    approved_by BIGINT REFERENCES users(id),
    approved_at TEXT,
    created_by BIGINT REFERENCES users(id),
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE UNIQUE INDEX orders_number ON orders(number);
CREATE INDEX orders_account ON orders(account_id, status);

CREATE TABLE order_lines (
    id ${id},
    order_id BIGINT NOT NULL REFERENCES orders(id),
    position BIGINT NOT NULL,
    product_id BIGINT NOT NULL REFERENCES products(id),
    product_code TEXT NOT NULL,
    product_name TEXT NOT NULL,
    unit TEXT NOT NULL,
    quantity TEXT NOT NULL,
    unit_price BIGINT NOT NULL,
    discount_pct ${real},
    tax_rate ${real},
    with_tax BIGINT NOT NULL,
    without_tax BIGINT NOT NULL,
    tax BIGINT NOT NULL
);
CREATE INDEX order_lines_order ON order_lines(order_id);

CREATE TABLE order_steps (
    id ${id},
    order_id BIGINT NOT NULL REFERENCES orders(id),
    from_status TEXT,
    to_status TEXT NOT NULL,
    on_date TEXT NOT NULL,
    at TEXT NOT NULL,
    by_user BIGINT REFERENCES users(id),
    note TEXT
);
CREATE INDEX order_steps_order ON order_steps(order_id);

-- Signed amounts: the effect on what the customer owes.
CREATE TABLE ledger_entries (
    id ${id},
    account_id BIGINT NOT NULL REFERENCES accounts(id),
    entry_date TEXT NOT NULL,
    kind TEXT NOT NULL,
    amount BIGINT NOT NULL,
    currency TEXT NOT NULL,
    due_date TEXT,
    payment_method TEXT,
    voucher_no TEXT,
    invoice_no TEXT,
    contract_no TEXT,
    reference TEXT,
    note TEXT,
    order_id BIGINT REFERENCES orders(id),
    reverses_id BIGINT REFERENCES ledger_entries(id),
    created_by BIGINT REFERENCES users(id),
    created_at TEXT NOT NULL
);
CREATE INDEX ledger_account_date ON ledger_entries(account_id, currency, entry_date, id);
CREATE UNIQUE INDEX ledger_one_reversal ON ledger_entries(reverses_id);

-- @sqlite
CREATE TRIGGER ledger_no_update BEFORE UPDATE ON ledger_entries
BEGIN
    SELECT RAISE(ABORT, 'ledger entries are append-only');
END;
CREATE TRIGGER ledger_no_delete BEFORE DELETE ON ledger_entries
BEGIN
    SELECT RAISE(ABORT, 'ledger entries are append-only');
END;
-- @end
-- @postgres
CREATE TRIGGER ledger_no_update BEFORE UPDATE OR DELETE ON ledger_entries
    FOR EACH ROW EXECUTE FUNCTION kam_append_only();
CREATE TRIGGER ledger_no_truncate BEFORE TRUNCATE ON ledger_entries
    FOR EACH STATEMENT EXECUTE FUNCTION kam_append_only();
-- @end
