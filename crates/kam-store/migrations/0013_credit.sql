-- Finance's overrides of the computed credit assessment, with the reason (append-only).
CREATE TABLE credit_overrides (
    id ${id},
    account_id BIGINT NOT NULL REFERENCES accounts(id),
    period TEXT NOT NULL,
    rating TEXT NOT NULL,
    credit_limit BIGINT NOT NULL,
    computed_score BIGINT NOT NULL,
    computed_rating TEXT NOT NULL,
    reason TEXT NOT NULL,
    created_by BIGINT REFERENCES users(id),
    created_at TEXT NOT NULL
);
CREATE INDEX credit_overrides_account ON credit_overrides(account_id, period);
-- @sqlite
CREATE TRIGGER credit_overrides_no_update BEFORE UPDATE ON credit_overrides
BEGIN
    SELECT RAISE(ABORT, 'credit overrides are append-only');
END;
CREATE TRIGGER credit_overrides_no_delete BEFORE DELETE ON credit_overrides
BEGIN
    SELECT RAISE(ABORT, 'credit overrides are append-only');
END;
-- @end
-- @postgres
CREATE TRIGGER credit_overrides_no_change BEFORE UPDATE OR DELETE ON credit_overrides
    FOR EACH ROW EXECUTE FUNCTION kam_append_only();
-- @end
