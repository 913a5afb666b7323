-- Case search (`q` of the case list) matches title, content, address and case number with one ILIKE. With a
-- trigram index on content and one on title only, the OR over four columns could use neither: every search read
-- the whole table (measured: a sequential scan), while each intake still paid for two GIN indexes. One trigram
-- index over the one expression the search matches replaces both.
-- Its pending list is kept small: a GIN index takes new entries into a pending list that the inserting statement
-- merges once it passes gin_pending_list_limit (4 MB by default) — at a sustained 1,000 cases/s one intake batch
-- every ~5 s took ~100 ms instead of ~6 ms (bench intake, open loop); 256 kB is merged often, in pieces of a few ms.
CREATE FUNCTION case_search_text(title text, content text, address text, case_no text) RETURNS text
  LANGUAGE sql IMMUTABLE PARALLEL SAFE
  AS $$ SELECT coalesce(title, '') || E'\n' || coalesce(content, '') || E'\n' || coalesce(address, '') || E'\n' || coalesce(case_no, '') $$;
CREATE INDEX cases_search_trgm ON cases USING gin (case_search_text(title, content, address, case_no) gin_trgm_ops)
  WITH (gin_pending_list_limit = 256);
DROP INDEX IF EXISTS cases_content_trgm;
DROP INDEX IF EXISTS cases_title_trgm;
