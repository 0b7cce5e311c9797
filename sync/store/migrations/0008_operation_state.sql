-- Schema v8: the operation's engine state gets typed columns and tables instead of the
-- free-form JSON ``operations.data`` column that several features wrote into.
--   seq             the last per-sender sequence number this device used in the operation
--   invited_by      device id of the coordinator whose invitation this device joined with
--   closed_at       when the operation was closed here (UTC, ISO 8601)
--   retention_days  how long the closed copy is kept before it is shredded (NULL: default)
--   shredded_at     when its content was erased here
-- operation_invites: invitations this coordinator made, by token hash, with the joiner's role.
-- pending_uploads:   library files added here and not yet announced (tus URL and blob once
--                    the upload was created on the relay).
-- verified_members:  devices whose fingerprint the person compared here.
ALTER TABLE operations ADD COLUMN seq INTEGER NOT NULL DEFAULT 0;
ALTER TABLE operations ADD COLUMN invited_by TEXT;
ALTER TABLE operations ADD COLUMN closed_at TEXT;
ALTER TABLE operations ADD COLUMN retention_days INTEGER;
ALTER TABLE operations ADD COLUMN shredded_at TEXT;

CREATE TABLE operation_invites (
    operation_id TEXT NOT NULL REFERENCES operations (operation_id) ON DELETE CASCADE,
    token_hash   TEXT NOT NULL,
    role         TEXT NOT NULL,
    PRIMARY KEY (operation_id, token_hash)
) WITHOUT ROWID;

CREATE TABLE pending_uploads (
    operation_id TEXT NOT NULL REFERENCES operations (operation_id) ON DELETE CASCADE,
    item_id      TEXT NOT NULL,
    url          TEXT,
    blob         TEXT,
    PRIMARY KEY (operation_id, item_id)
) WITHOUT ROWID;

CREATE TABLE verified_members (
    operation_id TEXT NOT NULL REFERENCES operations (operation_id) ON DELETE CASCADE,
    device_id    TEXT NOT NULL,
    PRIMARY KEY (operation_id, device_id)
) WITHOUT ROWID;

UPDATE operations SET
    seq = coalesce(CAST(json_extract(data, '$.seq') AS INTEGER), 0),
    invited_by = json_extract(data, '$.invited_by'),
    closed_at = json_extract(data, '$.closed_at'),
    retention_days = CAST(json_extract(data, '$.retention_days') AS INTEGER),
    shredded_at = json_extract(data, '$.shredded_at')
WHERE json_valid(data);

INSERT OR IGNORE INTO operation_invites (operation_id, token_hash, role)
SELECT o.operation_id, j.key, j.value
FROM operations o, json_each(o.data, '$.invites') j
WHERE json_valid(o.data) AND json_type(o.data, '$.invites') = 'object' AND j.type = 'text';

INSERT OR IGNORE INTO pending_uploads (operation_id, item_id, url, blob)
SELECT o.operation_id, j.key,
       CASE WHEN j.type = 'object' THEN json_extract(j.value, '$.url') END,
       CASE WHEN j.type = 'object' THEN json_extract(j.value, '$.blob') END
FROM operations o, json_each(o.data, '$.uploads') j
WHERE json_valid(o.data) AND json_type(o.data, '$.uploads') = 'object';

INSERT OR IGNORE INTO verified_members (operation_id, device_id)
SELECT o.operation_id, j.value
FROM operations o, json_each(o.data, '$.verified') j
WHERE json_valid(o.data) AND json_type(o.data, '$.verified') = 'array' AND j.type = 'text';

ALTER TABLE operations DROP COLUMN data;
