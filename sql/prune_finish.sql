-- tracelm prune, last: resources and scopes no span refers to any more.
DELETE FROM resources WHERE resource_id NOT IN
  (SELECT resource_id FROM spans WHERE resource_id IS NOT NULL);
DELETE FROM scopes WHERE scope_id NOT IN (SELECT scope_id FROM spans WHERE scope_id IS NOT NULL);
