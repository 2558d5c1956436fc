-- The language an account reads pages in (issue 13): `zh-CN`, `en`, or
-- NULL for the default (Chinese, or the browser's own choice).
ALTER TABLE wf_accounts ADD COLUMN language TEXT;
