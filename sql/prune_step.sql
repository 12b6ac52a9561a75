-- tracelm prune, one step: the next ?1 candidates (temp.prune_candidates,
-- from prune_select.sql) deleted whole, in the caller's transaction: their
-- spans, events, links, per-span facts and traces rows.  The command runs
-- it with triggers off, so each table is cleared once per step, not once
-- per span; what the triggers would keep (traces, facts marks) is deleted
-- with the trace.
DROP TABLE IF EXISTS temp.prune_step;
CREATE TEMP TABLE prune_step(trace_id TEXT PRIMARY KEY) WITHOUT ROWID;
INSERT INTO prune_step SELECT trace_id FROM prune_candidates ORDER BY n LIMIT CAST(?1 AS INTEGER);
DELETE FROM prune_candidates WHERE trace_id IN prune_step;
DELETE FROM span_events WHERE trace_id IN prune_step;
DELETE FROM span_links WHERE trace_id IN prune_step;
DELETE FROM span_facts WHERE trace_key IN (SELECT trace_key FROM trace_facts WHERE trace_id IN prune_step);
DELETE FROM trace_facts WHERE trace_id IN prune_step;
DELETE FROM facts_dirty WHERE trace_id IN prune_step;
DELETE FROM spans WHERE trace_id IN prune_step;
DELETE FROM traces WHERE trace_id IN prune_step;
