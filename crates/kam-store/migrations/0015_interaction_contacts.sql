-- The account's contacts who took part in a contact record, as ids ("12,34").
ALTER TABLE interactions ADD COLUMN their_contacts TEXT;
