-- Market activities 市场活动 and the accounts/contacts that took part.

CREATE TABLE market_activities (
    id ${id},
    title TEXT NOT NULL,
    kind TEXT NOT NULL,
    starts_on TEXT NOT NULL,
    ends_on TEXT,
    place TEXT,
    description TEXT,
    outcome TEXT,
    created_by BIGINT REFERENCES users(id),
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    deleted_at TEXT
);
CREATE INDEX market_activities_start ON market_activities(starts_on);

CREATE TABLE market_participants (
    id ${id},
    activity_id BIGINT NOT NULL REFERENCES market_activities(id),
    account_id BIGINT NOT NULL REFERENCES accounts(id),
    contact_id BIGINT REFERENCES contacts(id),
    note TEXT,
    created_by BIGINT REFERENCES users(id),
    created_at TEXT NOT NULL
);
CREATE INDEX market_participants_activity ON market_participants(activity_id);
CREATE INDEX market_participants_account ON market_participants(account_id);
