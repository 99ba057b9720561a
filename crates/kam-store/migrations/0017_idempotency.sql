-- Idempotency keys of API writes: the first answer to (user, key) is kept and
-- replayed to a retry with the same request; `status` is NULL while the first
-- request is still being answered.
CREATE TABLE idempotency_keys (
    id ${id},
    user_id BIGINT NOT NULL REFERENCES users(id),
    idem_key TEXT NOT NULL,
    request_hash TEXT NOT NULL,
    status BIGINT,
    content_type TEXT,
    body TEXT,
    created_at TEXT NOT NULL,
    UNIQUE (user_id, idem_key)
);
