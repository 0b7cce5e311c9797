-- Schema v8: the operation's engine state gets typed columns and tables instead of the
-- free-form JSON ``operations.data`` column that several features wrote into.
--   seq             the last per-sender sequence number this device used in the operation
--   invited_by      device id of the coordinator whose invitation this device joined with
--   invitation_head hash of the chain's head commit the invitation was made on (protocol 2)
--   relay_closed_at when the relay first answered that the operation is gone, without the
--                   coordinator's closing commit (shown; nothing is erased on that word)
--   closed_at       when the operation was closed here (UTC, ISO 8601)
--   retention_days  how long the closed copy is kept before it is shredded (NULL: default)
--   shredded_at     when its content was erased here
-- operation_invites: invitations this coordinator made, by invitation id, with the joiner's
--                    role and the token that join requests must prove (never sent to the relay).
-- pending_uploads:   library files added here and not yet announced (tus URL and blob once
--                    the upload was created on the relay).
-- verified_members:  devices whose fingerprint the person compared here.
ALTER TABLE operations ADD COLUMN seq INTEGER NOT NULL DEFAULT 0;
ALTER TABLE operations ADD COLUMN invited_by TEXT;
ALTER TABLE operations ADD COLUMN closed_at TEXT;
ALTER TABLE operations ADD COLUMN retention_days INTEGER;
ALTER TABLE operations ADD COLUMN shredded_at TEXT;
ALTER TABLE operations ADD COLUMN invitation_head TEXT;
ALTER TABLE operations ADD COLUMN relay_closed_at TEXT;

CREATE TABLE operation_invites (
    operation_id TEXT NOT NULL REFERENCES operations (operation_id) ON DELETE CASCADE,
    invitation_id TEXT NOT NULL,
    role          TEXT NOT NULL,
    token         TEXT NOT NULL,
    PRIMARY KEY (operation_id, invitation_id)
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

-- v7 invitations (a token hash the relay also knew) cannot be answered under protocol 2: they
-- are not carried over; the coordinator invites again.

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
