-- Visit plans 客户拜访计划 (附表二): per account and year, twelve planned visits
-- with the actual date of the visit record that fulfilled each.

CREATE TABLE visit_plans (
    id ${id},
    account_id BIGINT NOT NULL REFERENCES accounts(id),
    year BIGINT NOT NULL,
    created_by BIGINT REFERENCES users(id),
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    UNIQUE (account_id, year)
);

CREATE TABLE visit_plan_slots (
    plan_id BIGINT NOT NULL REFERENCES visit_plans(id),
    seq BIGINT NOT NULL,
    planned_on TEXT,
    actual_on TEXT,
    visit_id BIGINT,
    PRIMARY KEY (plan_id, seq)
);
CREATE INDEX visit_plans_year ON visit_plans(year, account_id);
