-- The ministry–province workflow. Never edit this file once released: add a
-- new migration.
--
-- Instants are UTC RFC 3339 text with exactly six fractional digits
-- (`2025-03-06T08:00:00.000000Z`), so text order is time order; dates are
-- `YYYY-MM-DD`. Rows that can change carry a `version`, and every change is a
-- compare-and-set on it. Placement columns (province, city, district, zone)
-- are copies of where the subject sat, kept for filtering by jurisdiction.

CREATE TABLE wf_zones (
    id       TEXT PRIMARY KEY,
    name     TEXT NOT NULL,
    kind     TEXT NOT NULL,
    city     TEXT NOT NULL,
    district TEXT,
    aliases  TEXT NOT NULL,           -- JSON array of names
    version  INTEGER NOT NULL
);

CREATE TABLE wf_accounts (
    id            INTEGER PRIMARY KEY,
    username      TEXT NOT NULL UNIQUE,
    display_name  TEXT NOT NULL,
    role          TEXT NOT NULL,
    jurisdiction  TEXT NOT NULL,
    enterprise    TEXT,
    province      TEXT,
    city          TEXT,
    district      TEXT,
    zone          TEXT,
    password_hash TEXT NOT NULL,      -- Argon2id PHC string
    disabled      INTEGER NOT NULL DEFAULT 0,
    created_at    TEXT NOT NULL,
    updated_at    TEXT NOT NULL,
    version       INTEGER NOT NULL
);

-- Browser sessions and API tokens; only hashes of their secrets.
CREATE TABLE wf_credentials (
    id          INTEGER PRIMARY KEY,
    kind        TEXT NOT NULL,
    account_id  INTEGER NOT NULL REFERENCES wf_accounts (id),
    secret_hash TEXT NOT NULL UNIQUE,
    csrf_hash   TEXT,
    name        TEXT,
    created_at  TEXT NOT NULL,
    expires_at  TEXT NOT NULL,
    revoked_at  TEXT
);
CREATE INDEX wf_credentials_account ON wf_credentials (account_id);

-- One row per failed login, per throttling key (`user:NAME`, `ip:ADDR`).
CREATE TABLE wf_login_failures (
    key TEXT NOT NULL,
    at  TEXT NOT NULL
);
CREATE INDEX wf_login_failures_key ON wf_login_failures (key, at);

-- Idempotency keys: `status` is NULL while the first request runs.
CREATE TABLE wf_idempotency (
    account_id   INTEGER NOT NULL,
    key          TEXT NOT NULL,
    fingerprint  TEXT NOT NULL,
    created_at   TEXT NOT NULL,
    status       INTEGER,
    content_type TEXT,
    body         BLOB,
    PRIMARY KEY (account_id, key)
);

CREATE TABLE wf_rule_sets (
    key      TEXT NOT NULL,
    version  TEXT NOT NULL,
    source   TEXT NOT NULL,
    added_by INTEGER REFERENCES wf_accounts (id),
    added_at TEXT NOT NULL,
    PRIMARY KEY (key, version)
);

CREATE TABLE wf_declarations (
    id               INTEGER PRIMARY KEY,
    enterprise       TEXT NOT NULL,
    cycle            INTEGER NOT NULL,
    tier             TEXT NOT NULL,
    rule_set         TEXT NOT NULL,
    rule_set_version TEXT NOT NULL,
    state            TEXT NOT NULL,
    form             TEXT NOT NULL,   -- JSON DeclarationForm
    province         TEXT,
    city             TEXT,
    district         TEXT,
    zone             TEXT,
    precheck         TEXT,            -- JSON Decision at the last submission
    notice_first     TEXT,
    notice_last      TEXT,
    created_by       INTEGER NOT NULL REFERENCES wf_accounts (id),
    submitted_by     INTEGER REFERENCES wf_accounts (id),
    created_at       TEXT NOT NULL,
    updated_at       TEXT NOT NULL,
    version          INTEGER NOT NULL
);
-- One live declaration per enterprise and cycle.
CREATE UNIQUE INDEX wf_declarations_live ON wf_declarations (enterprise, cycle)
    WHERE state NOT IN ('rejected', 'withdrawn');
CREATE INDEX wf_declarations_province ON wf_declarations (province, cycle, tier, state);
CREATE INDEX wf_declarations_city ON wf_declarations (city);
CREATE INDEX wf_declarations_district ON wf_declarations (district);
CREATE INDEX wf_declarations_zone ON wf_declarations (zone);
CREATE INDEX wf_declarations_state ON wf_declarations (state);

