"""tracelm — record LLM pipelines into a TraceLM database, from Python.

    import tracelm
    tracelm.init()                       # $TRACELM_DB, else ./tracelm.db

    @tracelm.node("retrieve")
    async def retrieve(query): ...

    with tracelm.span("llm_call") as s:
        s.set_model("gpt-4o-mini")
        s.set_tokens(812, 96)

LLM calls, tools and conversations under the GenAI conventions' names:
``tracelm.llm()``, ``tracelm.tool()``, ``tracelm.agent()``,
``tracelm.conversation()`` (tracelm/genai.py).

The spans go to the same database as C programs', through libtracelm (the
C extension module ``tracelm._tracelm``), and the same SQL analyses them:
``tracelm.connect(path)`` gives a ``sqlite3`` connection with the functions
loaded.  The current span lives in a ``contextvars.ContextVar``, so
``asyncio`` tasks and threads started with ``contextvars.copy_context()``
get the right parent.
"""
from __future__ import annotations

import atexit
import contextvars
import functools
import inspect
import os
import sqlite3
from typing import Any, Callable, Iterator, Optional, TypeVar

from . import _tracelm
from ._tracelm import Span, TraceLMError
from .genai import LLMCall, agent, conversation, current_conversation, llm, tool
from .genai import _conversation

__all__ = ["init", "shutdown", "flush", "span", "node", "current_span", "connect",
           "llm", "tool", "agent", "conversation", "current_conversation", "LLMCall",
           "Span", "TraceLMError"]
__version__ = _tracelm.VERSION

_current: contextvars.ContextVar[Optional[Span]] = contextvars.ContextVar("tracelm_span", default=None)
_tracelm.use_context(_current, _conversation)
F = TypeVar("F", bound=Callable[..., Any])


def init(db: Optional[str] = None, service: Optional[str] = None, sample_rate: float = 1.0,
         queue_capacity: int = 0, drop_when_full: bool = False,
         run_label: Optional[str] = None) -> None:
    """Open the database (``$TRACELM_DB``, else ``./tracelm.db``) and start recording.

        tracelm.init(db="runs.db", service="rag-api")

    ``$TRACEPARENT`` makes this process's root spans children of that span, as
    in C, so ``tracelm run -- python3 app.py`` puts the script in the run's trace.
    Raises ``TraceLMError`` with the reason when the database cannot be used.
    """
    _tracelm.init(db=db, service=service, sample_rate=sample_rate, queue_capacity=queue_capacity,
                  drop_when_full=drop_when_full, run_label=run_label)


def flush() -> Optional[str]:
    """Wait until every ended span is stored.  None, or what was lost and why.

        if (lost := tracelm.flush()): print(lost)
    """
    return _tracelm.flush()


def shutdown() -> Optional[str]:
    """Flush and close.  None, or what was lost since the last flush and why.

        tracelm.shutdown()
    """
    return _tracelm.shutdown()


atexit.register(lambda: _tracelm.is_initialized() and _tracelm.shutdown())


def current_span() -> Optional[Span]:
    """The span code here runs in, or None.

        tracelm.current_span().set("documents", 4)
    """
    return _current.get()


# A span under the current one (a root when there is none, or it ended), in
# the current conversation if there is one; not made current.  The same C
# as `with span()`.
_begin = _tracelm.begin_current


class span(_tracelm.Scope):
    """A span around a block, sync or async; it is the current span inside.

        with tracelm.span("rerank") as s:
            s.set("documents", 8)

    An exception leaving the block marks the span an error (its type and
    message) and goes on.  Without ``tracelm.init()`` nothing is recorded.
    ``__enter__`` and ``__exit__`` are C (``_tracelm.Scope``): the block
    costs about what an empty context manager written in Python does.
    """

    __slots__ = ()

    async def __aenter__(self) -> Span:
        return self.__enter__()

    async def __aexit__(self, kind, value, traceback) -> None:
        self.__exit__(kind, value, traceback)


