-- Sales targets 销售目标: per rep (a user) or team, one amount per month (fen).
-- A month without a row has no target.

CREATE TABLE sales_targets (
    level TEXT NOT NULL,
    ref_id BIGINT NOT NULL,
    month TEXT NOT NULL,
    amount BIGINT NOT NULL,
    updated_by BIGINT REFERENCES users(id),
    updated_at TEXT NOT NULL,
    PRIMARY KEY (level, ref_id, month)
);
CREATE INDEX sales_targets_month ON sales_targets(month, level);
