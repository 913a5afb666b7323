-- A case row with its text and tagging result (tags->'auto': evidence, top categories, places, duplicates) passes
-- the 2 kB TOAST threshold, so each insert compressed its longest values with pglz: ≈ 1.2 % of the whole machine
-- at 1,000 cases/s (perf during bench intake, session 10), the largest single function of the intake backend.
-- lz4 compresses several times faster and decompresses faster for reads. Only where the server has lz4
-- (PostgreSQL built --with-lz4, as Debian's is; PGlite has pglz only); applies to values written from now on.
DO $$
BEGIN
  IF EXISTS (SELECT 1 FROM pg_settings WHERE name = 'default_toast_compression' AND 'lz4' = ANY (enumvals)) THEN
    ALTER TABLE cases
      ALTER COLUMN content SET COMPRESSION lz4,
      ALTER COLUMN tags SET COMPRESSION lz4,
      ALTER COLUMN resolution SET COMPRESSION lz4;
  END IF;
END $$;
