-- Schema v4 (sync engine): conflict marks on record revisions.
-- base:     JSON object, for each field a revision changed, the clock of that field as its
--           editor saw it; a stored clock differing from it means a concurrent edit.
-- conflict: 1 when this revision raced another one on the same field (shown in the history).
ALTER TABLE record_revisions ADD COLUMN base TEXT NOT NULL DEFAULT '{}';
ALTER TABLE record_revisions ADD COLUMN conflict INTEGER NOT NULL DEFAULT 0;
CREATE INDEX record_revisions_by_hlc ON record_revisions (operation_id, record_id, hlc);
