"""HTTP: the ASGI middleware and the requests/httpx hooks, in-process with
Starlette's TestClient, and across three real processes (two FastAPI
services under uvicorn on 127.0.0.1, and this test as the client)."""
import os
import signal
import socket
import subprocess
import sys
import time

import pytest
import requests
from fastapi import FastAPI
from fastapi.testclient import TestClient

import tracelm
import tracelm.integrations.requests  # noqa: F401
from conftest import parent_names, rows
from tracelm.asgi import TraceLMMiddleware

CALLER = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"


def app_with(route_body):
    app = FastAPI()
    app.add_middleware(TraceLMMiddleware)
    app.get("/items/{item}")(route_body)
    return app


def test_a_request_continues_the_callers_trace(db):
    async def item(item: int):
        with tracelm.span("load"):
            return {"item": item}

    response = TestClient(app_with(item)).get("/items/7", headers={"traceparent": CALLER,
                                                                   "tracestate": "vendor=1"})
    assert response.status_code == 200
    tracelm.flush()
    (trace, parent, name, kind, attrs, state), = rows(
        db, "SELECT trace_id, parent_id, name, kind, attrs, trace_state FROM spans WHERE kind = 'server'")
    assert (trace, parent, name, kind) == ("4bf92f3577b34da6a3ce929d0e0e4736", "00f067aa0ba902b7",
                                          "GET /items/{item}", "server")
    assert '"http.response.status_code":200' in attrs and '"http.route":"/items/{item}"' in attrs
    assert state == "vendor=1"
    assert parent_names(db)["load"] == "GET /items/{item}"
    assert response.headers["traceparent"].startswith("00-4bf92f3577b34da6a3ce929d0e0e4736-")
    assert response.headers["traceparent"].endswith("-01")


def test_an_invalid_header_starts_a_new_trace(db):
    async def item(item: int):
        return {}

    TestClient(app_with(item)).get("/items/1", headers={"traceparent": "00-zzz-01"})
    tracelm.flush()
    (trace, parent), = rows(db, "SELECT trace_id, parent_id FROM spans")
    assert parent is None and trace != "4bf92f3577b34da6a3ce929d0e0e4736"


def test_an_unsampled_request_records_nothing_and_answers_00(db):
    async def item(item: int):
        with tracelm.span("inner"):
            return {}

    response = TestClient(app_with(item)).get("/items/1", headers={"traceparent": CALLER[:-2] + "00"})
    tracelm.flush()
    assert rows(db, "SELECT count(*) FROM spans") == [(0,)]
    assert response.headers["traceparent"].endswith("-00")


def test_a_5xx_and_an_exception_are_errors(db):
    async def item(item: int):
        if item == 1:
            raise RuntimeError("handler failed")
        from fastapi.responses import JSONResponse
        return JSONResponse({}, status_code=503)

    client = TestClient(app_with(item), raise_server_exceptions=False)
    assert client.get("/items/1").status_code == 500
    assert client.get("/items/2").status_code == 503
    tracelm.flush()
    assert sorted(rows(db, "SELECT status, status_message FROM spans")) == \
        [("error", "HTTP 503"), ("error", "RuntimeError: handler failed")]


def test_the_client_hook_adds_headers_but_never_overrides_the_callers(db):
    from tracelm.integrations._client import finish, start
    with tracelm.span("client") as root:
        ours = requests.Request("GET", "http://user:secret@127.0.0.1:9/x").prepare()
        finish(start("GET", ours.url, ours.headers), 200)
        theirs = requests.Request("GET", "http://127.0.0.1:9/y", headers={"traceparent": CALLER}).prepare()
        finish(start("GET", theirs.url, theirs.headers), 404)
    tracelm.flush()
    assert ours.headers["traceparent"].split("-")[1] == root.trace_id
    assert theirs.headers["traceparent"] == CALLER
    assert rows(db, "SELECT json_extract(attrs, '$.\"url.full\"') FROM spans WHERE kind = 'client'"
                    " ORDER BY start_ns") == [("http://127.0.0.1:9/x",), ("http://127.0.0.1:9/y",)]


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_service(args, env):
    here = os.path.dirname(os.path.abspath(__file__))
    process = subprocess.Popen([sys.executable, os.path.join(here, "services.py"), *map(str, args)],
                               env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", args[1]), timeout=0.2).close()
            return process
        except OSError:
            if process.poll() is not None:
                raise RuntimeError(process.stderr.read().decode())
            time.sleep(0.05)
    process.kill()
    raise RuntimeError("service did not start")


def test_three_processes_one_trace(db, tmp_path):
    env = dict(os.environ, TRACELM_DB=db)
    env.pop("TRACEPARENT", None)
    port_a, port_b = free_port(), free_port()
    b = start_service(["b", port_b], env)
    a = start_service(["a", port_a, port_b], env)
    try:
        with tracelm.span("client_request") as root:
            answer = requests.get(f"http://127.0.0.1:{port_a}/answer", timeout=20)
            assert answer.json() == {"sum": 3}
        with tracelm.span("twenty_requests"):
            for _ in range(20):
                assert requests.get(f"http://127.0.0.1:{port_a}/answer", timeout=20).status_code == 200
    finally:
        for process in (a, b):
            process.send_signal(signal.SIGTERM)
        for process in (a, b):
            assert process.wait(timeout=20) == 0
    tracelm.flush()
    spans = rows(db, "SELECT c.name, p.name, c.service FROM spans c LEFT JOIN spans p"
                     " ON p.trace_id = c.trace_id AND p.span_id = c.parent_id"
                     " WHERE c.trace_id = ? ORDER BY c.name, p.name", root.trace_id)
    assert spans == [
        ("GET /answer", "HTTP GET", "service_a"),
        ("GET /work/{n}", "HTTP GET", "service_b"),
        ("GET /work/{n}", "HTTP GET", "service_b"),
        ("HTTP GET", "GET /answer", "service_a"),
        ("HTTP GET", "GET /answer", "service_a"),
        ("HTTP GET", "client_request", "pytest"),
        ("client_request", None, "pytest"),
        ("compute", "GET /work/{n}", "service_b"),
        ("compute", "GET /work/{n}", "service_b"),
    ]
    # Every span of the 20 requests is stored: 1 + 20 x 8.
    (twenty,), = rows(db, "SELECT trace_id FROM spans WHERE name = 'twenty_requests'")
    assert rows(db, "SELECT count(*) FROM spans WHERE trace_id = ?", twenty) == [(161,)]


def test_ten_thousand_concurrent_requests_are_all_stored(db):
    import asyncio

    import httpx

    app = FastAPI()
    app.add_middleware(TraceLMMiddleware)

    @app.get("/q/{i}")
    async def q(i: int):
        with tracelm.span("handler"):
            await asyncio.sleep(0)
        return {"i": i}

    async def main():
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test") as client:
            for batch in range(20):   # 500 at once, 20 times
                responses = await asyncio.gather(*(client.get(f"/q/{batch * 500 + k}") for k in range(500)))
                assert all(r.status_code == 200 for r in responses)

    asyncio.run(main())
    assert tracelm.flush() is None
    assert rows(db, "SELECT count(*), count(DISTINCT trace_id) FROM spans WHERE name = 'GET /q/{i}'") == [(10000, 10000)]
    assert rows(db, "SELECT count(*) FROM spans c JOIN spans p ON p.trace_id = c.trace_id"
                    " AND p.span_id = c.parent_id WHERE c.name = 'handler' AND p.name = 'GET /q/{i}'") == [(10000,)]
