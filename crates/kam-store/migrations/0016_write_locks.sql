-- Named locks for writes that must run one at a time on every engine: the
-- first statement of such a transaction updates its row, so a concurrent one
-- waits for the commit (PostgreSQL row lock; SQLite's BEGIN IMMEDIATE already
-- serialises). 'statements': generating a month's statements.
CREATE TABLE write_locks (
    name TEXT PRIMARY KEY,
    taken BIGINT NOT NULL DEFAULT 0
);
INSERT INTO write_locks (name, taken) VALUES ('statements', 0);
