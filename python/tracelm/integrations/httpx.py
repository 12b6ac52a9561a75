"""tracelm.integrations.httpx — importing it traces every httpx call,
with ``httpx.Client`` and ``httpx.AsyncClient``.

    import tracelm.integrations.httpx

As tracelm.integrations.requests: a CLIENT span per request made inside a
span, the trace headers added unless the caller set a traceparent.
"""
from __future__ import annotations

import httpx

from ._client import traced, traced_async

_original_send = httpx.Client.send
_original_async_send = httpx.AsyncClient.send


def _traced_send(self, request, *args, **kwargs):
    return traced(request.method, request.url, request.headers,
                  lambda: _original_send(self, request, *args, **kwargs))


async def _traced_async_send(self, request, *args, **kwargs):
    return await traced_async(request.method, request.url, request.headers,
                              lambda: _original_async_send(self, request, *args, **kwargs))


if getattr(httpx.Client.send, "__name__", "") != "_traced_send":
    httpx.Client.send = _traced_send
    httpx.AsyncClient.send = _traced_async_send
