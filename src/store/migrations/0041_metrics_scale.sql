-- Priority-topic volumes per day, filled on first read for days before "today" (a topic matches on text, so it
-- cannot be a rollup key; counting a month of cases by regular expression on every big-screen refresh does not
-- scale). topics_key identifies the topic definitions the counts were made with; rows of a day are deleted when
-- a case of that day is bulk-loaded, backdated or re-tagged (src/metrics/hooks.ts).
CREATE TABLE topic_counts_daily (
  topics_key text NOT NULL,
  local_day  date NOT NULL,
  code       text NOT NULL,
  n          int NOT NULL,
  PRIMARY KEY (topics_key, local_day, code)
);
CREATE INDEX topic_counts_daily_day ON topic_counts_daily (local_day);

-- The cube is read one dimension at a time: the dimension leads its key, so a year of one dimension reads only
-- that dimension's rows (unit_mix and community hold most of the cube).
ALTER TABLE rollup_cube_daily DROP CONSTRAINT rollup_cube_daily_pkey, ADD PRIMARY KEY (dim, local_day, key);
ALTER TABLE rollup_cube_monthly DROP CONSTRAINT rollup_cube_monthly_pkey, ADD PRIMARY KEY (dim, local_day, key);

-- Drill-down pages list a place's / category's / channel's cases newest first: with received_at last in these
-- indexes, (local_day DESC, received_at DESC) is read in index order instead of sorting the whole month.
DROP INDEX IF EXISTS cases_district;
CREATE INDEX cases_district ON cases (district_code, local_day, received_at);
DROP INDEX IF EXISTS cases_category;
CREATE INDEX cases_category ON cases (category_code, local_day, received_at);
DROP INDEX IF EXISTS cases_channel;
CREATE INDEX cases_channel ON cases (channel, local_day, received_at);
DROP INDEX IF EXISTS cases_local_day;
CREATE INDEX cases_local_day ON cases (local_day, received_at);
-- 不满意 drill-downs (a few per cent of callbacks) would otherwise walk a whole month of a category to fill a page.
CREATE INDEX cases_unsatisfied ON cases (local_day, received_at) WHERE callback_result = 'unsatisfied';
