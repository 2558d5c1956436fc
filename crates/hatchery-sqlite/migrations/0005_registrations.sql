-- Enterprises register themselves (issue 13).
--
-- A registration waits (`pending`) until the enterprise's city or zone
-- official activates it (`active`: its account was created, bound to the
-- ledger record `enterprise`) or rejects it with a written reason
-- (`rejected`: the password hash is dropped). Placed like declarations, so
-- the officials' scope filters it.
CREATE TABLE wf_registrations (
    id            INTEGER PRIMARY KEY,
    uscc          TEXT NOT NULL,
    name          TEXT NOT NULL,
    region        TEXT NOT NULL,
    founded       TEXT NOT NULL,
    contact_name  TEXT NOT NULL,
    contact_phone TEXT NOT NULL,
    contact_email TEXT,
    username      TEXT NOT NULL,
    password_hash TEXT,
    province      TEXT,
    city          TEXT,
    district      TEXT,
    zone          TEXT,
    state         TEXT NOT NULL,
    reason        TEXT,
    enterprise    TEXT,
    account       INTEGER REFERENCES wf_accounts (id),
    decided_by    INTEGER REFERENCES wf_accounts (id),
    created_at    TEXT NOT NULL,
    updated_at    TEXT NOT NULL,
    version       INTEGER NOT NULL
);
-- One live registration per credit code, one pending per username.
CREATE UNIQUE INDEX wf_registrations_uscc ON wf_registrations (uscc) WHERE state <> 'rejected';
CREATE UNIQUE INDEX wf_registrations_username ON wf_registrations (username) WHERE state = 'pending';
CREATE INDEX wf_registrations_city ON wf_registrations (city, state);
CREATE INDEX wf_registrations_zone ON wf_registrations (zone, state);
