-- Schema v7: bulk writers (the sync engine applying a batch of packages) can feed the
-- full-text indexes once per transaction instead of row by row. Every statement that writes a
-- row into an FTS5 index makes FTS5 flush its pending terms into a new segment (a statement
-- journal opens a savepoint, and FTS5 flushes on each), so a record applied alone costs two
-- tiny segments and their merging: half of the time a catch-up spends inserting.
--
-- While search_deferred holds its row (set inside a write transaction by
-- sync.store.search.defer_indexing, never committed), the triggers only note changed
-- search_content rows in search_pending, with the body the indexes hold for each (NULL: none).
-- sync.store.search.index_pending brings the indexes up to date in four statements and ends
-- the deferral; Store.transaction() calls it before every COMMIT, so nothing committed is ever
-- missing from the indexes, and search() calls it first if anything is pending. Without the
-- deferral the triggers index each row at once, as v2's did.
--
-- Invariant: for a content row whose id is in search_pending, the indexes hold `indexed` for
-- that id (nothing when NULL); for any other content row they hold its body.

CREATE TABLE search_pending (
    id      INTEGER PRIMARY KEY,             -- search_content.id
    indexed TEXT                             -- what the FTS5 indexes hold for it; NULL: nothing
);
CREATE TABLE search_deferred (
    id INTEGER PRIMARY KEY CHECK (id = 1)    -- a row here, in the open transaction: defer
);

DROP TRIGGER search_content_ai;
DROP TRIGGER search_content_ad;
DROP TRIGGER search_content_au;

-- The same steps serve every trigger: take the old row out (if any), then put the new one in.
-- NOT EXISTS rather than INSERT OR IGNORE: an outer statement's conflict clause (OR REPLACE)
-- would override the trigger's and lose what the indexes hold.
CREATE TRIGGER search_content_ai AFTER INSERT ON search_content BEGIN
    INSERT INTO search_pending (id, indexed)
    SELECT new.id, NULL WHERE EXISTS (SELECT 1 FROM search_deferred)
        AND NOT EXISTS (SELECT 1 FROM search_pending WHERE id = new.id);
    INSERT INTO search_words (rowid, body)
    SELECT new.id, new.body WHERE NOT EXISTS (SELECT 1 FROM search_pending WHERE id = new.id);
    INSERT INTO search_trigram (rowid, body)
    SELECT new.id, new.body WHERE NOT EXISTS (SELECT 1 FROM search_pending WHERE id = new.id);
END;

CREATE TRIGGER search_content_ad AFTER DELETE ON search_content BEGIN
    INSERT INTO search_pending (id, indexed)
    SELECT old.id, old.body WHERE EXISTS (SELECT 1 FROM search_deferred)
        AND NOT EXISTS (SELECT 1 FROM search_pending WHERE id = old.id);
    INSERT INTO search_words (search_words, rowid, body)
    SELECT 'delete', old.id, old.body
    WHERE NOT EXISTS (SELECT 1 FROM search_pending WHERE id = old.id);
    INSERT INTO search_trigram (search_trigram, rowid, body)
    SELECT 'delete', old.id, old.body
    WHERE NOT EXISTS (SELECT 1 FROM search_pending WHERE id = old.id);
END;

CREATE TRIGGER search_content_au AFTER UPDATE OF id, body ON search_content
WHEN old.body IS NOT new.body OR old.id IS NOT new.id BEGIN
    INSERT INTO search_pending (id, indexed)
    SELECT old.id, old.body WHERE EXISTS (SELECT 1 FROM search_deferred)
        AND NOT EXISTS (SELECT 1 FROM search_pending WHERE id = old.id);
    INSERT INTO search_words (search_words, rowid, body)
    SELECT 'delete', old.id, old.body
    WHERE NOT EXISTS (SELECT 1 FROM search_pending WHERE id = old.id);
    INSERT INTO search_trigram (search_trigram, rowid, body)
    SELECT 'delete', old.id, old.body
    WHERE NOT EXISTS (SELECT 1 FROM search_pending WHERE id = old.id);
    INSERT INTO search_pending (id, indexed)
    SELECT new.id, NULL WHERE EXISTS (SELECT 1 FROM search_deferred)
        AND NOT EXISTS (SELECT 1 FROM search_pending WHERE id = new.id);
    INSERT INTO search_words (rowid, body)
    SELECT new.id, new.body WHERE NOT EXISTS (SELECT 1 FROM search_pending WHERE id = new.id);
    INSERT INTO search_trigram (rowid, body)
    SELECT new.id, new.body WHERE NOT EXISTS (SELECT 1 FROM search_pending WHERE id = new.id);
END;

-- A revision that leaves the field values as they were (a status change) no longer recomputes
-- the record's search text.
DROP TRIGGER records_search_au;
CREATE TRIGGER records_search_au AFTER UPDATE OF fields ON records
WHEN old.fields IS NOT new.fields BEGIN
    UPDATE search_content
    SET body = (SELECT coalesce(group_concat(value, char(10)), '') FROM json_tree(new.fields)
                WHERE type IN ('text', 'integer', 'real'))
    WHERE kind = 'record' AND operation_id = new.operation_id AND object_id = new.record_id;
END;
