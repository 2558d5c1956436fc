-- Enterprises' requests (诉求, issue 14) and their steps.
--
-- A request is placed like a declaration (where the enterprise sat when it
-- was filed), so the officials' scope filters it; `level` says which
-- office handles it now (local, province, nation). Its deadlines are set
-- from the clock set named beside them: `filed_*` as set at filing (what
-- the response and on-time figures judge), the others as in force now
-- (moved on by a suspension, set again by a reopening). `accepted_at`,
-- `answered_at` and `closed_at` are the first of each.
CREATE TABLE svc_requests (
    id              INTEGER PRIMARY KEY,
    enterprise      TEXT NOT NULL,
    province        TEXT,
    city            TEXT,
    district        TEXT,
    zone            TEXT,
    class           TEXT NOT NULL,
    channel         TEXT NOT NULL,
    title           TEXT NOT NULL,
    body            TEXT NOT NULL,
    state           TEXT NOT NULL,
    level           TEXT NOT NULL,
    department      TEXT,
    shared          INTEGER NOT NULL,
    answer          TEXT,
    close_reason    TEXT,
    clock_set       TEXT NOT NULL,
    clock_version   TEXT NOT NULL,
    filed_accept_due TEXT NOT NULL,
    filed_answer_due TEXT NOT NULL,
    filed_close_due TEXT NOT NULL,
    filed_escalate_due TEXT NOT NULL,
    accept_due      TEXT NOT NULL,
    answer_due      TEXT NOT NULL,
    close_due       TEXT NOT NULL,
    escalate_due    TEXT NOT NULL,
    accepted_at     TEXT,
    answered_at     TEXT,
    closed_at       TEXT,
    closed_due      TEXT,            -- the closing deadline in force at the first closure
    suspended_since TEXT,
    reopened        INTEGER NOT NULL,
    solved          INTEGER,
    satisfaction    INTEGER,
    created_by      INTEGER NOT NULL REFERENCES wf_accounts (id),
    created_at      TEXT NOT NULL,
    updated_at      TEXT NOT NULL,
    version         INTEGER NOT NULL
);
CREATE INDEX svc_requests_enterprise ON svc_requests (enterprise);
CREATE INDEX svc_requests_province ON svc_requests (province, state);
CREATE INDEX svc_requests_city ON svc_requests (city, state);
CREATE INDEX svc_requests_district ON svc_requests (district);
CREATE INDEX svc_requests_zone ON svc_requests (zone, state);
-- The escalation sweep reads the requests still waiting for acceptance.
CREATE INDEX svc_requests_waiting ON svc_requests (state, escalate_due);

CREATE TABLE svc_request_steps (
    id          INTEGER PRIMARY KEY,
    request_id  INTEGER NOT NULL REFERENCES svc_requests (id),
    action      TEXT NOT NULL,
    from_state  TEXT NOT NULL,
    to_state    TEXT NOT NULL,
    level       TEXT NOT NULL,
    actor_id    INTEGER REFERENCES wf_accounts (id),  -- NULL: the system
    actor_name  TEXT NOT NULL,
    at          TEXT NOT NULL,
    text        TEXT,
    department  TEXT
);
CREATE INDEX svc_request_steps_request ON svc_request_steps (request_id);
