#!/usr/bin/env python3
"""agent.py — a travel agent's conversation of two turns, recorded with the
GenAI helpers (docs/genai.md, docs/python.md).

    tracelm run -- python3 examples/python/agent.py && tracelm latest
    tracelm conversations

    turn 1  invoke_agent travel_helper
            ├── chat gpt-4o-mini       streamed: first chunk, then the rest;
            │                          1,200 tokens in (1,024 from the cache)
            ├── execute_tool get_weather  {"city": "Paris"}
            ├── execute_tool get_weather  {"city": "Rome"}
            └── chat claude-3-5-haiku  writes 1,000 tokens to the cache; judged
    turn 2  invoke_agent travel_helper
            ├── execute_tool get_weather  {"city": "Paris"}  three times: a loop
            └── chat o3-mini           200 of its 260 output tokens reasoning

Both turns carry the conversation id "trip-1".  The model calls are
simulated with sleeps of fixed length; the token counts are fixed, so the
price table gives the same cost every run.
"""
import json
import time

import tracelm

CHUNKS = ["It is ", "sunny in Paris ", "and raining in Rome."]


def text(role, content):
    return {"role": role, "parts": [{"type": "text", "content": content}]}


def get_weather(city, call_id):
    with tracelm.tool("get_weather", call_id=call_id, type="function") as span:
        span.set("gen_ai.tool.call.arguments", json.dumps({"city": city}))
        time.sleep(0.005)
        return {"Paris": "sunny", "Rome": "raining"}[city]


def plan(question):
    """A streamed call: the first chunk after 20 ms, the rest after it."""
    with tracelm.llm("chat", model="gpt-4o-mini", provider="openai") as call:
        time.sleep(0.020)
        call.first_token()
        for _ in CHUNKS:
            time.sleep(0.005)
        call.usage(input=1200, output=80, cache_read=1024)
        call.response(model="gpt-4o-mini-2024-07-18", id="resp-plan", finish_reasons=["tool_calls"])
        call.messages(
            system="You are a travel helper.",
            input=[text("user", question)],
            output=[{"role": "assistant", "parts": [
                {"type": "tool_call", "id": "call_1", "name": "get_weather", "arguments": {"city": "Paris"}},
                {"type": "tool_call", "id": "call_2", "name": "get_weather", "arguments": {"city": "Rome"}}]}])


def turn_one():
    question = "What is the weather in Paris and Rome?"
    with tracelm.agent("travel_helper", id="agent-1"):
        plan(question)
        get_weather("Paris", "call_1")
        get_weather("Rome", "call_2")
        with tracelm.llm("chat", model="claude-3-5-haiku-20241022", provider="anthropic") as call:
            time.sleep(0.010)
            call.usage(input=1500, output=120, cache_creation=1000)
            call.response(id="resp-answer", finish_reasons=["end_turn"])
            call.messages(input=[text("user", question)], output=[text("assistant", "".join(CHUNKS))])
            call.score("relevance", 0.9, label="relevant", explanation="answers both cities")


def turn_two():
    with tracelm.agent("travel_helper", id="agent-1"):
        for k in range(3):
            get_weather("Paris", f"call_{3 + k}")
        with tracelm.llm("chat", model="o3-mini", provider="openai") as call:
            time.sleep(0.010)
            call.usage(input=400, output=260, reasoning=200)
            call.response(id="resp-again", finish_reasons=["stop"])
            call.messages(input=[text("user", "And Paris again?")], output=[text("assistant", "Still sunny.")])
            call.score("relevance", 0.4, label="repetitive")


def main():
    tracelm.init(service="travel-agent")   # $TRACELM_DB, else ./tracelm.db
    with tracelm.conversation("trip-1"):
        turn_one()
        turn_two()
    tracelm.flush()


if __name__ == "__main__":
    main()
