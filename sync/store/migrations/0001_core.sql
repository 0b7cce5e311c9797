-- Schema v1: the profile's own identity, operations and everything exchanged in them.
-- Identifiers are lowercase hex text (device ids 32 hex, operation/record/message ids 32 hex).
-- HLC timestamps are sortable text made by sync.store.clock; "at" columns are UTC ISO 8601.

CREATE TABLE settings (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL                      -- JSON
) WITHOUT ROWID;

-- This device: exactly one row. secret = Identity.to_secret_bytes() (inside the encrypted store only).
CREATE TABLE identity (
    id         INTEGER PRIMARY KEY CHECK (id = 1),
    device_id  TEXT NOT NULL,
    secret     BLOB NOT NULL,
    name       TEXT NOT NULL,
    agency     TEXT NOT NULL,
    country    TEXT NOT NULL,
    created_at TEXT NOT NULL
);

CREATE TABLE operations (
    operation_id  TEXT PRIMARY KEY,
    name          TEXT NOT NULL,
    relay_url     TEXT,
    role          TEXT NOT NULL CHECK (role IN ('coordinator', 'participant', 'observer')),
    status        TEXT NOT NULL,             -- pending, active, closed, removed
    templates     TEXT NOT NULL DEFAULT '[]',  -- JSON: the operation's template set
    coordinator   TEXT,                      -- device id of the coordinator
    current_epoch INTEGER NOT NULL DEFAULT 0,
    ends_at       TEXT,
    created_at    TEXT NOT NULL,
    data          TEXT NOT NULL DEFAULT '{}'   -- JSON: engine state that has no column yet
);

CREATE TABLE members (
    operation_id TEXT NOT NULL REFERENCES operations (operation_id) ON DELETE CASCADE,
    device_id    TEXT NOT NULL,
    public_key   BLOB NOT NULL,              -- PublicIdentity.encode()
    name         TEXT NOT NULL,
    agency       TEXT NOT NULL DEFAULT '',
    country      TEXT NOT NULL DEFAULT '',
    role         TEXT NOT NULL CHECK (role IN ('coordinator', 'participant', 'observer')),
    status       TEXT NOT NULL,              -- pending, active, removed
    joined_at    TEXT,
    removed_at   TEXT,
    PRIMARY KEY (operation_id, device_id)
) WITHOUT ROWID;

-- Epoch secrets this device was entitled to, with the signed commit that introduced each.
CREATE TABLE epochs (
    operation_id TEXT NOT NULL REFERENCES operations (operation_id) ON DELETE CASCADE,
    epoch        INTEGER NOT NULL,
    secret       BLOB NOT NULL,
    commit_hash  BLOB,
    commit_blob  BLOB,
    created_at   TEXT NOT NULL,
    PRIMARY KEY (operation_id, epoch)
) WITHOUT ROWID;

-- A record's current state: fields merged per field by HLC (field_hlc holds each field's clock).
CREATE TABLE records (
    id               INTEGER PRIMARY KEY,
    operation_id     TEXT NOT NULL REFERENCES operations (operation_id) ON DELETE CASCADE,
    record_id        TEXT NOT NULL,
    template_id      TEXT NOT NULL,
    template_version INTEGER NOT NULL,
    status           TEXT NOT NULL,          -- draft, submitted, validated, returned, deleted
    author           TEXT NOT NULL,
    fields           TEXT NOT NULL,          -- JSON object
    field_hlc        TEXT NOT NULL DEFAULT '{}',
    revision         INTEGER NOT NULL,       -- number of revisions applied
    created_hlc      TEXT NOT NULL,
    updated_hlc      TEXT NOT NULL,
    UNIQUE (operation_id, record_id)
);
CREATE INDEX records_by_template ON records (operation_id, template_id, updated_hlc);
CREATE INDEX records_by_status ON records (operation_id, status, updated_hlc);

-- Every revision ever applied (local or received), so history and conflicts can be shown.
CREATE TABLE record_revisions (
    id           INTEGER PRIMARY KEY,
    operation_id TEXT NOT NULL,
    record_id    TEXT NOT NULL,
    revision     INTEGER NOT NULL,           -- local order of application, 1-based
    revision_id  TEXT NOT NULL,              -- global id (idempotency across relay and file)
    author       TEXT NOT NULL,
    hlc          TEXT NOT NULL,
    status       TEXT,                       -- set when this revision changed the status
    changes      TEXT NOT NULL,              -- JSON object of the fields this revision set
    comment      TEXT,
    FOREIGN KEY (operation_id, record_id) REFERENCES records (operation_id, record_id)
        ON DELETE CASCADE,
    UNIQUE (operation_id, revision_id),
    UNIQUE (operation_id, record_id, revision)
);

