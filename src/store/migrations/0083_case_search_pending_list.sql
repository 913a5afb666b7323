-- The case search index's pending list is merged by a timer of the serving process (cases/search-index.ts), every
-- second (PGlite: 250 ms) while cases come in, on a connection of its own; the inserting statement merges only when that timer
-- falls behind and the list passes this limit (back to PostgreSQL's default: 4 MB ≈ 4,000 cases).
-- Measured (bench intake, PostgreSQL, 16 clients): an intake statement that merged a 256 kB list took ≈ 70 ms
-- instead of ≈ 5; merging a second's cases at a time on the side cut PostgreSQL's CPU per case from ≈ 0.50 to
-- ≈ 0.40 ms (bigger merges write each trigram's posting list once per thousand cases, not per hundred) and p99
-- from 44–48 to 34 ms.
ALTER INDEX cases_search_trgm SET (gin_pending_list_limit = 4096);
