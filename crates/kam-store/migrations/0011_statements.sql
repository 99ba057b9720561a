-- Monthly reconciliation statements 对账单: snapshots of the ledger and the customer's answers.

CREATE TABLE statements (
    id ${id},
    account_id BIGINT NOT NULL REFERENCES accounts(id),
    currency TEXT NOT NULL,
    period TEXT NOT NULL,
    period_start TEXT NOT NULL,
    period_end TEXT NOT NULL,
    opening BIGINT NOT NULL,
    closing BIGINT NOT NULL,
    status TEXT NOT NULL,
    sent_at TEXT,
    answered_at TEXT,
    resolved_at TEXT,
    created_by BIGINT REFERENCES users(id),
    created_at TEXT NOT NULL,
    UNIQUE (account_id, currency, period)
);
CREATE INDEX statements_period ON statements(period, status);

-- Each ledger entry is covered by exactly one statement: in its opening
-- balance (the account's first statement) or as one of its lines.
CREATE TABLE statement_lines (
    id ${id},
    statement_id BIGINT NOT NULL REFERENCES statements(id),
    position BIGINT NOT NULL,
    entry_id BIGINT NOT NULL REFERENCES ledger_entries(id),
    in_opening BIGINT NOT NULL DEFAULT 0,
    entry_date TEXT NOT NULL,
    kind TEXT NOT NULL,
    amount BIGINT NOT NULL,
    reference TEXT,
    answer TEXT,
    customer_amount BIGINT,
    note TEXT,
    resolution TEXT,
    adjustment_entry_id BIGINT REFERENCES ledger_entries(id),
    resolution_note TEXT
);
CREATE UNIQUE INDEX statement_lines_entry ON statement_lines(entry_id);
CREATE INDEX statement_lines_statement ON statement_lines(statement_id, position);
