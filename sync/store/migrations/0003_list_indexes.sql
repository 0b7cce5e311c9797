-- Schema v3: indexes for paging through an operation's records and library newest first
-- (the desktop's lazy item models ask for one page at a time over 100,000 records).
CREATE INDEX records_by_updated ON records (operation_id, updated_hlc);
CREATE INDEX library_by_time ON library_items (operation_id, added_hlc);
