-- tracelm export ID --format F: ?1 trace, ?2 'chrome', 'otel', 'csv' or 'html'.
SELECT resolve_trace(?1),
       CASE ?2 WHEN 'chrome' THEN export_chrome(?1)
               WHEN 'otel'   THEN export_otel(?1)
               WHEN 'csv'    THEN export_csv(?1)
               WHEN 'html'   THEN export_html(?1) END;
