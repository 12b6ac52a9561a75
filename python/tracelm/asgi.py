"""tracelm.asgi — a SERVER span for every HTTP request of an ASGI app.

    app = FastAPI()
    app.add_middleware(TraceLMMiddleware)

Each request continues the caller's trace from ``traceparent`` /
``tracestate`` (an invalid header starts a new trace; an unsampled one
records nothing and answers ``-00``), runs as the current span, is named
``METHOD /route`` (the route's template where the framework has one, so
``/items/{id}`` groups), records the status code, and answers with its own
``traceparent``.  A 5xx answer or an exception marks it an error.
"""
from __future__ import annotations

from typing import Any, Awaitable, Callable, MutableMapping

from . import _current, _tracelm

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]


def _header(scope: Scope, name: bytes):
    for key, value in scope.get("headers") or ():
        if key.lower() == name:
            return value.decode("latin-1")
    return None


class TraceLMMiddleware:
    """ASGI middleware: ``app.add_middleware(TraceLMMiddleware)``."""

    def __init__(self, app: Callable[[Scope, Callable, Callable], Awaitable[None]]) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Callable, send: Callable) -> None:
        if scope["type"] != "http" or not _tracelm.is_initialized():
            await self.app(scope, receive, send)
            return
        span = _tracelm.begin_remote(f"{scope.get('method', 'GET')} {scope.get('path', '/')}",
                                     _header(scope, b"traceparent"), _header(scope, b"tracestate"))
        span.set_kind("server")
        span.set("http.request.method", scope.get("method", "GET"))
        span.set("url.path", scope.get("path", "/"))
        token = _current.set(span)
        status, failed = 500, False

        async def send_with_context(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                headers = [(k, v) for k, v in message.get("headers", ()) if k.lower() != b"traceparent"]
                headers.append((b"traceparent", span.traceparent.encode()))
                message = dict(message, headers=headers)
            await send(message)

        try:
            await self.app(scope, receive, send_with_context)
        except BaseException as error:
            span.set_error(f"{type(error).__name__}: {error}")
            failed = True
            raise
        finally:
            span.set("http.response.status_code", status)
            if status >= 500 and not failed:
                span.set_error(f"HTTP {status}")
            # The route's template is known only once the app has routed.
            route = getattr(scope.get("route"), "path", None)
            if route:
                span.set("http.route", route)
                span.set_name(f"{scope.get('method', 'GET')} {route}")
            span.end()
            _current.reset(token)
