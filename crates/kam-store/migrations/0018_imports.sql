-- Imports of customer workbooks: the checked file (its name and SHA-256, the
-- sheet, the column mapping and every row as the form would read it, with its
-- errors and duplicates) kept until it is committed as one transaction, and
-- the records each committed import created or changed, so it can be undone.
CREATE TABLE imports (
    id ${id},
    kind TEXT NOT NULL,
    file_name TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    sheet TEXT,
    status TEXT NOT NULL,
    columns TEXT NOT NULL,
    plan TEXT NOT NULL,
    total_rows BIGINT NOT NULL,
    bad_rows BIGINT NOT NULL,
    duplicate_rows BIGINT NOT NULL,
    counts TEXT,
    created_by BIGINT NOT NULL REFERENCES users(id),
    created_at TEXT NOT NULL,
    committed_at TEXT,
    undone_at TEXT
);
CREATE INDEX imports_by ON imports(created_by, id);

CREATE TABLE import_records (
    id ${id},
    import_id BIGINT NOT NULL REFERENCES imports(id),
    entity TEXT NOT NULL,
    entity_id BIGINT NOT NULL,
    action TEXT NOT NULL,
    before TEXT
);
CREATE INDEX import_records_import ON import_records(import_id);