CREATE TABLE messages (
    id           INTEGER PRIMARY KEY,
    operation_id TEXT NOT NULL REFERENCES operations (operation_id) ON DELETE CASCADE,
    message_id   TEXT NOT NULL,
    kind         TEXT NOT NULL CHECK (kind IN ('operation', 'alert', 'direct')),
    author       TEXT NOT NULL,
    recipient    TEXT,                       -- device id for direct messages
    subject      TEXT NOT NULL,
    body         TEXT NOT NULL,
    sent_hlc     TEXT NOT NULL,
    received_at  TEXT NOT NULL,
    read         INTEGER NOT NULL DEFAULT 0,
    UNIQUE (operation_id, message_id)
);
CREATE INDEX messages_by_time ON messages (operation_id, sent_hlc);

-- Encrypted files on disk (sync.store.attachments): name, key and both hashes.
CREATE TABLE attachments (
    attachment_id TEXT PRIMARY KEY,
    file_name     TEXT NOT NULL UNIQUE,      -- random name under attachments/
    file_key      BLOB NOT NULL,             -- the stream key (sync.crypto.stream)
    size          INTEGER NOT NULL,          -- plaintext bytes
    sha256        TEXT NOT NULL,             -- plaintext hash (hex)
    cipher_size   INTEGER NOT NULL,
    cipher_sha256 TEXT NOT NULL,             -- content address of the encrypted stream (hex)
    created_at    TEXT NOT NULL
) WITHOUT ROWID;

CREATE TABLE library_items (
    id            INTEGER PRIMARY KEY,
    operation_id  TEXT NOT NULL REFERENCES operations (operation_id) ON DELETE CASCADE,
    item_id       TEXT NOT NULL,
    title         TEXT NOT NULL,
    file_name     TEXT NOT NULL DEFAULT '',  -- the name it was added under
    media_type    TEXT NOT NULL DEFAULT 'application/octet-stream',
    size          INTEGER NOT NULL,
    sha256        TEXT NOT NULL,
    record_id     TEXT,                      -- the record it illustrates, if any
    author        TEXT NOT NULL,
    added_hlc     TEXT NOT NULL,
    attachment_id TEXT REFERENCES attachments (attachment_id) ON DELETE SET NULL,
    blob_ref      TEXT,                      -- where the relay keeps the ciphertext
    blob_key      BLOB,                      -- the stream key it travels under
    UNIQUE (operation_id, item_id)
);

-- Changes waiting to be sent; package_id is the idempotency key.
CREATE TABLE outbox (
    seq          INTEGER PRIMARY KEY AUTOINCREMENT,
    operation_id TEXT NOT NULL REFERENCES operations (operation_id) ON DELETE CASCADE,
    package_id   TEXT NOT NULL UNIQUE,
    kind         TEXT NOT NULL,
    payload      BLOB NOT NULL,
    created_at   TEXT NOT NULL,
    attempts     INTEGER NOT NULL DEFAULT 0,
    last_error   TEXT,
    sent_at      TEXT
);
CREATE INDEX outbox_pending ON outbox (operation_id, sent_at, seq);

CREATE TABLE inbox_cursors (
    operation_id TEXT NOT NULL REFERENCES operations (operation_id) ON DELETE CASCADE,
    source       TEXT NOT NULL,              -- a relay URL, or 'file'
    cursor       TEXT NOT NULL,
    updated_at   TEXT NOT NULL,
    PRIMARY KEY (operation_id, source)
) WITHOUT ROWID;

-- Packages already applied: a duplicate (relay and file) is recognised and skipped.
CREATE TABLE applied_packages (
    operation_id TEXT NOT NULL,
    package_id   TEXT NOT NULL,
    sender       TEXT NOT NULL,
    sender_seq   INTEGER NOT NULL,
    applied_at   TEXT NOT NULL,
    PRIMARY KEY (operation_id, package_id)
) WITHOUT ROWID;
CREATE INDEX applied_by_sender ON applied_packages (operation_id, sender, sender_seq);

-- Append-only, hash-chained (sync.store.audit). Ids only, never case data.
CREATE TABLE audit_log (
    seq          INTEGER PRIMARY KEY,
    at           TEXT NOT NULL,
    actor        TEXT NOT NULL,
    action       TEXT NOT NULL,
    object       TEXT NOT NULL DEFAULT '',
    operation_id TEXT,
    prev_hash    BLOB NOT NULL,
    hash         BLOB NOT NULL
);
CREATE INDEX audit_by_operation ON audit_log (operation_id, seq);
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
