-- The ledger. Never edit this file once released: add a new migration.
--
-- Dates, codes and amounts are kept as the exact text of the interchange
-- format (`100` and `100.00` stay different), so an export reproduces what
-- was imported and nothing is ever a binary float. Lists (industries, tags)
-- are JSON arrays and `x_` extras JSON objects; both are NULL when empty.

-- Every successful import, in order. `outcome` is the JSON ImportOutcome;
-- `last_seq` the largest event `seq` after the import.
CREATE TABLE imports (
    id       INTEGER PRIMARY KEY,
    origin   TEXT NOT NULL,
    at       TEXT NOT NULL,
    outcome  TEXT,
    last_seq INTEGER NOT NULL DEFAULT 0
);

-- The current revision of every enterprise, and the import that brought it.
-- `key` is the compact handle the other tables use.
CREATE TABLE enterprises (
    key        INTEGER PRIMARY KEY,
    id         TEXT NOT NULL UNIQUE,
    revision   INTEGER NOT NULL,
    import_id  INTEGER NOT NULL REFERENCES imports (id),
    name       TEXT NOT NULL,
    name_en    TEXT,
    uscc       TEXT UNIQUE,
    founded    TEXT NOT NULL,
    country    TEXT NOT NULL,
    region     TEXT,
    city       TEXT,
    zone       TEXT,
    industries TEXT,
    tags       TEXT,
    extra      TEXT
);

-- Append-only: every revision that a later one replaced, as it was. With
-- the current rows in `enterprises`, every differing row ever imported.
CREATE TABLE enterprise_revisions (
    enterprise_key INTEGER NOT NULL REFERENCES enterprises (key),
    revision       INTEGER NOT NULL,
    import_id      INTEGER NOT NULL REFERENCES imports (id),
    name           TEXT NOT NULL,
    name_en        TEXT,
    uscc           TEXT,
    founded        TEXT NOT NULL,
    country        TEXT NOT NULL,
    region         TEXT,
    city           TEXT,
    zone           TEXT,
    industries     TEXT,
    tags           TEXT,
    extra          TEXT,
    PRIMARY KEY (enterprise_key, revision)
) WITHOUT ROWID;

-- Append-only. `seq` is the import order, which decides between events of
-- one enterprise on one day (same-day relocations): every import numbers its
-- events after all stored ones, in dataset order, so the import that brought
-- an event is the one whose `last_seq` range holds it. `identity` is the
-- EventIdentity of the row's format columns: an enterprise cannot hold two
-- equal events. Clustered by enterprise, so an import appends, and one
-- enterprise's events are one range; no other index to maintain.
CREATE TABLE events (
    enterprise_key INTEGER NOT NULL REFERENCES enterprises (key),
    identity       BLOB NOT NULL,
    seq            INTEGER NOT NULL,
    date           TEXT NOT NULL,
    kind           TEXT NOT NULL,
    round          TEXT,
    amount         TEXT,
    valuation      TEXT,
    currency       TEXT,
    investors      TEXT,
    exchange       TEXT,
    region         TEXT,
    source         TEXT,
    extra          TEXT,
    PRIMARY KEY (enterprise_key, identity)
) WITHOUT ROWID;

CREATE TABLE fx_rates (
    currency  TEXT NOT NULL,
    date      TEXT NOT NULL,
    per_usd   TEXT NOT NULL,
    import_id INTEGER NOT NULL REFERENCES imports (id),
    PRIMARY KEY (currency, date)
) WITHOUT ROWID;

CREATE TABLE financials (
    enterprise_key INTEGER NOT NULL REFERENCES enterprises (key),
    year           INTEGER NOT NULL,
    currency       TEXT NOT NULL,
    revenue        TEXT,
    rd_expense     TEXT,
    employees      INTEGER,
    import_id      INTEGER NOT NULL REFERENCES imports (id),
    PRIMARY KEY (enterprise_key, year)
) WITHOUT ROWID;
