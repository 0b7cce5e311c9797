-- Schema v5: which revision of each record this device has shown to its person (the case
-- list's unread marks). Local only: never synced, erased with the record's operation.
CREATE TABLE record_reads (
    operation_id TEXT NOT NULL REFERENCES operations (operation_id) ON DELETE CASCADE,
    record_id    TEXT NOT NULL,
    revision     INTEGER NOT NULL,
    PRIMARY KEY (operation_id, record_id)
) WITHOUT ROWID;
