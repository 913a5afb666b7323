-- The monthly rollups hold closed months only: months before rollup_months.open_from. The open months (the
-- current one, and any later) are read from the daily rollups, so that intake — nearly all of it dated today —
-- writes no monthly row at all (a third of the rollup upserts of each intake batch). A job moves open_from on
-- at the start of each month, summing the closed month's daily rows into the monthly tables
-- (src/metrics/close-months.ts); changes of cases of closed months (a callback a week later) still update their
-- monthly rows. Reads never depend on the job having run: open months are always complete in the daily rollups.
CREATE TABLE rollup_months (
  singleton boolean PRIMARY KEY DEFAULT true CHECK (singleton),
  open_from date NOT NULL
);
-- The months before the current one already have exact monthly rows (kept so far for every month).
INSERT INTO rollup_months (open_from) VALUES (date_trunc('month', now() AT TIME ZONE 'Asia/Shanghai')::date);
DELETE FROM rollup_monthly WHERE local_day >= (SELECT open_from FROM rollup_months);
DELETE FROM rollup_cube_monthly WHERE local_day >= (SELECT open_from FROM rollup_months);
