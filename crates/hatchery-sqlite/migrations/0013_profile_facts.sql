-- "Enter once" (issue 14): dated facts about what the system holds of an
-- enterprise, as its holder confirmed or corrected them. Append-only (the
-- triggers refuse any change): a later fact of the same field wins by
-- `effective_on`, then by `id`. A region fact's move is also a `relocated`
-- event in the ledger, a financial figure's the financials row of `year`;
-- `previous` keeps the value the fact replaced. Days `YYYY-MM-DD`, instants
-- UTC text with six fractional digits, as in the workflow's tables.
CREATE TABLE profile_facts (
    id            INTEGER PRIMARY KEY,
    enterprise    TEXT NOT NULL,
    field         TEXT NOT NULL,
    value         TEXT NOT NULL,
    previous      TEXT,
    effective_on  TEXT NOT NULL,
    year          INTEGER,
    currency      TEXT,
    confirms      INTEGER NOT NULL DEFAULT 0,
    recorded_by   INTEGER REFERENCES wf_accounts (id),
    recorded_name TEXT NOT NULL,
    recorded_at   TEXT NOT NULL
);

CREATE INDEX profile_facts_by_enterprise ON profile_facts (enterprise, id);

CREATE TRIGGER profile_facts_append_only_update BEFORE UPDATE ON profile_facts
BEGIN
    SELECT RAISE(ABORT, 'profile_facts is append-only');
END;

CREATE TRIGGER profile_facts_append_only_delete BEFORE DELETE ON profile_facts
BEGIN
    SELECT RAISE(ABORT, 'profile_facts is append-only');
END;
