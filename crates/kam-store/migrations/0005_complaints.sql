-- Complaints 客户投诉管理卡 (附表八) and the steps of their workflow.

CREATE TABLE complaints (
    id ${id},
    account_id BIGINT NOT NULL REFERENCES accounts(id),
    received_at TEXT NOT NULL,
    complainant TEXT NOT NULL,
    received_by TEXT,
    subject TEXT NOT NULL,
    content TEXT NOT NULL,
    priority TEXT NOT NULL,
    handler TEXT,
    analysis TEXT,
    remedy TEXT,
    result TEXT,
    replied_by TEXT,
    replied_at TEXT,
    customer_reaction TEXT,
    notes TEXT,
    status TEXT NOT NULL,
    reply_due TEXT NOT NULL,
    resolve_due TEXT NOT NULL,
    created_by BIGINT REFERENCES users(id),
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    deleted_at TEXT
);
CREATE INDEX complaints_account ON complaints(account_id, received_at);
CREATE INDEX complaints_status ON complaints(status, resolve_due);

CREATE TABLE complaint_steps (
    id ${id},
    complaint_id BIGINT NOT NULL REFERENCES complaints(id),
    account_id BIGINT NOT NULL REFERENCES accounts(id),
    from_status TEXT,
    to_status TEXT NOT NULL,
    at TEXT NOT NULL,
    by_user BIGINT REFERENCES users(id),
    note TEXT
);
CREATE INDEX complaint_steps_complaint ON complaint_steps(complaint_id, id);