def node(name: Optional[str] = None) -> Callable[[F], F]:
    """A span around every call of a function, generator or ``async def``.

        @tracelm.node("retrieve")
        async def retrieve(query): ...

    The span covers the whole generator (until it is exhausted or closed)
    and the whole coroutine; a generator's span is current only while its
    own code runs, not in the loop that consumes it.  ``name`` defaults to
    the function's qualified name.
    """
    def decorate(function: F) -> F:
        label = name or function.__qualname__
        if inspect.iscoroutinefunction(function):
            @functools.wraps(function)
            async def run_coroutine(*args, **kwargs):
                with span(label):
                    return await function(*args, **kwargs)
            return run_coroutine  # type: ignore[return-value]
        if inspect.isasyncgenfunction(function):
            @functools.wraps(function)
            async def run_async_generator(*args, **kwargs):
                s = _begin(label)
                agen, sent, thrown = function(*args, **kwargs), None, None
                try:
                    while True:
                        token = _current.set(s)   # current only while its body runs
                        try:
                            item = await (agen.athrow(thrown) if thrown else agen.asend(sent))
                        finally:
                            _current.reset(token)
                        sent, thrown = None, None
                        try:
                            sent = yield item
                        except GeneratorExit:
                            await agen.aclose()
                            raise
                        except BaseException as error:  # thrown in: pass it on
                            thrown = error
                except StopAsyncIteration:
                    pass
                except BaseException as error:
                    if not isinstance(error, GeneratorExit):
                        s.set_error(f"{type(error).__name__}: {error}")
                    raise
                finally:
                    s.end()
            return run_async_generator  # type: ignore[return-value]
        if inspect.isgeneratorfunction(function):
            @functools.wraps(function)
            def run_generator(*args, **kwargs) -> Iterator[Any]:
                s = _begin(label)
                gen, sent, thrown = function(*args, **kwargs), None, None
                try:
                    while True:
                        token = _current.set(s)   # current only while its body runs
                        try:
                            item = gen.throw(thrown) if thrown else gen.send(sent)
                        finally:
                            _current.reset(token)
                        sent, thrown = None, None
                        try:
                            sent = yield item
                        except GeneratorExit:
                            gen.close()
                            raise
                        except BaseException as error:  # thrown in: pass it on
                            thrown = error
                except StopIteration as stop:
                    return stop.value
                except BaseException as error:
                    if not isinstance(error, GeneratorExit):
                        s.set_error(f"{type(error).__name__}: {error}")
                    raise
                finally:
                    s.end()
            return run_generator  # type: ignore[return-value]

        @functools.wraps(function)
        def run(*args, **kwargs):
            with span(label):
                return function(*args, **kwargs)
        return run  # type: ignore[return-value]
    return decorate


def _extension_path() -> Optional[str]:
    """tracelm.so: beside this package in a build tree, else by name."""
    here = os.path.dirname(os.path.abspath(__file__))
    for candidate in (os.environ.get("TRACELM_EXTENSION"), os.path.join(here, "..", "..", "tracelm"),
                      os.path.join(here, "tracelm")):
        if candidate and os.path.exists(candidate + ".so"):
            return candidate
    return "tracelm"


def connect(path: Optional[str] = None) -> sqlite3.Connection:
    """A ``sqlite3`` connection to a TraceLM database with the SQL functions loaded.

        conn = tracelm.connect("tracelm.db")
        conn.execute("SELECT name FROM critical_path('latest')").fetchall()

    Raises ``TraceLMError`` when this Python's sqlite3 cannot load extensions
    (some builds leave that out: use Debian's /usr/bin/python3) or when the
    extension cannot be found (set ``$TRACELM_EXTENSION`` to its path).
    """
    conn = sqlite3.connect(path or os.environ.get("TRACELM_DB") or "tracelm.db")
    if not hasattr(conn, "enable_load_extension"):
        conn.close()
        raise TraceLMError("connect: this Python's sqlite3 cannot load extensions;"
                           " use Debian's /usr/bin/python3, or the sqlite3 shell with '.load tracelm'")
    try:
        conn.enable_load_extension(True)
        conn.load_extension(_extension_path())
        conn.enable_load_extension(False)
        conn.execute("SELECT tracelm_init()")
    except sqlite3.Error as error:
        conn.close()
        raise TraceLMError(f"connect: {error}") from None
    return conn
