-- tracelm prices list: models with tokens but no cost and no price.
SELECT model, spans, tokens_in + tokens_out AS tokens FROM unpriced_models ORDER BY model;
