-- tracelm prices import FILE.csv: ?1 the file's text.  A row with the
-- model_pattern and valid_from of a stored price replaces it.
SELECT import_prices(?1);
