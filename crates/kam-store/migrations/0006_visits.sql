-- Visit records 拜访档案记录 (附表三).

CREATE TABLE visits (
    id ${id},
    account_id BIGINT NOT NULL REFERENCES accounts(id),
    visited_at TEXT NOT NULL,
    sequence BIGINT,
    goal TEXT NOT NULL,
    interviewees TEXT,
    topics TEXT,
    result TEXT,
    ended_at TEXT,
    objections TEXT,
    resolution_plan TEXT,
    objection_resolved BIGINT NOT NULL DEFAULT 0,
    next_planned TEXT,
    created_by BIGINT REFERENCES users(id),
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    deleted_at TEXT
);
CREATE INDEX visits_account ON visits(account_id, visited_at);
CREATE INDEX visits_next ON visits(next_planned);
