-- Which pushed policy matches (惠企政策) each account has read (issue 14):
-- a match is "new" (新推送) to an account once pushed and until that
-- account opens it. One row per match and account, written once, at the
-- first reading; never changed afterwards.
CREATE TABLE pol_match_reads (
    match_id    BIGINT NOT NULL REFERENCES pol_matches (id),
    account_id  BIGINT NOT NULL REFERENCES wf_accounts (id),
    read_at     TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (account_id, match_id)
);

-- A contact record (走访) is corrected at most once: a later correction
-- corrects the correction. The write checks this first; the index makes
-- two officials correcting the same record at the same moment end with
-- exactly one correction on every engine, not only where writers queue.
CREATE UNIQUE INDEX svc_contacts_corrected_once ON svc_contacts (corrects)
    WHERE corrects IS NOT NULL;