CREATE TABLE wf_steps (
    id             INTEGER PRIMARY KEY,
    declaration_id INTEGER NOT NULL REFERENCES wf_declarations (id),
    action         TEXT NOT NULL,
    from_state     TEXT NOT NULL,
    to_state       TEXT NOT NULL,
    actor_id       INTEGER NOT NULL REFERENCES wf_accounts (id),
    actor_name     TEXT NOT NULL,
    at             TEXT NOT NULL,
    reason         TEXT
);
CREATE INDEX wf_steps_declaration ON wf_steps (declaration_id);

CREATE TABLE wf_objections (
    id             INTEGER PRIMARY KEY,
    declaration_id INTEGER NOT NULL REFERENCES wf_declarations (id),
    lodged_by      INTEGER NOT NULL REFERENCES wf_accounts (id),
    lodged_at      TEXT NOT NULL,
    text           TEXT NOT NULL,
    resolved_by    INTEGER REFERENCES wf_accounts (id),
    resolved_at    TEXT,
    upheld         INTEGER,
    resolution     TEXT
);
CREATE INDEX wf_objections_declaration ON wf_objections (declaration_id);

CREATE TABLE wf_evidence (
    id             INTEGER PRIMARY KEY,
    declaration_id INTEGER NOT NULL REFERENCES wf_declarations (id),
    name           TEXT NOT NULL,
    kind           TEXT NOT NULL,
    size           INTEGER NOT NULL,
    sha256         TEXT NOT NULL,
    content        BLOB NOT NULL,
    uploaded_by    INTEGER NOT NULL REFERENCES wf_accounts (id),
    uploaded_at    TEXT NOT NULL
);
CREATE INDEX wf_evidence_declaration ON wf_evidence (declaration_id);

CREATE TABLE wf_quotas (
    province TEXT NOT NULL,
    cycle    INTEGER NOT NULL,
    tier     TEXT NOT NULL,
    quota    INTEGER NOT NULL,
    PRIMARY KEY (province, cycle, tier)
);

CREATE TABLE wf_pool_members (
    id               INTEGER PRIMARY KEY,
    enterprise       TEXT NOT NULL,
    tier             TEXT NOT NULL,
    rule_set         TEXT NOT NULL,
    rule_set_version TEXT NOT NULL,
    cycle            INTEGER NOT NULL,
    province         TEXT,
    city             TEXT,
    district         TEXT,
    zone             TEXT,
    declaration_id   INTEGER REFERENCES wf_declarations (id),
    valid_from       TEXT NOT NULL,
    valid_until      TEXT NOT NULL,
    status           TEXT NOT NULL,
    exit_cause       TEXT,
    exited_on        TEXT,
    version          INTEGER NOT NULL
);
CREATE UNIQUE INDEX wf_pool_members_active ON wf_pool_members (enterprise)
    WHERE status = 'active';
CREATE INDEX wf_pool_members_province ON wf_pool_members (province, status);

CREATE TABLE wf_proposals (
    id          INTEGER PRIMARY KEY,
    member_id   INTEGER NOT NULL REFERENCES wf_pool_members (id),
    kind        TEXT NOT NULL,        -- JSON ProposalKind
    decision    TEXT NOT NULL,        -- JSON Decision
    as_of       TEXT NOT NULL,
    status      TEXT NOT NULL,
    created_at  TEXT NOT NULL,
    decided_by  INTEGER REFERENCES wf_accounts (id),
    decided_at  TEXT,
    reason      TEXT,
    version     INTEGER NOT NULL
);
CREATE UNIQUE INDEX wf_proposals_pending ON wf_proposals (member_id)
    WHERE status = 'pending';

-- The audit chain: insert-only, each row hashing the one before it.
CREATE TABLE wf_audit (
    seq          INTEGER PRIMARY KEY,
    at           TEXT NOT NULL,
    actor_id     INTEGER,
    actor_name   TEXT NOT NULL,
    jurisdiction TEXT NOT NULL,
    action       TEXT NOT NULL,
    subject      TEXT NOT NULL,
    before       TEXT,
    after        TEXT,
    prev_hash    TEXT NOT NULL,
    hash         TEXT NOT NULL
);

-- The chain's last entry, kept beside it so that removing the last rows is
-- noticed too. Appends read it to chain the next entry.
CREATE TABLE wf_audit_head (
    id   INTEGER PRIMARY KEY CHECK (id = 1),
    seq  INTEGER NOT NULL,
    hash TEXT NOT NULL
);

CREATE TRIGGER wf_audit_no_update BEFORE UPDATE ON wf_audit
BEGIN
    SELECT RAISE(ABORT, 'the audit log is insert-only');
END;

CREATE TRIGGER wf_audit_no_delete BEFORE DELETE ON wf_audit
BEGIN
    SELECT RAISE(ABORT, 'the audit log is insert-only');
END;
