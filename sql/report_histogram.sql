-- tracelm analyze / latest: the "Duration Histogram" section.
-- ?1 trace.  Bars are scaled so the fullest bucket is 40 characters.
SELECT label, count,
       substr('########################################', 1,
              CAST(round(40.0 * count / max(1, max(count) OVER ())) AS INTEGER))
  FROM span_histogram(?1);
