-- The daily work log 业务工作日志 (附表九), its entries, the per-team sign-off
-- chain and the signatures of each submission round.

CREATE TABLE worklogs (
    id ${id},
    author_id BIGINT NOT NULL REFERENCES users(id),
    team_id BIGINT REFERENCES teams(id),
    log_date TEXT NOT NULL,
    market_analysis TEXT,
    product_analysis TEXT,
    status TEXT NOT NULL,
    round BIGINT NOT NULL DEFAULT 0,
    evaluation TEXT,
    evaluated_by BIGINT REFERENCES users(id),
    evaluated_at TEXT,
    submitted_at TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    deleted_at TEXT
);
CREATE UNIQUE INDEX worklogs_author_day ON worklogs(author_id, log_date) WHERE deleted_at IS NULL;
CREATE INDEX worklogs_team_day ON worklogs(team_id, log_date);

CREATE TABLE worklog_visits (
    id ${id},
    worklog_id BIGINT NOT NULL REFERENCES worklogs(id),
    position BIGINT NOT NULL,
    account_id BIGINT NOT NULL REFERENCES accounts(id),
    contact_id BIGINT REFERENCES contacts(id),
    person TEXT,
    time_from TEXT NOT NULL,
    time_to TEXT NOT NULL,
    content TEXT NOT NULL,
    result TEXT,
    note TEXT,
    visit_id BIGINT REFERENCES visits(id)
);
CREATE INDEX worklog_visits_log ON worklog_visits(worklog_id);

CREATE TABLE worklog_collections (
    id ${id},
    worklog_id BIGINT NOT NULL REFERENCES worklogs(id),
    position BIGINT NOT NULL,
    account_id BIGINT NOT NULL REFERENCES accounts(id),
    collection_time TEXT,
    contract_no TEXT,
    product TEXT,
    quantity TEXT,
    contract_amount BIGINT,
    paid_amount BIGINT NOT NULL,
    note TEXT
);
CREATE INDEX worklog_collections_log ON worklog_collections(worklog_id);

CREATE TABLE worklog_affairs (
    id ${id},
    worklog_id BIGINT NOT NULL REFERENCES worklogs(id),
    position BIGINT NOT NULL,
    department TEXT NOT NULL,
    matter TEXT NOT NULL,
    completion TEXT NOT NULL,
    note TEXT
);
CREATE INDEX worklog_affairs_log ON worklog_affairs(worklog_id);

-- Who signs each step for a team's logs.
CREATE TABLE signoff_chains (
    team_id BIGINT NOT NULL REFERENCES teams(id),
    step TEXT NOT NULL,
    signer_id BIGINT NOT NULL REFERENCES users(id),
    PRIMARY KEY (team_id, step)
);

-- One slot per step per submission round; a decision, once taken, stands.
CREATE TABLE worklog_signoffs (
    id ${id},
    worklog_id BIGINT NOT NULL REFERENCES worklogs(id),
    round BIGINT NOT NULL,
    -- The step's place in the chain (0 出纳 … 3 主管副总).
    position BIGINT NOT NULL,
    step TEXT NOT NULL,
    signer_id BIGINT NOT NULL REFERENCES users(id),
    decision TEXT,
    comment TEXT,
    decided_at TEXT,
    UNIQUE (worklog_id, round, step)
);
CREATE INDEX worklog_signoffs_signer ON worklog_signoffs(signer_id, decision);

-- @sqlite
CREATE TRIGGER worklog_signoffs_no_change BEFORE UPDATE ON worklog_signoffs
WHEN OLD.decision IS NOT NULL
BEGIN
    SELECT RAISE(ABORT, 'a signature, once given, stands');
END;
CREATE TRIGGER worklog_signoffs_no_delete BEFORE DELETE ON worklog_signoffs
BEGIN
    SELECT RAISE(ABORT, 'a signature, once given, stands');
END;
-- @end
-- @postgres
CREATE FUNCTION kam_signature_stands() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' OR OLD.decision IS NOT NULL THEN
        RAISE EXCEPTION 'a signature, once given, stands';
    END IF;
    RETURN NEW;
END;
$$;
CREATE TRIGGER worklog_signoffs_stand BEFORE UPDATE OR DELETE ON worklog_signoffs
    FOR EACH ROW EXECUTE FUNCTION kam_signature_stands();
-- @end
