-- The incremental warning run keeps its snapshot of the recent cases between runs and reads only the cases changed
-- since (src/warning/load-input.ts): without this index that read visited every case of the 56-day window each run.
CREATE INDEX cases_updated_at ON cases (updated_at);
