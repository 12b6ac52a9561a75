-- tracelm prices list: the price table, then the models that spent tokens
-- with no recorded cost and no price (their cost is unknown, not zero).
SELECT provider, model_pattern AS "model",
       printf('%.4g', input_per_mtok) AS "input/M",
       printf('%.4g', output_per_mtok) AS "output/M",
       iif(cached_input_per_mtok IS NULL, '', printf('%.4g', cached_input_per_mtok)) AS "cache read/M",
       iif(cache_write_per_mtok IS NULL, '', printf('%.4g', cache_write_per_mtok)) AS "cache write/M",
       iif(reasoning_per_mtok IS NULL, '', printf('%.4g', reasoning_per_mtok)) AS "reasoning/M",
       valid_from AS "from"
  FROM model_prices
 ORDER BY provider, model_pattern, valid_from;
