-- Needs analysis 客户需求分析 (each row a dated version) and satisfaction surveys 满意度调查.

CREATE TABLE needs (
    id ${id},
    account_id BIGINT NOT NULL REFERENCES accounts(id),
    analysed_on TEXT NOT NULL,
    needs TEXT NOT NULL,
    purchase_motives TEXT,
    preferences TEXT,
    decision_process TEXT,
    budget BIGINT,
    timing TEXT,
    created_by BIGINT REFERENCES users(id),
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    deleted_at TEXT
);
CREATE INDEX needs_account ON needs(account_id, analysed_on);

CREATE TABLE surveys (
    id ${id},
    account_id BIGINT NOT NULL REFERENCES accounts(id),
    surveyed_on TEXT NOT NULL,
    respondent TEXT,
    overall BIGINT NOT NULL,
    product BIGINT,
    delivery BIGINT,
    service BIGINT,
    price BIGINT,
    nps BIGINT,
    comments TEXT,
    suggestions TEXT,
    created_by BIGINT REFERENCES users(id),
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    deleted_at TEXT
);
CREATE INDEX surveys_account ON surveys(account_id, surveyed_on);
CREATE INDEX surveys_month ON surveys(surveyed_on);
