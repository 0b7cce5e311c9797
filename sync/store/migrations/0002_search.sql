-- Schema v2: full-text search over record field values, message subjects and bodies, library
-- titles. One content table, two FTS5 indexes over it:
--   search_words:   unicode61, diacritics removed ("etat" finds "État"), word prefixes;
--   search_trigram: trigram, substring search for scripts without spaces (Chinese) or with
--                   attached prefixes (Arabic "وال..."); needs 3 characters or more.
-- Triggers keep them in step with records, messages and library_items, whoever writes.

CREATE TABLE search_content (
    id           INTEGER PRIMARY KEY,
    kind         TEXT NOT NULL,              -- record, message, library
    operation_id TEXT NOT NULL,
    object_id    TEXT NOT NULL,
    body         TEXT NOT NULL,
    UNIQUE (kind, operation_id, object_id)
);
CREATE INDEX search_content_by_operation ON search_content (operation_id, id);

CREATE VIRTUAL TABLE search_words USING fts5(
    body, content='search_content', content_rowid='id', columnsize=0,
    tokenize="unicode61 remove_diacritics 2"
);
CREATE VIRTUAL TABLE search_trigram USING fts5(
    body, content='search_content', content_rowid='id', columnsize=0,
    tokenize="trigram remove_diacritics 1"
);

CREATE TRIGGER search_content_ai AFTER INSERT ON search_content BEGIN
    INSERT INTO search_words (rowid, body) VALUES (new.id, new.body);
    INSERT INTO search_trigram (rowid, body) VALUES (new.id, new.body);
END;
CREATE TRIGGER search_content_ad AFTER DELETE ON search_content BEGIN
    INSERT INTO search_words (search_words, rowid, body) VALUES ('delete', old.id, old.body);
    INSERT INTO search_trigram (search_trigram, rowid, body) VALUES ('delete', old.id, old.body);
END;
CREATE TRIGGER search_content_au AFTER UPDATE OF body ON search_content BEGIN
    INSERT INTO search_words (search_words, rowid, body) VALUES ('delete', old.id, old.body);
    INSERT INTO search_trigram (search_trigram, rowid, body) VALUES ('delete', old.id, old.body);
    INSERT INTO search_words (rowid, body) VALUES (new.id, new.body);
    INSERT INTO search_trigram (rowid, body) VALUES (new.id, new.body);
END;

-- Records: every scalar field value (text and numbers), one per line.
CREATE TRIGGER records_search_ai AFTER INSERT ON records BEGIN
    INSERT INTO search_content (kind, operation_id, object_id, body)
    VALUES ('record', new.operation_id, new.record_id,
            (SELECT coalesce(group_concat(value, char(10)), '') FROM json_tree(new.fields)
             WHERE type IN ('text', 'integer', 'real')));
END;
CREATE TRIGGER records_search_au AFTER UPDATE OF fields ON records BEGIN
    UPDATE search_content
    SET body = (SELECT coalesce(group_concat(value, char(10)), '') FROM json_tree(new.fields)
                WHERE type IN ('text', 'integer', 'real'))
    WHERE kind = 'record' AND operation_id = new.operation_id AND object_id = new.record_id;
END;
CREATE TRIGGER records_search_ad AFTER DELETE ON records BEGIN
    DELETE FROM search_content
    WHERE kind = 'record' AND operation_id = old.operation_id AND object_id = old.record_id;
END;

CREATE TRIGGER messages_search_ai AFTER INSERT ON messages BEGIN
    INSERT INTO search_content (kind, operation_id, object_id, body)
    VALUES ('message', new.operation_id, new.message_id, new.subject || char(10) || new.body);
END;
CREATE TRIGGER messages_search_au AFTER UPDATE OF subject, body ON messages BEGIN
    UPDATE search_content SET body = new.subject || char(10) || new.body
    WHERE kind = 'message' AND operation_id = new.operation_id AND object_id = new.message_id;
END;
CREATE TRIGGER messages_search_ad AFTER DELETE ON messages BEGIN
    DELETE FROM search_content
    WHERE kind = 'message' AND operation_id = old.operation_id AND object_id = old.message_id;
END;

CREATE TRIGGER library_search_ai AFTER INSERT ON library_items BEGIN
    INSERT INTO search_content (kind, operation_id, object_id, body)
    VALUES ('library', new.operation_id, new.item_id, new.title);
END;
CREATE TRIGGER library_search_au AFTER UPDATE OF title ON library_items BEGIN
    UPDATE search_content SET body = new.title
    WHERE kind = 'library' AND operation_id = new.operation_id AND object_id = new.item_id;
END;
CREATE TRIGGER library_search_ad AFTER DELETE ON library_items BEGIN
    DELETE FROM search_content
    WHERE kind = 'library' AND operation_id = old.operation_id AND object_id = old.item_id;
END;

-- Index what v1 already held.
INSERT INTO search_content (kind, operation_id, object_id, body)
SELECT 'record', operation_id, record_id,
       (SELECT coalesce(group_concat(value, char(10)), '') FROM json_tree(records.fields)
        WHERE type IN ('text', 'integer', 'real'))
FROM records;
INSERT INTO search_content (kind, operation_id, object_id, body)
SELECT 'message', operation_id, message_id, subject || char(10) || body FROM messages;
INSERT INTO search_content (kind, operation_id, object_id, body)
SELECT 'library', operation_id, item_id, title FROM library_items;
