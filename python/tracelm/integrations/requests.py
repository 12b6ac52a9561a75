"""tracelm.integrations.requests — importing it traces every requests call.

    import tracelm.integrations.requests

Inside a span, each request gets a CLIENT span ``HTTP METHOD`` (method, URL
without credentials, status) and carries ``traceparent``/``tracestate`` to
the server; a traceparent the caller set is kept.
"""
from __future__ import annotations

import requests

from ._client import traced

_original_send = requests.Session.send


def _traced_send(self, request, **kwargs):
    return traced(request.method, request.url, request.headers,
                  lambda: _original_send(self, request, **kwargs))


if getattr(requests.Session.send, "__name__", "") != "_traced_send":
    requests.Session.send = _traced_send
