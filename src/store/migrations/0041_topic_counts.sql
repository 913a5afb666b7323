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
