-- Metrics: daily rollups of the cases table, kept current in the same transaction as every case change
-- (src/metrics/rollup-hook.ts) and rebuilt from scratch after bulk loads (src/metrics/rebuild-rollups.ts).
-- Every counter is a function of ONE case row's current state, attributed to the day the case was received
-- (cohort by intake day), so that rollups always equal a recomputation over `cases` and every number can
-- list its cases with the same predicate. '' stands for "none" in key columns (primary keys cannot be NULL).
CREATE TABLE rollup_daily (
  local_day           date NOT NULL,
  category_code       text NOT NULL DEFAULT '',
  district_code       text NOT NULL DEFAULT '',
  channel             text NOT NULL DEFAULT '',
  unit_id             text NOT NULL DEFAULT '',
  request_type        text NOT NULL DEFAULT '',
  unsat_reason        text NOT NULL DEFAULT '',
  received            int NOT NULL DEFAULT 0,
  resolved_online     int NOT NULL DEFAULT 0,
  transferred         int NOT NULL DEFAULT 0,
  accepted            int NOT NULL DEFAULT 0,
  accepted_on_time    int NOT NULL DEFAULT 0,
  replied             int NOT NULL DEFAULT 0,
  closed              int NOT NULL DEFAULT 0,
  closed_on_time      int NOT NULL DEFAULT 0,
  solved              int NOT NULL DEFAULT 0,
  returned            int NOT NULL DEFAULT 0,
  return_total        int NOT NULL DEFAULT 0,
  extended            int NOT NULL DEFAULT 0,
  reopened            int NOT NULL DEFAULT 0,
  callbacks           int NOT NULL DEFAULT 0,
  satisfied           int NOT NULL DEFAULT 0,
  basically_satisfied int NOT NULL DEFAULT 0,
  unsatisfied         int NOT NULL DEFAULT 0,
  repeats             int NOT NULL DEFAULT 0,
  handling_seconds    double precision NOT NULL DEFAULT 0,
  PRIMARY KEY (local_day, category_code, district_code, channel, unit_id, request_type, unsat_reason)
);

-- Monthly rollup with the same key and counters (first day of the month as the key): a year of dashboard
-- queries reads 12 months of these instead of 365 days of daily rows.
CREATE TABLE rollup_monthly (LIKE rollup_daily INCLUDING DEFAULTS);
ALTER TABLE rollup_monthly ADD PRIMARY KEY (local_day, category_code, district_code, channel, unit_id, request_type, unsat_reason);

-- Reports generated on the monthly schedule (one row per period; the unique key stops double runs).
CREATE TABLE report_runs (
  kind       text NOT NULL,
  period     text NOT NULL,
  format     text NOT NULL,
  file       text,
  status     text NOT NULL DEFAULT 'running' CHECK (status IN ('running', 'done', 'failed')),
  error      text,
  started_at timestamptz NOT NULL DEFAULT now(),
  done_at    timestamptz,
  PRIMARY KEY (kind, period, format)
);

-- The cube: the same counters pre-summed per single dimension (dim, key) for each day and month, so the
-- unfiltered dashboard queries (totals, one breakdown, the big screen) read a few hundred rows per month.
-- dim: all ('' key), channel, request_type, category, district, unit, unsat_reason, and unit_mix
-- (unit|category|type, the strata behind case-mix-adjusted unit rankings).
CREATE TABLE rollup_cube_daily (
  local_day           date NOT NULL,
  dim                 text NOT NULL,
  key                 text NOT NULL,
  received            int NOT NULL DEFAULT 0,
  resolved_online     int NOT NULL DEFAULT 0,
  transferred         int NOT NULL DEFAULT 0,
  accepted            int NOT NULL DEFAULT 0,
  accepted_on_time    int NOT NULL DEFAULT 0,
  replied             int NOT NULL DEFAULT 0,
  closed              int NOT NULL DEFAULT 0,
  closed_on_time      int NOT NULL DEFAULT 0,
  solved              int NOT NULL DEFAULT 0,
  returned            int NOT NULL DEFAULT 0,
  return_total        int NOT NULL DEFAULT 0,
  extended            int NOT NULL DEFAULT 0,
  reopened            int NOT NULL DEFAULT 0,
  callbacks           int NOT NULL DEFAULT 0,
  satisfied           int NOT NULL DEFAULT 0,
  basically_satisfied int NOT NULL DEFAULT 0,
  unsatisfied         int NOT NULL DEFAULT 0,
  repeats             int NOT NULL DEFAULT 0,
  handling_seconds    double precision NOT NULL DEFAULT 0,
  PRIMARY KEY (local_day, dim, key)
);
CREATE TABLE rollup_cube_monthly (LIKE rollup_cube_daily INCLUDING DEFAULTS);
ALTER TABLE rollup_cube_monthly ADD PRIMARY KEY (local_day, dim, key);
