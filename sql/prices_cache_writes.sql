-- A database that had the price table before version 6 (versions 3 to 5)
-- gets its cache-write column; sql/cache_write_rates.sql fills it.
ALTER TABLE model_prices ADD COLUMN cache_write_per_mtok REAL;
