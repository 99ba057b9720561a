-- Churn records 客户流失: an account's churn (date, reason category and
-- words) and the win-back actions 挽回措施 taken on it (a dated action with
-- its outcome; a pending one is a reminder for the account's owner).

CREATE TABLE churns (
    id ${id},
    account_id BIGINT NOT NULL REFERENCES accounts(id),
    churned_on TEXT NOT NULL,
    reason_category TEXT NOT NULL,
    reason TEXT,
    created_by BIGINT REFERENCES users(id),
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX churns_account ON churns(account_id, churned_on);
CREATE INDEX churns_day ON churns(churned_on);

CREATE TABLE churn_actions (
    id ${id},
    churn_id BIGINT NOT NULL REFERENCES churns(id),
    account_id BIGINT NOT NULL REFERENCES accounts(id),
    due_on TEXT NOT NULL,
    action TEXT NOT NULL,
    outcome TEXT NOT NULL,
    outcome_note TEXT,
    created_by BIGINT REFERENCES users(id),
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX churn_actions_churn ON churn_actions(churn_id);
CREATE INDEX churn_actions_due ON churn_actions(outcome, due_on);
