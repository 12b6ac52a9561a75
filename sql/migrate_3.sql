-- TraceLM schema, version 2 -> 3: traces carry a run label (the recorder's
-- TRACELM_RUN_LABEL, `tracelm run --label`), so that compare_runs() can
-- compare "the runs of main" with "the runs of my branch".  The prices and
-- the cost views come with sql/prices_and_runs.sql, which common/schema.c
-- applies after this file.
ALTER TABLE traces ADD COLUMN label TEXT;
