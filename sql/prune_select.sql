-- tracelm prune: the traces to delete, into temp.prune_candidates, oldest
-- first.  ?1 the newest start to delete before (ns; '' for none), ?2 how
-- many of the newest traces to keep ('' for no such rule).  With both,
-- a trace goes when either rule says so.
DROP TABLE IF EXISTS temp.prune_candidates;
CREATE TEMP TABLE prune_candidates(n INTEGER PRIMARY KEY, trace_id TEXT NOT NULL UNIQUE);
INSERT INTO prune_candidates(trace_id)
SELECT trace_id FROM (
  SELECT trace_id, start_ns FROM traces WHERE ?1 <> '' AND start_ns < CAST(?1 AS INTEGER)
  UNION
  SELECT trace_id, start_ns FROM (SELECT trace_id, start_ns FROM traces ORDER BY start_ns DESC
                                   LIMIT -1 OFFSET CAST(?2 AS INTEGER)) WHERE ?2 <> '')
 ORDER BY start_ns;
