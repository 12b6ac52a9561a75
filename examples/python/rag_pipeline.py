#!/usr/bin/env python3
"""rag_pipeline.py — TraceLM's demo pipeline, written in Python.

    tracelm run -- python3 examples/python/rag_pipeline.py && tracelm latest

    rag_pipeline
    ├── load_prompt
    ├── retrieve_context
    │   ├── embed_query
    │   ├── search_docs ┐
    │   ├── search_faq  ├ at once, with asyncio.gather
    │   ├── search_web  ┘
    │   └── rerank
    ├── llm_call          (model and tokens; the price table gives the cost)
    └── format_response

The searches run concurrently, so the critical path goes through the one
that finished last (search_faq), not through all three.  Work is simulated
with sleeps of fixed length.
"""
import asyncio

import tracelm

SEARCHES = {"search_docs": 0.012, "search_faq": 0.022, "search_web": 0.016}


@tracelm.node("load_prompt")
async def load_prompt():
    await asyncio.sleep(0.003)
    return "Answer from the context: {context}\n\nQuestion: {question}"


@tracelm.node("embed_query")
async def embed_query(question):
    tracelm.current_span().set_model("text-embedding-3-small")
    tracelm.current_span().set_tokens(len(question.split()) * 2, 0)
    await asyncio.sleep(0.004)
    return [0.0] * 8


async def search(name, seconds):
    with tracelm.span(name) as s:
        s.set_kind("client")
        await asyncio.sleep(seconds)
        s.set("hits", 3)
        return [f"{name} result {i}" for i in range(3)]


@tracelm.node("rerank")
async def rerank(results):
    await asyncio.sleep(0.003)
    return sorted(results)[:4]


@tracelm.node("retrieve_context")
async def retrieve_context(question):
    await embed_query(question)
    found = await asyncio.gather(*(search(name, s) for name, s in SEARCHES.items()))
    return await rerank([r for results in found for r in results])


@tracelm.node("llm_call")
async def llm_call(prompt):
    span = tracelm.current_span()
    span.set_kind("client")
    span.set_model("gpt-4o-mini")
    await asyncio.sleep(0.035)
    span.set_tokens(812, 96)
    return "TraceLM records spans into SQLite and analyses them in SQL."


@tracelm.node("format_response")
async def format_response(text):
    await asyncio.sleep(0.002)
    return text.strip()


@tracelm.node("rag_pipeline")
async def rag_pipeline(question):
    template = await load_prompt()
    context = await retrieve_context(question)
    answer = await llm_call(template.format(context="\n".join(context), question=question))
    return await format_response(answer)


if __name__ == "__main__":
    tracelm.init(service="rag-demo-python")
    print(asyncio.run(rag_pipeline("What does TraceLM record?")))
    lost = tracelm.shutdown()
    if lost:
        print("tracelm:", lost)
