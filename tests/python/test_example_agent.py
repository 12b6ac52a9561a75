"""examples/python/agent.py, run as a user runs it, read back through every
GenAI view (llm_calls, tool_calls, conversations, span_messages,
span_scores), trace_anomalies and `tracelm analyze`.  Token counts are
fixed by the example, so every cost is known; times are sleeps, so only
their order is."""
import json
import os
import subprocess
import sys

import tracelm

HERE = os.path.dirname(os.path.abspath(__file__))
EXAMPLE = os.path.join(HERE, "..", "..", "examples", "python", "agent.py")


def run_example(tmp_path):
    tracelm.shutdown()
    db = str(tmp_path / "agent.db")
    env = dict(os.environ, TRACELM_DB=db)
    env.pop("TRACEPARENT", None)
    subprocess.run([sys.executable, EXAMPLE], check=True, capture_output=True, env=env)
    return db


def test_the_agent_example_is_read_back_by_every_view(tmp_path):
    db = run_example(tmp_path)
    conn = tracelm.connect(db)
    q = lambda sql, *args: conn.execute(sql, args).fetchall()
    # Costs by hand, USD per million tokens from the default price list:
    #   gpt-4o-mini  (1200 - 1024) x 0.15 + 1024 x 0.075 (cached) + 80 x 0.60   = 151.2 -> 0.0001512
    #   haiku 3.5    (1500 - 1000) x 0.80 + 1000 x 1.00 (cache write) + 120 x 4 = 1880  -> 0.00188
    #   o3-mini      400 x 1.10 + 260 x 4.40 (reasoning at the output rate)      = 1584  -> 0.001584
    assert q("SELECT name, model, response_model, provider, operation, tokens_in, tokens_out,"
             " cache_read_tokens, cache_creation_tokens, reasoning_tokens, finish_reasons,"
             " printf('%.7f', cost), status, conversation_id FROM llm_calls ORDER BY start_ns") == [
        ("chat gpt-4o-mini", "gpt-4o-mini", "gpt-4o-mini-2024-07-18", "openai", "chat", 1200, 80,
         1024, 0, 0, '["tool_calls"]', "0.0001512", "unset", "trip-1"),
        ("chat claude-3-5-haiku-20241022", "claude-3-5-haiku-20241022", "claude-3-5-haiku-20241022",
         "anthropic", "chat", 1500, 120, 0, 1000, 0, '["end_turn"]', "0.0018800", "unset", "trip-1"),
        ("chat o3-mini", "o3-mini", "o3-mini", "openai", "chat", 400, 260, 0, 0, 200, '["stop"]',
         "0.0015840", "unset", "trip-1"),
    ]
    # The streamed call: its first chunk after the 20 ms sleep, before its end;
    # tokens/s over the time after it.
    (ttft, duration, per_s), = q("SELECT ttft_ns, duration_ns, tokens_per_s FROM llm_calls WHERE ttft_ns IS NOT NULL")
    assert 20_000_000 <= ttft < duration
    assert abs(per_s - 80 * 1e9 / (duration - ttft)) < 1e-6
    # get_weather: Paris, Rome, then Paris three times; none failed.
    assert q("SELECT tool, calls, errors, traces, calls_per_trace FROM tool_calls") == [("get_weather", 5, 0, 2, 2.5)]
    # One conversation of two turns (traces); 3 chats; 3100 in, 460 out.
    assert q("SELECT conversation_id, traces, turns, tokens_in, tokens_out, printf('%.7f', cost), errors"
             " FROM conversations") == [("trip-1", 2, 3, 3100, 460, "0.0036152", 0)]
    # The plan call's messages: the system text, the question, two tool calls.
    (plan_trace, plan_span), = q("SELECT trace_id, span_id FROM llm_calls WHERE ttft_ns IS NOT NULL")
    assert q("SELECT source, role, kind, text, tool_name, tool_call_id, arguments FROM span_messages"
             " WHERE trace_id = ? AND span_id = ? ORDER BY source = 'output', source = 'input', message, part",
             plan_trace, plan_span) == [
        ("system", "system", "text", "You are a travel helper.", None, None, None),
        ("input", "user", "text", "What is the weather in Paris and Rome?", None, None, None),
        ("output", "assistant", "tool_call", None, "get_weather", "call_1", '{"city":"Paris"}'),
        ("output", "assistant", "tool_call", None, "get_weather", "call_2", '{"city":"Rome"}'),
    ]
    # The two scores, each on the call it judged.
    assert q("SELECT l.model, s.name, s.value, s.label, s.explanation FROM span_scores s"
             " JOIN llm_calls l ON l.trace_id = s.trace_id AND l.span_id = s.span_id ORDER BY s.value DESC") == [
        ("claude-3-5-haiku-20241022", "relevance", 0.9, "relevant", "answers both cities"),
        ("o3-mini", "relevance", 0.4, "repetitive", None),
    ]
    # Turn 2 loops: the third get_weather with the same city is an agent_loop.
    (turn2,), = q("SELECT trace_id FROM llm_calls WHERE model = 'o3-mini'")
    assert q("SELECT name, kind, detail FROM trace_anomalies(?) WHERE kind = 'agent_loop'", turn2) == [
        ("execute_tool get_weather", "agent_loop", "tool get_weather 3 times with the same arguments in this trace")]
    summary = json.loads(q("SELECT trace_summary(?)", plan_trace)[0][0])
    assert (summary["llm_calls"], summary["ttft_ns"], summary["conversation_id"], summary["tool_calls"]) == \
        (2, ttft, "trip-1", [{"tool": "get_weather", "calls": 2, "errors": 0}])
    conn.close()
    report = subprocess.run([os.environ["TRACELM_CLI"], "--db", db, "analyze", plan_trace], check=True,
                            capture_output=True, text=True, env=dict(os.environ, LANG="C.UTF-8")).stdout
    lines = {line.split("  ")[1].strip(): line.strip() for line in report.splitlines()
             if line.startswith("  ") and "  " in line.strip()}
    assert lines["LLM calls"].startswith("LLM calls      2, first chunk after ")
    assert lines["Tool calls"] == "Tool calls     get_weather x2"
    assert lines["Conversation"] == "Conversation   trip-1"
