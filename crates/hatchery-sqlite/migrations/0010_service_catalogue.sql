-- The service catalogue (服务菜单, issue 14): providers with their vetting
-- flags, versioned menus of items per jurisdiction, and yearly service
-- packages (服务包) of published items for one enterprise.
--
-- A menu's versions share `series` (the id of its first version) and are
-- numbered from 1; at most one draft per series. A published menu's items
-- are frozen (the operations refuse changes), a copy is a new version with
-- new item rows. Fixed fees are decimal text in yuan, kept exactly.
CREATE TABLE svc_providers (
    id              INTEGER PRIMARY KEY,
    jurisdiction    TEXT NOT NULL,
    name            TEXT NOT NULL,
    kind            TEXT NOT NULL,
    uscc            TEXT,
    contact         TEXT NOT NULL,
    dishonest       INTEGER NOT NULL,
    checked_on      TEXT,
    check_source    TEXT,
    complaints      INTEGER NOT NULL,
    suspended_reason TEXT,
    flags_reason    TEXT,            -- the reason of the last change of flags
    created_by      INTEGER NOT NULL REFERENCES wf_accounts (id),
    created_at      TEXT NOT NULL,
    updated_at      TEXT NOT NULL,
    version         INTEGER NOT NULL
);
CREATE INDEX svc_providers_jurisdiction ON svc_providers (jurisdiction);

CREATE TABLE svc_menus (
    id              INTEGER PRIMARY KEY,
    series          INTEGER NOT NULL,
    number          INTEGER NOT NULL,
    jurisdiction    TEXT NOT NULL,
    title           TEXT NOT NULL,
    label           TEXT NOT NULL,
    state           TEXT NOT NULL,
    published_on    TEXT,
    created_by      INTEGER NOT NULL REFERENCES wf_accounts (id),
    created_at      TEXT NOT NULL,
    updated_at      TEXT NOT NULL,
    version         INTEGER NOT NULL
);
CREATE UNIQUE INDEX svc_menus_number ON svc_menus (series, number);
CREATE UNIQUE INDEX svc_menus_label ON svc_menus (series, label);
CREATE UNIQUE INDEX svc_menus_one_draft ON svc_menus (series) WHERE state = 'draft';
CREATE INDEX svc_menus_jurisdiction ON svc_menus (jurisdiction, state);

CREATE TABLE svc_menu_items (
    id              INTEGER PRIMARY KEY,
    menu_id         INTEGER NOT NULL REFERENCES svc_menus (id),
    category        TEXT NOT NULL,
    title           TEXT NOT NULL,
    description     TEXT NOT NULL,
    provider_id     INTEGER NOT NULL REFERENCES svc_providers (id),
    tiers           TEXT NOT NULL,   -- tier keys, comma-separated, in order
    delivery        TEXT NOT NULL,
    fee_kind        TEXT NOT NULL,
    fee_amount      TEXT,
    fee_note        TEXT,
    time_limit_days INTEGER
);
CREATE INDEX svc_menu_items_menu ON svc_menu_items (menu_id);
CREATE INDEX svc_menu_items_provider ON svc_menu_items (provider_id);

CREATE TABLE svc_packages (
    id              INTEGER PRIMARY KEY,
    enterprise      TEXT NOT NULL,
    province        TEXT,
    city            TEXT,
    district        TEXT,
    zone            TEXT,
    year            INTEGER NOT NULL,
    note            TEXT,
    created_by      INTEGER NOT NULL REFERENCES wf_accounts (id),
    created_at      TEXT NOT NULL,
    updated_at      TEXT NOT NULL,
    version         INTEGER NOT NULL
);
CREATE UNIQUE INDEX svc_packages_year ON svc_packages (enterprise, year);

CREATE TABLE svc_package_items (
    package_id      INTEGER NOT NULL REFERENCES svc_packages (id),
    item_id         INTEGER NOT NULL REFERENCES svc_menu_items (id),
    PRIMARY KEY (package_id, item_id)
);

-- A request may name the catalogue item it is about.
ALTER TABLE svc_requests ADD COLUMN catalogue_item INTEGER REFERENCES svc_menu_items (id);
