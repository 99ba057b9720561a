-- A work-log collection entry, once posted to the ledger as a payment, points at that entry.
ALTER TABLE worklog_collections ADD COLUMN ledger_entry_id BIGINT REFERENCES ledger_entries(id);
