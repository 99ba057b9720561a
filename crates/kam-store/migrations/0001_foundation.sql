-- @sqlite
-- KAM foundation schema (SQLite). Timestamps are RFC 3339 UTC text,
-- @end
-- @postgres
-- KAM foundation schema (PostgreSQL). Timestamps are RFC 3339 UTC text,
-- @end
-- dates YYYY-MM-DD, money BIGINT minor units, booleans BIGINT 0/1.

CREATE TABLE teams (
    id ${id},
    name TEXT NOT NULL UNIQUE,
    manager_id BIGINT,
    created_at TEXT NOT NULL
);

CREATE TABLE users (
    id ${id},
    username TEXT NOT NULL UNIQUE,
    display_name TEXT NOT NULL,
    role TEXT NOT NULL,
    team_id BIGINT REFERENCES teams(id),
    password_hash TEXT NOT NULL,
    active BIGINT NOT NULL DEFAULT 1,
    locale TEXT NOT NULL DEFAULT 'zh-CN',
    created_at TEXT NOT NULL
);
CREATE INDEX users_team ON users(team_id);

CREATE TABLE sessions (
    id TEXT PRIMARY KEY,
    user_id BIGINT NOT NULL REFERENCES users(id),
    csrf TEXT NOT NULL,
    created_at TEXT NOT NULL,
    last_seen TEXT NOT NULL,
    expires_at TEXT NOT NULL
);
CREATE INDEX sessions_user ON sessions(user_id);

CREATE TABLE api_tokens (
    id ${id},
    user_id BIGINT NOT NULL REFERENCES users(id),
    token_hash TEXT NOT NULL UNIQUE,
    label TEXT NOT NULL,
    created_at TEXT NOT NULL,
    revoked_at TEXT
);

CREATE TABLE login_failures (
    id ${id},
    key TEXT NOT NULL,
    at TEXT NOT NULL
);
CREATE INDEX login_failures_key ON login_failures(key, at);

CREATE TABLE settings (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

CREATE TABLE accounts (
    id ${id},
    name TEXT NOT NULL,
    short_name TEXT,
    credit_code TEXT,
    industry TEXT,
    customer_type TEXT,
    grade TEXT,
    stage TEXT,
    nature TEXT,
    revenue_band TEXT,
    source TEXT,
    cooperation_since TEXT,
    province TEXT,
    city TEXT,
    district TEXT,
    street TEXT,
    postcode TEXT,
    phone TEXT,
    fax TEXT,
    email TEXT,
    website TEXT,
    business_scope TEXT,
    background TEXT,
    sales_situation TEXT,
    usage_volume TEXT,
    tags TEXT,
    notes TEXT,
    invoice_title TEXT,
    taxpayer_id TEXT,
    invoice_address TEXT,
    invoice_phone TEXT,
    bank_name TEXT,
    bank_account TEXT,
    invoice_bank TEXT,
    invoice_bank_account TEXT,
    currency TEXT,
    staff_count BIGINT,
    loyalty_points BIGINT,
    credit_limit BIGINT,
    payment_terms_days BIGINT,
    asset_liability_ratio ${real},
    return_on_assets ${real},
    owner_id BIGINT REFERENCES users(id),
    parent_id BIGINT REFERENCES accounts(id),
    created_by BIGINT REFERENCES users(id),
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    deleted_at TEXT
);
CREATE UNIQUE INDEX accounts_credit_code ON accounts(credit_code) WHERE deleted_at IS NULL AND credit_code IS NOT NULL;
CREATE INDEX accounts_owner ON accounts(owner_id);
CREATE INDEX accounts_parent ON accounts(parent_id);
CREATE INDEX accounts_name ON accounts(name);
CREATE INDEX accounts_grade ON accounts(grade);
CREATE INDEX accounts_updated ON accounts(updated_at);

CREATE TABLE account_shares (
    account_id BIGINT NOT NULL REFERENCES accounts(id),
    user_id BIGINT NOT NULL REFERENCES users(id),
    PRIMARY KEY (account_id, user_id)
);
CREATE INDEX account_shares_user ON account_shares(user_id);

CREATE TABLE contacts (
    id ${id},
    name TEXT NOT NULL,
    gender TEXT,
    department TEXT,
    mobile TEXT,
    phone TEXT,
    email TEXT,
    fax TEXT,
    wechat TEXT,
    notes TEXT,
    birth_date TEXT,
    education TEXT,
    hometown TEXT,
    personality TEXT,
    hobbies TEXT,
    home_address TEXT,
    created_by BIGINT REFERENCES users(id),
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    deleted_at TEXT
);

CREATE TABLE account_contacts (
    id ${id},
    account_id BIGINT NOT NULL REFERENCES accounts(id),
    contact_id BIGINT NOT NULL REFERENCES contacts(id),
    title TEXT,
    buying_role TEXT,
    relationship TEXT,
    attitude TEXT,
    is_primary BIGINT NOT NULL DEFAULT 0,
    UNIQUE (account_id, contact_id)
);
CREATE INDEX account_contacts_contact ON account_contacts(contact_id);

CREATE TABLE competitors (
    id ${id},
    name TEXT NOT NULL UNIQUE,
    website TEXT,
    products TEXT,
    strengths TEXT,
    notes TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);

CREATE TABLE account_competitors (
    id ${id},
    account_id BIGINT NOT NULL REFERENCES accounts(id),
    competitor_id BIGINT NOT NULL REFERENCES competitors(id),
    products TEXT,
    prices TEXT,
    share_pct ${real},
    policy TEXT,
    tech_requirements TEXT,
    notes TEXT,
    UNIQUE (account_id, competitor_id)
);

CREATE TABLE account_partners (
    id ${id},
    account_id BIGINT NOT NULL REFERENCES accounts(id),
    kind TEXT NOT NULL,
    name TEXT NOT NULL,
    products TEXT,
    share_pct ${real},
    volume TEXT,
    notes TEXT
);
CREATE INDEX account_partners_account ON account_partners(account_id);

CREATE TABLE search_docs (
    entity TEXT NOT NULL,
    entity_id BIGINT NOT NULL,
    text TEXT NOT NULL,
    PRIMARY KEY (entity, entity_id)
);

CREATE TABLE search_terms (
    entity TEXT NOT NULL,
    entity_id BIGINT NOT NULL,
    term TEXT NOT NULL,
    PRIMARY KEY (entity, entity_id, term)
);
CREATE INDEX search_terms_term ON search_terms(term, entity, entity_id);

CREATE TABLE audit_log (
    id ${id},
    at TEXT NOT NULL,
    actor_id BIGINT,
    action TEXT NOT NULL,
    entity TEXT NOT NULL,
    entity_id BIGINT NOT NULL,
    account_id BIGINT,
    changes TEXT NOT NULL,
    request_id TEXT
);
CREATE INDEX audit_entity ON audit_log(entity, entity_id);
CREATE INDEX audit_account ON audit_log(account_id);

-- @sqlite
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'audit rows are append-only');
END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'audit rows are append-only');
END;
-- @end
-- @postgres
CREATE FUNCTION kam_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit rows are append-only';
END;
$$;
CREATE TRIGGER audit_log_no_update BEFORE UPDATE OR DELETE ON audit_log
    FOR EACH ROW EXECUTE FUNCTION kam_append_only();
CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
    FOR EACH STATEMENT EXECUTE FUNCTION kam_append_only();
-- @end
