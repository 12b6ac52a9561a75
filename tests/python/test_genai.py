"""The GenAI helpers: an agent's turn with a streamed call, tools and a
failed call, read back through the views llm_calls, tool_calls and
conversations (sql/genai_views.sql)."""
import json

import pytest

import tracelm
from conftest import rows


def test_an_agent_turn_is_read_back_by_every_view(db):
    with tracelm.conversation("chat-42"):
        with tracelm.agent("helper", id="agent-1"):
            with tracelm.llm("chat", model="gpt-4o-mini", provider="openai") as call:
                call.first_token()
                call.first_token()              # once: a later chunk changes nothing
                call.usage(input=1000, output=200, cache_read=400)
                call.response(model="gpt-4o-mini-2024-07-18", id="resp-1", finish_reasons=["tool_calls"])
                call.messages(input=[{"role": "user", "parts": [{"type": "text", "content": "hi"}]}])
            with tracelm.tool("search", call_id="call_1"):
                pass
            with pytest.raises(RuntimeError):
                with tracelm.tool("search", call_id="call_2"):
                    raise RuntimeError("timeout")
            with pytest.raises(TimeoutError):
                with tracelm.llm("chat", model="gpt-4o-mini") as failed:
                    failed.usage(input=300)
                    raise TimeoutError("provider")
    with tracelm.span("outside"):
        pass
    tracelm.flush()
    conn = tracelm.connect(db)
    calls = conn.execute("SELECT name, model, provider, operation, ttft_ns IS NOT NULL, tokens_in,"
                         " tokens_out, cache_read_tokens, finish_reasons, printf('%.8f', cost), status"
                         " FROM llm_calls ORDER BY span_rowid").fetchall()
    # (600 * 0.15 + 400 * 0.075 + 200 * 0.60) / 1e6 = 0.00024; the failed call 300 * 0.15 / 1e6
    assert calls == [
        ("chat gpt-4o-mini", "gpt-4o-mini", "openai", "chat", 1, 1000, 200, 400, '["tool_calls"]',
         "0.00024000", "unset"),
        ("chat gpt-4o-mini", "gpt-4o-mini", "openai", "chat", 0, 300, 0, 0, None, "0.00004500", "error"),
    ]
    (ttft, duration), = conn.execute("SELECT ttft_ns, duration_ns FROM llm_calls WHERE ttft_ns IS NOT NULL")
    assert 0 < ttft <= duration
    assert conn.execute("SELECT tool, calls, errors, traces FROM tool_calls").fetchall() == [("search", 2, 1, 1)]
    assert conn.execute("SELECT conversation_id, traces, turns, tokens_in, tokens_out, printf('%.8f', cost),"
                        " errors FROM conversations").fetchall() == \
        [("chat-42", 1, 2, 1300, 200, "0.00028500", 2)]   # the failed tool and the failed call
    # The span outside the conversation carries none; every span inside does.
    assert rows(db, "SELECT name FROM spans WHERE json_extract(attrs, '$.\"gen_ai.conversation.id\"')"
                    " IS NULL") == [("outside",)]
    (attrs,), = rows(db, "SELECT attrs FROM spans WHERE name = 'invoke_agent helper'")
    assert json.loads(attrs)["gen_ai.agent.name"] == "helper"
    (messages,), = rows(db, "SELECT json_extract(attrs, '$.\"gen_ai.input.messages\"') FROM spans"
                            " WHERE json_extract(attrs, '$.\"gen_ai.response.id\"') = 'resp-1'")
    assert json.loads(messages)[0]["role"] == "user"
    conn.close()


def test_usage_refuses_buckets_larger_than_their_total(db):
    with tracelm.llm("chat", model="m") as call:
        with pytest.raises(ValueError, match="cache_read \\+ cache_creation must be part of input"):
            call.usage(input=10, output=5, cache_read=20)
    with pytest.raises(ValueError, match="non-empty str"):
        tracelm.conversation("")


def test_messages_and_scores_are_read_back_by_span_messages_and_span_scores(db):
    with tracelm.span("turn"):   # the judge in the same trace as the call it judges
        with tracelm.llm("chat", model="gpt-4o-mini") as call:
            call.messages(input=[{"role": "user", "parts": [{"type": "text", "content": "2+2?"}]}],
                          output=[{"role": "assistant", "finish_reason": "stop",
                                   "parts": [{"type": "text", "content": "4"}]}],
                          system="Be brief.")
            call.response(id="resp-9")
            call.score("correct", 1.0, label="pass")
            call.span.add_event("gen_ai.user.message", {"content": "an older event"})
            with pytest.raises(ValueError, match="add_event: attributes must be a JSON object"):
                call.span.add_event("bad", "[1]")
            with pytest.raises(TypeError, match="add_event: attributes must be a dict or JSON text"):
                call.span.add_event("bad", 7)
        with tracelm.span("judge") as judge:
            judge.add_event("gen_ai.evaluation.result", {"gen_ai.evaluation.name": "tone",
                                                         "gen_ai.evaluation.score.value": 0.5,
                                                         "gen_ai.response.id": "resp-9"})
    tracelm.flush()
    conn = tracelm.connect(db)
    assert conn.execute("SELECT source, message, part, role, kind, text, finish_reason FROM span_messages"
                        " ORDER BY source = 'event', source = 'output', source = 'input', message, part"
                        ).fetchall() == [
        ("system", 0, 0, "system", "text", "Be brief.", None),
        ("input", 0, 0, "user", "text", "2+2?", None),
        ("output", 0, 0, "assistant", "text", "4", "stop"),
        ("event", 1, 0, "user", "text", "an older event", None),
    ]
    (call_span,), = conn.execute("SELECT span_id FROM spans WHERE name = 'chat gpt-4o-mini'")
    # Both scores are the call's: its own event, and the judge's by response id.
    assert conn.execute("SELECT span_id, name, value, label FROM span_scores ORDER BY name").fetchall() == [
        (call_span, "correct", 1.0, "pass"), (call_span, "tone", 0.5, None)]
    conn.close()
