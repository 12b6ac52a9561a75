"""Spans from Python: nesting, errors, asyncio, threads, generators, the
setters, many spans at once, and the analyses through tracelm.connect()."""
import asyncio
import concurrent.futures
import contextvars
import json
import os
import subprocess
import sys
import textwrap

import pytest

import tracelm
from conftest import parent_names, rows


def test_spans_nest_and_an_exception_marks_an_error(db):
    with tracelm.span("outer"):
        with tracelm.span("inner") as inner:
            inner.set_tokens(12, 3)
        with pytest.raises(KeyError):
            with tracelm.span("failing"):
                raise KeyError("missing")
    tracelm.flush()
    assert parent_names(db) == {"outer": None, "inner": "outer", "failing": "outer"}
    assert rows(db, "SELECT status, status_message FROM spans WHERE name = 'failing'") == \
        [("error", "KeyError: 'missing'")]
    assert rows(db, "SELECT tokens_in, tokens_out FROM spans WHERE name = 'inner'") == [(12, 3)]
    assert len({t for (t,) in rows(db, "SELECT trace_id FROM spans")}) == 1


def test_a_span_block_is_reusable_current_inside_and_checks_its_name(db):
    block = tracelm.span(name="again")
    assert block.name == "again" and isinstance(block, tracelm.span)
    for _ in range(2):
        with block as s:
            assert tracelm.current_span() is s
        assert tracelm.current_span() is None
    with pytest.raises(TypeError, match="span: name must be a str, not int"):
        tracelm.span(3)
    with tracelm.span("open") as outer:
        with pytest.raises(RuntimeError, match="already open"):
            with block:
                with block:
                    pass
        assert tracelm.current_span() is outer
    # A failure whose type lives in a module is named by its class name, as before.
    with pytest.raises(json.JSONDecodeError):
        with tracelm.span("parse"):
            json.loads("{")
    tracelm.flush()
    assert rows(db, "SELECT count(*) FROM spans WHERE name = 'again'") == [(3,)]
    assert rows(db, "SELECT status_message FROM spans WHERE name = 'parse'") == \
        [("JSONDecodeError: Expecting property name enclosed in double quotes: line 1 column 2 (char 1)",)]


def test_setters_store_every_field(db):
    with tracelm.span("llm_call") as s:
        s.set_model("gpt-4o-mini")
        s.set_tokens(812, 96)
        s.set_cost(0.0002)
        s.set("temperature", 0.5)
        s.set("documents", 4)
        s.set("cached", True)
        s.set("prompt", "say hi")
        s.set_kind("client")
        with pytest.raises(TypeError, match="'bad' must be str, int, float or bool, not list"):
            s.set("bad", [1])
        with pytest.raises(ValueError, match="kind must be"):
            s.set_kind("sideways")
    tracelm.flush()
    (model, tokens_in, tokens_out, cost, kind, attrs), = rows(
        db, "SELECT model, tokens_in, tokens_out, cost, kind, attrs FROM spans")
    assert (model, tokens_in, tokens_out, cost, kind) == ("gpt-4o-mini", 812, 96, 0.0002, "client")
    assert attrs == '{"temperature":0.5,"documents":4,"cached":true,"prompt":"say hi"}'


def test_node_decorates_functions_coroutines_and_generators(db):
    @tracelm.node("plain")
    def plain(x):
        return x + 1

    @tracelm.node()
    async def fetch():
        return plain(1)

    @tracelm.node("numbers")
    def numbers():
        yield plain(0)
        yield 2

    assert plain.__name__ == "plain" and fetch.__name__ == "fetch"
    with tracelm.span("root"):
        assert asyncio.run(fetch()) == 2
        seen = []
        for n in numbers():
            # The consumer's code is not inside the generator's span.
            seen.append((n, tracelm.current_span() is not None and tracelm.current_span().ended is False))
        assert [n for n, _ in seen] == [1, 2]
    tracelm.flush()
    names = rows(db, "SELECT c.name, coalesce(p.name, '-') FROM spans c LEFT JOIN spans p"
                     " ON p.trace_id = c.trace_id AND p.span_id = c.parent_id ORDER BY c.start_ns")
    assert names == [("root", "-"), ("test_node_decorates_functions_coroutines_and_generators.<locals>.fetch", "root"),
                     ("plain", "test_node_decorates_functions_coroutines_and_generators.<locals>.fetch"),
                     ("numbers", "root"), ("plain", "numbers")]


def test_a_generator_span_is_not_current_in_its_consumer(db):
    @tracelm.node("producer")
    def producer():
        yield 1
        yield 2

    with tracelm.span("consumer") as consumer:
        for _ in producer():
            assert tracelm.current_span() is consumer
            with tracelm.span("handle"):
                pass
    tracelm.flush()
    assert rows(db, "SELECT DISTINCT p.name FROM spans c JOIN spans p ON p.span_id = c.parent_id"
                    " WHERE c.name = 'handle'") == [("consumer",)]


def test_asyncio_gather_and_create_task_give_siblings(db):
    @tracelm.node("retrieve")
    async def retrieve(i):
        await asyncio.sleep(0.001 * (3 - i))
        with tracelm.span(f"search_{i}"):
            await asyncio.sleep(0)

    async def main():
        with tracelm.span("pipeline"):
            await asyncio.gather(retrieve(0), retrieve(1), retrieve(2))
            task = asyncio.create_task(retrieve(3))
            await task

    asyncio.run(main())
    tracelm.flush()
    assert rows(db, "SELECT count(*) FROM spans c JOIN spans p ON p.span_id = c.parent_id"
                    " WHERE c.name = 'retrieve' AND p.name = 'pipeline'") == [(4,)]
    for i in range(4):
        assert rows(db, "SELECT p.name FROM spans c JOIN spans p ON p.span_id = c.parent_id"
                        " WHERE c.name = ?", f"search_{i}") == [("retrieve",)]


