-- Account activity records: contact records 联系记录 and service records 客户服务记录.
-- Local date-times are TEXT 'YYYY-MM-DDTHH:MM' (China time), dates 'YYYY-MM-DD'.

CREATE TABLE interactions (
    id ${id},
    account_id BIGINT NOT NULL REFERENCES accounts(id),
    occurred_at TEXT NOT NULL,
    channel TEXT NOT NULL,
    subject TEXT NOT NULL,
    our_staff TEXT,
    their_people TEXT,
    content TEXT,
    result TEXT,
    next_step TEXT,
    follow_up_date TEXT,
    created_by BIGINT REFERENCES users(id),
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    deleted_at TEXT
);
CREATE INDEX interactions_account ON interactions(account_id, occurred_at);
CREATE INDEX interactions_follow_up ON interactions(follow_up_date);

CREATE TABLE service_records (
    id ${id},
    account_id BIGINT NOT NULL REFERENCES accounts(id),
    service_type TEXT NOT NULL,
    occurred_at TEXT NOT NULL,
    place TEXT,
    staff TEXT,
    content TEXT NOT NULL,
    result TEXT,
    duration_minutes BIGINT,
    created_by BIGINT REFERENCES users(id),
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    deleted_at TEXT
);
CREATE INDEX service_records_account ON service_records(account_id, occurred_at);
