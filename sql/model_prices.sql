-- The default price list, loaded when a database is created or upgraded
-- to schema version 3; afterwards it is the user's to edit (SQL, or
-- `tracelm prices import FILE.csv`), and TraceLM never rewrites it.
--
-- Source: the providers' published list prices for pay-as-you-go API use,
-- in USD per million tokens, as the TraceLM developers knew them in
-- mid-2025 (OpenAI, Anthropic, Google AI Studio / Gemini API at the
-- lowest context tier, Mistral La Plateforme, Together AI for Meta's Llama
-- models, DeepSeek's own API at standard hours).  Prices change: check
-- them against the providers' pages before relying on them, and add a row
-- with a later valid_from when one changes (history is kept; a span is
-- priced by the row in force on the day it started).
-- valid_from 1970-01-01 means "the earliest price known here".
-- Patterns are GLOBs; the most specific match wins, so 'gpt-4o-mini*'
-- prices gpt-4o-mini-2024-07-18 although 'gpt-4o*' matches it too.
INSERT OR IGNORE INTO model_prices
  (model_pattern, provider, input_per_mtok, output_per_mtok, cached_input_per_mtok,
   reasoning_per_mtok, valid_from, source) VALUES
  ('gpt-4o*',                 'openai',    2.50,  10.00,  1.25,  NULL, '1970-01-01', 'openai.com/api/pricing'),
  ('gpt-4o-mini*',            'openai',    0.15,   0.60,  0.075, NULL, '1970-01-01', 'openai.com/api/pricing'),
  ('gpt-4.1*',                'openai',    2.00,   8.00,  0.50,  NULL, '1970-01-01', 'openai.com/api/pricing'),
  ('gpt-4.1-mini*',           'openai',    0.40,   1.60,  0.10,  NULL, '1970-01-01', 'openai.com/api/pricing'),
  ('gpt-4.1-nano*',           'openai',    0.10,   0.40,  0.025, NULL, '1970-01-01', 'openai.com/api/pricing'),
  ('gpt-4-turbo*',            'openai',   10.00,  30.00,  NULL,  NULL, '1970-01-01', 'openai.com/api/pricing'),
  ('gpt-3.5-turbo*',          'openai',    0.50,   1.50,  NULL,  NULL, '1970-01-01', 'openai.com/api/pricing'),
  ('o1',                      'openai',   15.00,  60.00,  7.50,  NULL, '1970-01-01', 'openai.com/api/pricing'),
  ('o1-2*',                   'openai',   15.00,  60.00,  7.50,  NULL, '1970-01-01', 'openai.com/api/pricing'),
  ('o1-mini*',                'openai',    1.10,   4.40,  0.55,  NULL, '1970-01-01', 'openai.com/api/pricing'),
  ('o3-mini*',                'openai',    1.10,   4.40,  0.55,  NULL, '1970-01-01', 'openai.com/api/pricing'),
  ('o4-mini*',                'openai',    1.10,   4.40,  0.275, NULL, '1970-01-01', 'openai.com/api/pricing'),
  ('text-embedding-3-small*', 'openai',    0.02,   0.00,  NULL,  NULL, '1970-01-01', 'openai.com/api/pricing'),
  ('text-embedding-3-large*', 'openai',    0.13,   0.00,  NULL,  NULL, '1970-01-01', 'openai.com/api/pricing'),
  ('text-embedding-ada-002*', 'openai',    0.10,   0.00,  NULL,  NULL, '1970-01-01', 'openai.com/api/pricing'),
  ('claude-3-5-sonnet*',      'anthropic', 3.00,  15.00,  0.30,  NULL, '1970-01-01', 'anthropic.com/pricing'),
  ('claude-3-7-sonnet*',      'anthropic', 3.00,  15.00,  0.30,  NULL, '1970-01-01', 'anthropic.com/pricing'),
  ('claude-sonnet-4*',        'anthropic', 3.00,  15.00,  0.30,  NULL, '1970-01-01', 'anthropic.com/pricing'),
  ('claude-3-5-haiku*',       'anthropic', 0.80,   4.00,  0.08,  NULL, '1970-01-01', 'anthropic.com/pricing'),
  ('claude-3-haiku*',         'anthropic', 0.25,   1.25,  0.03,  NULL, '1970-01-01', 'anthropic.com/pricing'),
  ('claude-3-opus*',          'anthropic', 15.00, 75.00,  1.50,  NULL, '1970-01-01', 'anthropic.com/pricing'),
  ('claude-opus-4*',          'anthropic', 15.00, 75.00,  1.50,  NULL, '1970-01-01', 'anthropic.com/pricing'),
  ('gemini-1.5-pro*',         'google',    1.25,   5.00,  NULL,  NULL, '1970-01-01', 'ai.google.dev/pricing'),
  ('gemini-1.5-flash*',       'google',    0.075,  0.30,  NULL,  NULL, '1970-01-01', 'ai.google.dev/pricing'),
  ('gemini-2.0-flash*',       'google',    0.10,   0.40,  NULL,  NULL, '1970-01-01', 'ai.google.dev/pricing'),
  ('gemini-2.0-flash-lite*',  'google',    0.075,  0.30,  NULL,  NULL, '1970-01-01', 'ai.google.dev/pricing'),
  ('gemini-2.5-pro*',         'google',    1.25,  10.00,  NULL,  NULL, '1970-01-01', 'ai.google.dev/pricing'),
  ('gemini-2.5-flash*',       'google',    0.30,   2.50,  NULL,  NULL, '1970-01-01', 'ai.google.dev/pricing'),
  ('mistral-large*',          'mistral',   2.00,   6.00,  NULL,  NULL, '1970-01-01', 'mistral.ai/pricing'),
  ('mistral-small*',          'mistral',   0.10,   0.30,  NULL,  NULL, '1970-01-01', 'mistral.ai/pricing'),
  ('codestral*',              'mistral',   0.30,   0.90,  NULL,  NULL, '1970-01-01', 'mistral.ai/pricing'),
  ('open-mistral-nemo*',      'mistral',   0.15,   0.15,  NULL,  NULL, '1970-01-01', 'mistral.ai/pricing'),
  ('*llama-3.1-405b*',        'together',  3.50,   3.50,  NULL,  NULL, '1970-01-01', 'together.ai/pricing'),
  ('*llama-3.1-70b*',         'together',  0.88,   0.88,  NULL,  NULL, '1970-01-01', 'together.ai/pricing'),
  ('*llama-3.1-8b*',          'together',  0.18,   0.18,  NULL,  NULL, '1970-01-01', 'together.ai/pricing'),
  ('*llama-3.3-70b*',         'together',  0.88,   0.88,  NULL,  NULL, '1970-01-01', 'together.ai/pricing'),
  ('deepseek-chat*',          'deepseek',  0.27,   1.10,  0.07,  NULL, '1970-01-01', 'api-docs.deepseek.com/quick_start/pricing'),
  ('deepseek-reasoner*',      'deepseek',  0.55,   2.19,  0.14,  NULL, '1970-01-01', 'api-docs.deepseek.com/quick_start/pricing');

