-- Stewards (服务管家/服务专员, issue 14) assigned to pool enterprises, and
-- the contact log (走访记录).
--
-- An assignment is placed like a request (where the enterprise sat when it
-- was assigned) so the officials' scope filters it. `person` tells the same
-- steward in two assignments (the account, else name and telephone or
-- e-mail): two assignments of one person with one role to one enterprise
-- may not overlap (checked under a lock by the store, since "overlap" is
-- not a unique index). Ending is an update of `ends_on` by compare-and-set
-- on `version`; assignments are never deleted.
CREATE TABLE svc_stewards (
    id          INTEGER PRIMARY KEY,
    enterprise  TEXT NOT NULL,
    province    TEXT,
    city        TEXT,
    district    TEXT,
    zone        TEXT,
    role        TEXT NOT NULL,
    level       TEXT NOT NULL,
    department  TEXT NOT NULL,
    name        TEXT NOT NULL,
    phone       TEXT,
    email       TEXT,
    account_id  INTEGER REFERENCES wf_accounts (id),
    person      TEXT NOT NULL,
    starts_on   TEXT NOT NULL,
    ends_on     TEXT,
    created_by  INTEGER NOT NULL REFERENCES wf_accounts (id),
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL,
    version     INTEGER NOT NULL
);
CREATE INDEX svc_stewards_enterprise ON svc_stewards (enterprise, role, person);
CREATE INDEX svc_stewards_province ON svc_stewards (province);
CREATE INDEX svc_stewards_city ON svc_stewards (city);
CREATE INDEX svc_stewards_district ON svc_stewards (district);
CREATE INDEX svc_stewards_zone ON svc_stewards (zone);

-- Append-only: a wrong record is corrected by a new one naming it.
CREATE TABLE svc_contacts (
    id            INTEGER PRIMARY KEY,
    steward_id    INTEGER NOT NULL REFERENCES svc_stewards (id),
    enterprise    TEXT NOT NULL,
    province      TEXT,
    city          TEXT,
    district      TEXT,
    zone          TEXT,
    contacted_on  TEXT NOT NULL,
    channel       TEXT NOT NULL,
    topics        TEXT NOT NULL,
    follow_up     TEXT,
    corrects      INTEGER REFERENCES svc_contacts (id),
    recorded_by   INTEGER NOT NULL REFERENCES wf_accounts (id),
    recorded_name TEXT NOT NULL,
    recorded_at   TEXT NOT NULL
);
CREATE INDEX svc_contacts_steward ON svc_contacts (steward_id, contacted_on);
CREATE INDEX svc_contacts_enterprise ON svc_contacts (enterprise, contacted_on);
CREATE INDEX svc_contacts_city ON svc_contacts (city, contacted_on);
CREATE INDEX svc_contacts_province ON svc_contacts (province, contacted_on);
CREATE INDEX svc_contacts_zone ON svc_contacts (zone, contacted_on);

-- The requests (诉求) a contact raised: each of the contact's enterprise.
CREATE TABLE svc_contact_requests (
    contact_id  INTEGER NOT NULL REFERENCES svc_contacts (id),
    request_id  INTEGER NOT NULL REFERENCES svc_requests (id),
    PRIMARY KEY (contact_id, request_id)
);

CREATE TRIGGER svc_contacts_no_update BEFORE UPDATE ON svc_contacts
BEGIN
    SELECT RAISE(ABORT, 'the contact log is append-only');
END;

CREATE TRIGGER svc_contacts_no_delete BEFORE DELETE ON svc_contacts
BEGIN
    SELECT RAISE(ABORT, 'the contact log is append-only');
END;
