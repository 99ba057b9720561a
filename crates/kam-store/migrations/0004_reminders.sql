-- Reminders: each user's answers (done, snoozed) and their private calendar feeds.

CREATE TABLE reminder_states (
    user_id BIGINT NOT NULL REFERENCES users(id),
    reminder_key TEXT NOT NULL,
    done BIGINT NOT NULL DEFAULT 0,
    snoozed_until TEXT,
    updated_at TEXT NOT NULL,
    PRIMARY KEY (user_id, reminder_key)
);

CREATE TABLE calendar_feeds (
    id ${id},
    user_id BIGINT NOT NULL REFERENCES users(id),
    token_hash TEXT NOT NULL UNIQUE,
    created_at TEXT NOT NULL,
    revoked_at TEXT
);
CREATE INDEX calendar_feeds_user ON calendar_feeds(user_id);
CREATE INDEX account_contacts_role ON account_contacts(buying_role);
