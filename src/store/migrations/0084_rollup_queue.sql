-- Rollup deltas wait here (metrics/rollups.ts): every case change inserts, in its own transaction, the case's rollup
-- columns before (sign −1) and after (+1) the change; the rollup writer deletes the queued rows and applies their sum
-- to the rollups in one transaction, about once a second and before each metrics read. A change thus no longer
-- upserts its ~5–10 rollup and cube rows itself — at 1,000 cases/s those upserts were ≈ 40 % of the intake
-- statement's time (≈ 1.7 of ≈ 4.5 ms per batch of ~16, session 8's breakdown) — and a second's worth of changes
-- shares the day's hot rows.
-- The columns are those the rollup keys, counters and place dimensions read (DELTA_COLUMNS), typed and NOT NULL as in
-- cases: a row the drain could not apply is refused when the change is stored, and never blocks the queue.
CREATE TABLE rollup_queue (
  sign            smallint NOT NULL CHECK (sign IN (-1, 1)),
  local_day       date NOT NULL,
  category_code   text,
  district_code   text,
  channel         text NOT NULL,
  unit_id         text,
  request_type    text,
  callback_result text,
  callback_note   text,
  status          text NOT NULL,
  return_count    int NOT NULL,
  accepted_at     timestamptz,
  accept_due_at   timestamptz,
  reply_due_at    timestamptz,
  replied_at      timestamptz,
  closed_at       timestamptz,
  extension_count int NOT NULL,
  reopen_count    int NOT NULL,
  repeat_of       bigint,
  received_at     timestamptz NOT NULL,
  street_code     text,
  community_code  text
) WITH (autovacuum_vacuum_threshold = 5000, autovacuum_vacuum_scale_factor = 0);
