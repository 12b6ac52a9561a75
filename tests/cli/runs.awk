# Two sets of five runs as CSV for `tracelm import`: the same runs as
# tests/ext/compare_runs.sql (whose comments work out the statistics).
# Trace ids start with a (main) or b (branch).
BEGIN {
  print "trace_id,span_id,parent_id,name,start_ns,end_ns,status,tokens_in,tokens_out,cost"
  for(s = 0; s < 2; s++) for(i = 0; i < 5; i++){
    t = sprintf("%s%031x", s ? "b" : "a", i); base = i * 1000000000
    printf "%s,0000000000000001,,rag,%.0f,%.0f,ok,0,0,0\n", t, base, base + (100 + i) * 1000000
    printf "%s,0000000000000002,0000000000000001,retrieve,%.0f,%.0f,%s,0,0,0\n", t, base,
           base + ((s ? 20 : 10) + i) * 1000000, (s && i == 3) ? "error" : "ok"
    printf "%s,0000000000000003,0000000000000001,llm,%.0f,%.0f,ok,%d,10,%s\n", t, base + 30000000,
           base + 30000000 + ((s ? 11 : 10) + 2 * i) * 1000000, s ? 120 : 100, s ? "0.0012" : "0.001"
  }
  printf "b%031x,0000000000000004,0000000000000001,rerank,%.0f,%.0f,ok,0,0,0\n", 2, 2026000000, 2028000000
}
