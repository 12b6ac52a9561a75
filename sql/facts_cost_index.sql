-- Version 7, for a file whose facts tables version 6 made: the traces'
-- priced cost indexed, which the trace browser's list sorted by cost walks
-- (cli/ui_api.c).  sql/facts.sql has the same index for newer files.
CREATE INDEX IF NOT EXISTS trace_facts_by_cost ON trace_facts(cost, trace_id);
