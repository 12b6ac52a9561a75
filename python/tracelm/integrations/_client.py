"""What the requests and httpx hooks share: a CLIENT span around a call,
and the trace headers added to it unless the caller set its own."""
from __future__ import annotations

from urllib.parse import urlsplit, urlunsplit

from .. import _begin, _current, _tracelm


def safe_url(url: str) -> str:
    """The URL without user and password."""
    parts = urlsplit(str(url))
    host = parts.hostname or ""
    if parts.port:
        host += f":{parts.port}"
    return urlunsplit((parts.scheme, host, parts.path, parts.query, ""))


def start(method: str, url: str, headers) -> object:
    """A CLIENT span under the current span, and its headers added to headers
    (a mutable mapping) where the caller set no traceparent.  None outside a span."""
    if not _tracelm.is_initialized() or _current.get() is None:
        return None
    span = _begin(f"HTTP {method}")
    span.set_kind("client")
    span.set("http.request.method", method)
    span.set("url.full", safe_url(url))
    if not any(k.lower() == "traceparent" for k in headers.keys()):
        for name, value in span.inject().items():
            headers[name] = value
    return span


def finish(span, status, error=None) -> None:
    if span is None:
        return
    if status is not None:
        span.set("http.response.status_code", int(status))
        if status >= 400:
            span.set_error(f"HTTP {status}")
    if error is not None:
        span.set_error(f"{type(error).__name__}: {error}")
    span.end()


def traced(method: str, url: str, headers, send):
    """send() inside a CLIENT span (where there is a current span)."""
    span = start(method, url, headers)
    try:
        response = send()
    except BaseException as error:
        finish(span, None, error)
        raise
    finish(span, response.status_code)
    return response


async def traced_async(method: str, url: str, headers, send):
    """await send() inside a CLIENT span, as traced()."""
    span = start(method, url, headers)
    try:
        response = await send()
    except BaseException as error:
        finish(span, None, error)
        raise
    finish(span, response.status_code)
    return response
