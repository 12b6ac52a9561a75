-- A database that had the price table before version 6 (versions 3 to 5)
-- gets its cache-write column, and the rows of the default list it still
-- holds unchanged get the providers' cache-write rates that version 6's
-- list (sql/model_prices.sql) has.  Rows a user added or edited are left.
ALTER TABLE model_prices ADD COLUMN cache_write_per_mtok REAL;
UPDATE model_prices SET cache_write_per_mtok = CASE model_pattern
    WHEN 'claude-3-5-sonnet*' THEN 3.75 WHEN 'claude-3-7-sonnet*' THEN 3.75
    WHEN 'claude-sonnet-4*' THEN 3.75 WHEN 'claude-3-5-haiku*' THEN 1.00
    WHEN 'claude-3-haiku*' THEN 0.30 WHEN 'claude-3-opus*' THEN 18.75
    WHEN 'claude-opus-4*' THEN 18.75 END
 WHERE provider = 'anthropic' AND source = 'anthropic.com/pricing' AND valid_from = '1970-01-01'
   AND cache_write_per_mtok IS NULL;
