-- Rollup rows are counters updated in place many times a day (every intake batch updates the day's rows). With
-- room left on each page the new row version stays on its page and no index entry is added (a HOT update), so the
-- per-batch upserts cost less and the tables bloat less. Takes effect for pages written from now on (the
-- rebuild after a bulk load rewrites them all).
ALTER TABLE rollup_daily SET (fillfactor = 70);
ALTER TABLE rollup_monthly SET (fillfactor = 70);
ALTER TABLE rollup_cube_daily SET (fillfactor = 70);
ALTER TABLE rollup_cube_monthly SET (fillfactor = 70);
ALTER TABLE case_number_counters SET (fillfactor = 50);
