-- Prompt-cache writes (version 6), for the default list of a new database
-- and of one upgraded to 6: the rows of it still as TraceLM wrote them
-- (rows a user added or edited are left alone).  Anthropic charges a
-- 5-minute cache write at 1.25 times the input rate (Claude 3 Haiku: $0.30)
-- and a read at 0.1 times (the cached_input rates of sql/model_prices.sql),
-- per its pricing page in mid-2025; OpenAI, Google, Mistral and DeepSeek
-- charge no write beyond the input rate (NULL) and report none.
UPDATE model_prices SET cache_write_per_mtok = CASE model_pattern
    WHEN 'claude-3-5-sonnet*' THEN 3.75 WHEN 'claude-3-7-sonnet*' THEN 3.75
    WHEN 'claude-sonnet-4*' THEN 3.75 WHEN 'claude-3-5-haiku*' THEN 1.00
    WHEN 'claude-3-haiku*' THEN 0.30 WHEN 'claude-3-opus*' THEN 18.75
    WHEN 'claude-opus-4*' THEN 18.75 END
 WHERE provider = 'anthropic' AND source = 'anthropic.com/pricing' AND valid_from = '1970-01-01'
   AND cache_write_per_mtok IS NULL;
