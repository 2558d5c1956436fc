-- Anyone may object to a declaration under public notice, without an
-- account (issue 13): the objection and its step then name no account. The
-- objector's name and contact, and an attachment, are kept with the
-- objection for the officials who resolve it (never shown to the
-- enterprise).
ALTER TABLE wf_steps ALTER COLUMN actor_id DROP NOT NULL;
ALTER TABLE wf_objections ALTER COLUMN lodged_by DROP NOT NULL;
ALTER TABLE wf_objections
    ADD COLUMN objector_name TEXT,
    ADD COLUMN objector_contact TEXT,
    ADD COLUMN attachment_name TEXT,
    ADD COLUMN attachment_content_type TEXT,
    ADD COLUMN attachment_sha256 TEXT,
    ADD COLUMN attachment BYTEA;
