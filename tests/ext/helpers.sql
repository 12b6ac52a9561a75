-- helpers.sql — read by the SQL tests: a TraceLM schema in the test's
-- database and add_span, a view whose INSERT writes one span from small
-- numbers: trace t, span id, parent id (NULL = root), name, start, end, kind.
SELECT tracelm_init();
.mode list
.headers off
CREATE TEMP VIEW add_span(t, id, parent, name, start_ns, end_ns, kind) AS SELECT 1,1,1,1,1,1,1;
CREATE TEMP TRIGGER add_span_insert INSTEAD OF INSERT ON add_span BEGIN
  INSERT INTO spans(trace_id, span_id, parent_id, name, start_ns, end_ns, kind)
  VALUES (printf('%032x', NEW.t), printf('%016x', NEW.id),
          iif(NEW.parent IS NULL, NULL, printf('%016x', NEW.parent)),
          NEW.name, NEW.start_ns, NEW.end_ns, coalesce(NEW.kind, 'internal'));
END;
