-- Sign-in hardening (issue 20).
--
-- Sign-in attempts are counted before the password is checked, under keyed
-- hashes of the username and of the client address, never raw text. Each
-- attempt's rows carry its random ticket so that a success forgets its own
-- rows and no one else's. The rows of the old scheme held raw usernames
-- (up to the body limit): they go.
DELETE FROM wf_login_failures;
ALTER TABLE wf_login_failures ADD COLUMN attempt TEXT;
CREATE INDEX wf_login_failures_attempt ON wf_login_failures (attempt);
CREATE INDEX wf_login_failures_at ON wf_login_failures (at);

-- A password set by an administrator must be changed by its owner first.
ALTER TABLE wf_accounts ADD COLUMN must_change_password BOOLEAN NOT NULL DEFAULT FALSE;
