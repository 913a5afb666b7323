-- City (0010–0019): local matters in the dispatch catalogue go to the street office of the case's street.
-- A rule with to_street = true names the district government as unit_id (the fallback when a case has no
-- street, or its street has no office); dispatch picks the unit whose division_code is the case's street_code.
ALTER TABLE dispatch_rules ADD COLUMN IF NOT EXISTS to_street boolean NOT NULL DEFAULT false;
CREATE INDEX IF NOT EXISTS units_division ON units (division_code);
