-- Cases domain: channels (configurable list), default deadline policy, indexes for the case list.

INSERT INTO channels (code, name, kind) VALUES
  ('12345', '热线电话', 'phone'),
  ('web', '网站', 'web'),
  ('letter', '来信', 'letter'),
  ('app', 'App', 'app'),
  ('wechat', '微信', 'wechat'),
  ('12315', '市场监管热线', 'merged'),
  ('12333', '人社热线', 'merged'),
  ('import', '导入', 'import')
ON CONFLICT (code) DO NOTHING;

-- Deadline policy (working days unless stated); changeable through PUT /api/settings/deadline-policy.
INSERT INTO settings (key, value) VALUES ('deadline_policy', '{
  "signInWorkingDays": 1,
  "replyWorkingDays": {"consultation": 3, "help": 5, "complaint": 5, "report": 10, "suggestion": 10, "praise": 3, "default": 5},
  "urgent": {"signInHours": 2, "replyWorkingDays": 1},
  "yellowFraction": 0.25
}') ON CONFLICT (key) DO NOTHING;

CREATE INDEX IF NOT EXISTS cases_title_trgm ON cases USING gin (title gin_trgm_ops);
CREATE INDEX IF NOT EXISTS cases_channel ON cases (channel, local_day);
CREATE INDEX IF NOT EXISTS cases_accept_due ON cases (accept_due_at) WHERE status = 'dispatched';
