-- Saved column mappings of imports: a name, the kind of sheet, and for each
-- header (as compared: folded, lower case, without punctuation) the field it
-- fills or "" to leave the column out. Company-wide: anyone who imports the
-- kind may use one; its creator and admin change it.
CREATE TABLE import_mappings (
    id ${id},
    kind TEXT NOT NULL,
    name TEXT NOT NULL,
    columns TEXT NOT NULL,
    created_by BIGINT NOT NULL REFERENCES users(id),
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    UNIQUE (kind, name)
);
