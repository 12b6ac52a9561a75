-- W3C traceparent headers, built and read by the recorder's own parser.
.mode list
SELECT traceparent('4bf92f3577b34da6a3ce929d0e0e4736', '00f067aa0ba902b7');
SELECT traceparent('4bf92f3577b34da6a3ce929d0e0e4736', '00f067aa0ba902b7', 0);
SELECT traceparent_trace_id('00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01'),
       traceparent_span_id('00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01'),
       traceparent_sampled('00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01');
-- A future version with extra fields is read; these are not (NULL):
-- version ff, uppercase, all-zero ids, extra data in version 00.
SELECT traceparent_sampled('cc-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-later');
SELECT quote(traceparent_trace_id('ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01')),
       quote(traceparent_trace_id('00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01')),
       quote(traceparent_trace_id('00-00000000000000000000000000000000-00f067aa0ba902b7-01')),
       quote(traceparent_span_id('00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01')),
       quote(traceparent_sampled('00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-x')),
       quote(traceparent_sampled(NULL));
SELECT traceparent('4bf92f3577b34da6a3ce929d0e0e473', '00f067aa0ba902b7');
SELECT traceparent('4bf92f3577b34da6a3ce929d0e0e4736', '00F067AA0BA902B7');
SELECT traceparent('4bf92f3577b34da6a3ce929d0e0e4736', NULL);
SELECT traceparent('4bf92f3577b34da6a3ce929d0e0e4736', '00f067aa0ba902b7', 2);
SELECT traceparent_sampled(5);
