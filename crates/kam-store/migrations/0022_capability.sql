-- 客户综合销售力分析表 (附表六): per account and year one sheet; per month and
-- factor (1–25) one score 1–4. An empty cell is an absent row.

CREATE TABLE capability_sheets (
    id ${id},
    account_id BIGINT NOT NULL REFERENCES accounts(id),
    year BIGINT NOT NULL,
    created_by BIGINT REFERENCES users(id),
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    UNIQUE (account_id, year)
);

CREATE TABLE capability_scores (
    sheet_id BIGINT NOT NULL REFERENCES capability_sheets(id),
    month BIGINT NOT NULL,
    factor BIGINT NOT NULL,
    score BIGINT NOT NULL,
    PRIMARY KEY (sheet_id, month, factor)
);
CREATE INDEX capability_sheets_year ON capability_sheets(year, account_id);
