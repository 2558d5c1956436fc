-- The ledger as the engine reads it, encoded by `hatchery_core::snapshot`,
-- for the import it was written after: loading the ledger reads these few
-- blobs instead of every row, for as long as no later import exists. Part 0
-- is the header; the tables stay the truth.
CREATE TABLE ledger_snapshot (
    part      INTEGER PRIMARY KEY,
    import_id INTEGER NOT NULL,
    data      BLOB NOT NULL
);

-- Rows are only ever added by imports, which keep the snapshot current
-- themselves. A row changed or removed any other way (by hand, in SQL)
-- drops the snapshot, so that the next load reads the tables as they are.
CREATE TRIGGER enterprises_updated_drop_snapshot AFTER UPDATE ON enterprises
BEGIN DELETE FROM ledger_snapshot; END;
CREATE TRIGGER enterprises_deleted_drop_snapshot AFTER DELETE ON enterprises
BEGIN DELETE FROM ledger_snapshot; END;
CREATE TRIGGER events_updated_drop_snapshot AFTER UPDATE ON events
BEGIN DELETE FROM ledger_snapshot; END;
CREATE TRIGGER events_deleted_drop_snapshot AFTER DELETE ON events
BEGIN DELETE FROM ledger_snapshot; END;
CREATE TRIGGER fx_rates_updated_drop_snapshot AFTER UPDATE ON fx_rates
BEGIN DELETE FROM ledger_snapshot; END;
CREATE TRIGGER fx_rates_deleted_drop_snapshot AFTER DELETE ON fx_rates
BEGIN DELETE FROM ledger_snapshot; END;