def test_threads_started_with_copy_context_get_the_submitters_span(db):
    def work(i):
        with tracelm.span(f"work_{i}"):
            pass

    with tracelm.span("submitter"):
        with concurrent.futures.ThreadPoolExecutor(4) as pool:
            for f in [pool.submit(contextvars.copy_context().run, work, i) for i in range(8)]:
                f.result()
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        pool.submit(work, "plain").result()   # no context: a trace of its own
    tracelm.flush()
    parents = parent_names(db)
    assert all(parents[f"work_{i}"] == "submitter" for i in range(8))
    assert parents["work_plain"] is None


def test_nothing_leaks_from_one_request_to_the_next(db):
    async def request(i):
        assert tracelm.current_span() is None
        with tracelm.span(f"request_{i}"):
            await asyncio.sleep(0)

    async def main():
        await asyncio.gather(*(request(i) for i in range(20)))

    asyncio.run(main())
    tracelm.flush()
    assert rows(db, "SELECT count(DISTINCT trace_id), count(parent_id) FROM spans") == [(20, 0)]


def test_ten_thousand_concurrent_spans_are_all_stored(db):
    async def one(i):
        with tracelm.span("step") as s:
            s.set("i", i)
            await asyncio.sleep(0)

    async def main():
        with tracelm.span("root"):
            await asyncio.gather(*(one(i) for i in range(10000)))

    asyncio.run(main())
    assert tracelm.flush() is None
    assert rows(db, "SELECT count(*), count(DISTINCT json_extract(attrs, '$.i')) FROM spans"
                    " WHERE name = 'step'") == [(10000, 10000)]


def test_connect_runs_every_analysis(db):
    with tracelm.span("pipeline"):
        with tracelm.span("llm_call") as s:
            s.set_model("gpt-4o-mini")
            s.set_tokens(1000, 100)
    tracelm.flush()
    conn = tracelm.connect(db)
    assert [n for (n,) in conn.execute("SELECT name FROM trace_tree('latest')")] == ["pipeline", "llm_call"]
    assert conn.execute("SELECT count(*) FROM critical_path('latest')").fetchone()[0] >= 2
    assert conn.execute("SELECT count(*) FROM span_stats('latest')").fetchone()[0] == 2
    # Priced from the table: 1000 * 0.15 / 1e6 + 100 * 0.60 / 1e6.
    assert round(conn.execute("SELECT json_extract(trace_summary('latest'), '$.cost')").fetchone()[0], 8) == 0.00021
    for function in ("export_chrome", "export_otel", "export_csv", "export_html"):
        assert conn.execute(f"SELECT length({function}('latest')) > 0").fetchone()[0] == 1
    conn.close()


def test_without_init_a_span_is_an_error_that_says_so():
    tracelm.shutdown()
    with pytest.raises(tracelm.TraceLMError, match=r"tracelm.init\(\) has not been called"):
        with tracelm.span("nothing"):
            pass


def test_init_on_an_unwritable_path_says_why(tmp_path):
    with pytest.raises(tracelm.TraceLMError, match="cannot open database"):
        tracelm.init(db=str(tmp_path / "missing" / "dir" / "t.db"))


@pytest.mark.parametrize("form", ["python3", "script"])
def test_tracelm_run_puts_a_script_in_the_runs_trace(tmp_path, form):
    tracelm.shutdown()
    script = tmp_path / "app.py"
    script.write_text(textwrap.dedent("""
        import tracelm
        tracelm.init()

        @tracelm.node("answer")
        def answer():
            with tracelm.span("llm_call"):
                pass

        if __name__ == "__main__":
            answer()
    """))
    db = str(tmp_path / "run.db")
    command = [os.environ["TRACELM_CLI"], "--db", db, "run", "--name", "run"]
    command += ["--", sys.executable, str(script)] if form == "python3" else [str(script)]
    subprocess.run(command, check=True, capture_output=True, env=dict(os.environ))
    assert parent_names(db) == {"run": None, "answer": "run", "llm_call": "answer"}


def test_the_example_pipelines_critical_path_goes_through_the_last_search(tmp_path):
    tracelm.shutdown()
    here = os.path.dirname(os.path.abspath(__file__))
    example = os.path.join(here, "..", "..", "examples", "python", "rag_pipeline.py")
    db = str(tmp_path / "rag.db")
    subprocess.run([os.environ["TRACELM_CLI"], "--db", db, "run", "--name", "run", "--",
                    sys.executable, example], check=True, capture_output=True, env=dict(os.environ))
    report = subprocess.run([os.environ["TRACELM_CLI"], "--db", db, "latest"], check=True,
                            capture_output=True, text=True, env=dict(os.environ, LANG="C.UTF-8")).stdout
    path = next(line for line in report.splitlines() if "Critical path" in line)
    assert "search_faq" in path and "search_docs" not in path and "search_web" not in path
    assert "rag_pipeline" in path and "llm_call" in path
    # Tokens and a model but no recorded cost: priced from the table,
    # 812 x 0.15 + 96 x 0.60 (gpt-4o-mini) + 8 x 0.02 (text-embedding-3-small) per million.
    assert "Cost           $0.00017956" in report
    conn = tracelm.connect(db)
    (source,), = conn.execute("SELECT cost_source FROM span_cost WHERE name = 'llm_call'").fetchall()
    assert source == "price_table"
    conn.close()
