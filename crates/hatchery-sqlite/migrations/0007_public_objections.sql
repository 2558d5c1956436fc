-- Anyone may object to a declaration under public notice, without an
-- account (issue 13): the objection and its step then name no account. The
-- objector's name and contact, and an attachment, are kept with the
-- objection for the officials who resolve it (never shown to the
-- enterprise). SQLite cannot drop a NOT NULL: both tables are rebuilt.
CREATE TABLE wf_steps_new (
    id             INTEGER PRIMARY KEY,
    declaration_id INTEGER NOT NULL REFERENCES wf_declarations (id),
    action         TEXT NOT NULL,
    from_state     TEXT NOT NULL,
    to_state       TEXT NOT NULL,
    actor_id       INTEGER REFERENCES wf_accounts (id),
    actor_name     TEXT NOT NULL,
    at             TEXT NOT NULL,
    reason         TEXT
);
INSERT INTO wf_steps_new (id, declaration_id, action, from_state, to_state, actor_id, actor_name, at, reason)
    SELECT id, declaration_id, action, from_state, to_state, actor_id, actor_name, at, reason FROM wf_steps;
DROP TABLE wf_steps;
ALTER TABLE wf_steps_new RENAME TO wf_steps;
CREATE INDEX wf_steps_declaration ON wf_steps (declaration_id);

CREATE TABLE wf_objections_new (
    id                      INTEGER PRIMARY KEY,
    declaration_id          INTEGER NOT NULL REFERENCES wf_declarations (id),
    lodged_by               INTEGER REFERENCES wf_accounts (id),
    lodged_at               TEXT NOT NULL,
    text                    TEXT NOT NULL,
    resolved_by             INTEGER REFERENCES wf_accounts (id),
    resolved_at             TEXT,
    upheld                  INTEGER,
    resolution              TEXT,
    objector_name           TEXT,
    objector_contact        TEXT,
    attachment_name         TEXT,
    attachment_content_type TEXT,
    attachment_sha256       TEXT,
    attachment              BLOB
);
INSERT INTO wf_objections_new (id, declaration_id, lodged_by, lodged_at, text, resolved_by, resolved_at, upheld, resolution)
    SELECT id, declaration_id, lodged_by, lodged_at, text, resolved_by, resolved_at, upheld, resolution FROM wf_objections;
DROP TABLE wf_objections;
ALTER TABLE wf_objections_new RENAME TO wf_objections;
CREATE INDEX wf_objections_declaration ON wf_objections (declaration_id);
