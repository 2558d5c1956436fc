-- Policies for enterprises (惠企政策, issue 14), their items, the matches the
-- criteria engine finds, and each match's redemption steps.
--
-- A policy is placed by the jurisdiction that publishes it (NULL columns
-- above it: the nation's policy has none), so an official's scope reads
-- the policies below it; the policies above are read by their jurisdiction.
-- An item's eligibility is a rule set in the criteria engine's TOML text.
-- A match is one enterprise for one item: matching again adds no second
-- (UNIQUE), whatever the day it is run as of. Redemption days are civil
-- dates (China), counted on the working calendar when shown.
CREATE TABLE pol_policies (
    id              INTEGER PRIMARY KEY,
    jurisdiction    TEXT NOT NULL,
    province        TEXT,
    city            TEXT,
    district        TEXT,
    zone            TEXT,
    issuer          TEXT NOT NULL,
    document_number TEXT NOT NULL,
    title           TEXT NOT NULL,
    source_url      TEXT,
    published_on    TEXT NOT NULL,
    valid_from      TEXT NOT NULL,
    valid_until     TEXT,
    state           TEXT NOT NULL,
    withdraw_reason TEXT,
    created_by      INTEGER NOT NULL REFERENCES wf_accounts (id),
    created_at      TEXT NOT NULL,
    updated_at      TEXT NOT NULL,
    version         INTEGER NOT NULL
);
CREATE INDEX pol_policies_jurisdiction ON pol_policies (jurisdiction);
CREATE INDEX pol_policies_province ON pol_policies (province);
CREATE INDEX pol_policies_city ON pol_policies (city);
CREATE INDEX pol_policies_zone ON pol_policies (zone);

CREATE TABLE pol_items (
    id                 INTEGER PRIMARY KEY,
    policy_id          INTEGER NOT NULL REFERENCES pol_policies (id),
    title              TEXT NOT NULL,
    class              TEXT NOT NULL,
    amount_kind        TEXT NOT NULL,
    amount             TEXT,            -- a canonical decimal string, yuan
    amount_rule        TEXT,
    mode               TEXT NOT NULL,
    own_limit_days     INTEGER,         -- as the item set it (NULL: the mode's default)
    payment_limit_days INTEGER,         -- in force
    eligibility        TEXT NOT NULL,
    created_at         TEXT NOT NULL
);
CREATE INDEX pol_items_policy ON pol_items (policy_id);

CREATE TABLE pol_matches (
    id          INTEGER PRIMARY KEY,
    policy_id   INTEGER NOT NULL REFERENCES pol_policies (id),
    item_id     INTEGER NOT NULL REFERENCES pol_items (id),
    enterprise  TEXT NOT NULL,
    province    TEXT,
    city        TEXT,
    district    TEXT,
    zone        TEXT,
    as_of       TEXT NOT NULL,
    decision    TEXT NOT NULL,       -- the engine's explained decision (JSON)
    state       TEXT NOT NULL,
    reason      TEXT,
    note        TEXT,
    pushed_on   TEXT,
    applied_on  TEXT,
    decided_on  TEXT,
    paid_on     TEXT,
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL,
    version     INTEGER NOT NULL,
    UNIQUE (item_id, enterprise)
);
CREATE INDEX pol_matches_enterprise ON pol_matches (enterprise);
CREATE INDEX pol_matches_policy ON pol_matches (policy_id);
CREATE INDEX pol_matches_province ON pol_matches (province);
CREATE INDEX pol_matches_city ON pol_matches (city);
CREATE INDEX pol_matches_zone ON pol_matches (zone);

CREATE TABLE pol_match_steps (
    id          INTEGER PRIMARY KEY,
    match_id    INTEGER NOT NULL REFERENCES pol_matches (id),
    action      TEXT NOT NULL,
    from_state  TEXT NOT NULL,
    to_state    TEXT NOT NULL,
    actor_id    INTEGER REFERENCES wf_accounts (id),
    actor_name  TEXT NOT NULL,
    at          TEXT NOT NULL,
    text        TEXT
);
CREATE INDEX pol_match_steps_match ON pol_match_steps (match_id);
