-- Merging duplicates: a merged-away account or contact is archived and points
-- at the record it was merged into, so its old id still leads somewhere.
ALTER TABLE accounts ADD COLUMN merged_into BIGINT REFERENCES accounts(id);
ALTER TABLE contacts ADD COLUMN merged_into BIGINT REFERENCES contacts(id);
CREATE INDEX accounts_merged_into ON accounts(merged_into);
CREATE INDEX contacts_merged_into ON contacts(merged_into);
