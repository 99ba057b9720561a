-- An import's checked rows, one per row (not one document per import): a
-- check writes them in batches and a commit, a page or an export reads them a
-- page at a time, so an import of 100,000 rows is never held whole in memory.
-- `n` is the row's place in the file; `bad` a row with refused cells;
-- `duplicate` a row naming an existing record or an earlier row; `line_of`
-- an order's later line, by the sheet row of its first.

CREATE TABLE import_rows (
    import_id BIGINT NOT NULL REFERENCES imports(id),
    n BIGINT NOT NULL,
    row_no BIGINT NOT NULL,
    bad BIGINT NOT NULL,
    duplicate BIGINT NOT NULL,
    line_of BIGINT,
    plan TEXT NOT NULL,
    PRIMARY KEY (import_id, n)
);
CREATE INDEX import_rows_lines ON import_rows(import_id, line_of);

-- The imports checked before this kept their rows as one JSON array in
-- `imports.plan`: moved here, row by row.
-- @sqlite
INSERT INTO import_rows (import_id, n, row_no, bad, duplicate, line_of, plan)
SELECT i.id, j.key, json_extract(j.value, '$.row'),
       CASE WHEN json_array_length(j.value, '$.errors') > 0 THEN 1 ELSE 0 END,
       CASE WHEN json_extract(j.value, '$.duplicate') IS NOT NULL THEN 1 ELSE 0 END,
       json_extract(j.value, '$.line_of'), j.value
FROM imports i, json_each(i.plan) j;
-- @end
-- @postgres
INSERT INTO import_rows (import_id, n, row_no, bad, duplicate, line_of, plan)
SELECT i.id, j.n - 1, (j.v->>'row')::bigint,
       CASE WHEN jsonb_array_length(j.v->'errors') > 0 THEN 1 ELSE 0 END,
       CASE WHEN j.v->'duplicate' IS NOT NULL AND j.v->'duplicate' <> 'null'::jsonb THEN 1 ELSE 0 END,
       (j.v->>'line_of')::bigint, j.v::text
FROM imports i CROSS JOIN LATERAL jsonb_array_elements(i.plan::jsonb) WITH ORDINALITY AS j(v, n);
-- @end
UPDATE imports SET plan = '[]';
