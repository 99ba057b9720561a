-- Contracts 合同与协议, their amendments (append-only) and attachments (stored as blobs).

CREATE TABLE contracts (
    id ${id},
    account_id BIGINT NOT NULL REFERENCES accounts(id),
    contract_no TEXT NOT NULL,
    contract_type TEXT NOT NULL,
    title TEXT NOT NULL,
    signed_on TEXT,
    valid_from TEXT,
    valid_to TEXT,
    amount BIGINT,
    currency TEXT,
    payment_terms TEXT,
    delivery_terms TEXT,
    after_sales_terms TEXT,
    rights_obligations TEXT,
    sla_reply_urgent BIGINT,
    sla_resolve_urgent BIGINT,
    sla_reply_high BIGINT,
    sla_resolve_high BIGINT,
    sla_reply_normal BIGINT,
    sla_resolve_normal BIGINT,
    sla_reply_low BIGINT,
    sla_resolve_low BIGINT,
    status TEXT NOT NULL,
    created_by BIGINT REFERENCES users(id),
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    deleted_at TEXT
);
CREATE UNIQUE INDEX contracts_no ON contracts(contract_no) WHERE deleted_at IS NULL;
CREATE INDEX contracts_account ON contracts(account_id, status);
CREATE INDEX contracts_valid_to ON contracts(valid_to);

CREATE TABLE contract_amendments (
    id ${id},
    contract_id BIGINT NOT NULL REFERENCES contracts(id),
    amended_on TEXT NOT NULL,
    change TEXT NOT NULL,
    amount_delta BIGINT,
    created_by BIGINT REFERENCES users(id),
    created_at TEXT NOT NULL
);
CREATE INDEX contract_amendments_contract ON contract_amendments(contract_id);

CREATE TABLE contract_attachments (
    id ${id},
    contract_id BIGINT NOT NULL REFERENCES contracts(id),
    file_name TEXT NOT NULL,
    content_type TEXT NOT NULL,
    size BIGINT NOT NULL,
    sha256 TEXT NOT NULL,
-- @sqlite
    body BLOB NOT NULL,
-- @end
-- @postgres
    body BYTEA NOT NULL,
-- @end
    created_by BIGINT REFERENCES users(id),
    created_at TEXT NOT NULL,
    deleted_at TEXT
);
CREATE INDEX contract_attachments_contract ON contract_attachments(contract_id);

-- @sqlite
CREATE TRIGGER contract_amendments_no_update BEFORE UPDATE ON contract_amendments
BEGIN
    SELECT RAISE(ABORT, 'amendments are append-only');
END;
CREATE TRIGGER contract_amendments_no_delete BEFORE DELETE ON contract_amendments
BEGIN
    SELECT RAISE(ABORT, 'amendments are append-only');
END;
-- @end
-- @postgres
CREATE TRIGGER contract_amendments_no_change BEFORE UPDATE OR DELETE ON contract_amendments
    FOR EACH ROW EXECUTE FUNCTION kam_append_only();
-- @end
