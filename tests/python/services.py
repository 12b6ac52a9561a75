"""Two FastAPI services for test_http.py, run under uvicorn on 127.0.0.1.

    python3 services.py b PORT            # GET /work/{n}: answers after a moment
    python3 services.py a PORT B_PORT     # GET /answer: calls B twice at once,
                                          # once with requests, once with httpx
Both record into $TRACELM_DB; uvicorn stops on SIGTERM and the recorder
flushes at exit.
"""
import asyncio
import sys

import httpx
import requests
import uvicorn
from fastapi import FastAPI

import tracelm
import tracelm.integrations.httpx  # noqa: F401  (importing it traces httpx)
import tracelm.integrations.requests  # noqa: F401
from tracelm.asgi import TraceLMMiddleware

role, port = sys.argv[1], int(sys.argv[2])
tracelm.init(service="service_" + role)
app = FastAPI()
app.add_middleware(TraceLMMiddleware)

if role == "b":
    @app.get("/work/{n}")
    async def work(n: int):
        with tracelm.span("compute"):
            await asyncio.sleep(0.01)
        if n == 500:
            return fastapi_error()
        return {"n": n}

    def fastapi_error():
        from fastapi.responses import JSONResponse
        return JSONResponse({"error": "boom"}, status_code=500)
else:
    b = f"http://127.0.0.1:{sys.argv[3]}"

    @app.get("/answer")
    async def answer():
        def with_requests():
            return requests.get(b + "/work/1", timeout=10).json()["n"]

        async def with_httpx():
            async with httpx.AsyncClient() as client:
                return (await client.get(b + "/work/2", timeout=10)).json()["n"]

        one, two = await asyncio.gather(asyncio.to_thread(with_requests), with_httpx())
        return {"sum": one + two}

uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning")
