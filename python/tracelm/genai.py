"""LLM calls, tools, agents and conversations, recorded under the
OpenTelemetry GenAI conventions' names (docs/genai.md), so TraceLM's views
``llm_calls``, ``tool_calls`` and ``conversations`` and any other GenAI
tool read them.

    with tracelm.conversation("chat-42"):
        with tracelm.llm("chat", model="gpt-4o-mini", provider="openai") as call:
            for chunk in stream:
                call.first_token()          # once; later calls do nothing
            call.usage(input=812, output=96, cache_read=512)
        with tracelm.tool("search", call_id="call_1"):
            ...
"""
from __future__ import annotations

import contextvars
import json
from typing import Any, Iterable, Optional

from ._tracelm import Span

_conversation: contextvars.ContextVar[Optional[str]] = contextvars.ContextVar(
    "tracelm_conversation", default=None)


def current_conversation() -> Optional[str]:
    """The id set by the innermost ``tracelm.conversation()``, or None."""
    return _conversation.get()


class conversation:
    """Every span begun inside carries ``gen_ai.conversation.id``.

        with tracelm.conversation(session_id):
            answer(question)
    """

    __slots__ = ("id", "_token")

    def __init__(self, id: str) -> None:
        if not isinstance(id, str) or not id:
            raise ValueError("conversation id must be a non-empty str")
        self.id = id

    def __enter__(self) -> str:
        self._token = _conversation.set(self.id)
        return self.id

    def __exit__(self, *exc: Any) -> None:
        _conversation.reset(self._token)

    async def __aenter__(self) -> str:
        return self.__enter__()

    async def __aexit__(self, *exc: Any) -> None:
        self.__exit__()


class LLMCall:
    """The span of one model call, with the conventions' setters (libtracelm's
    GenAI setters underneath: the attribute names are written in one place)."""

    __slots__ = ("span",)

    def __init__(self, span: Span) -> None:
        self.span = span

    def usage(self, input: int = 0, output: int = 0, cache_read: int = 0,
              cache_creation: int = 0, reasoning: int = 0) -> None:
        """Token counts as the conventions count them: ``input`` includes
        ``cache_read`` and ``cache_creation``, ``output`` includes
        ``reasoning``; each priced at its own rate (docs/genai.md)."""
        self.span.usage(input, output, cache_read, cache_creation, reasoning)

    def first_token(self) -> None:
        """The first streamed chunk arrived: sets the time to it (TTFT), once."""
        self.span.first_token()

    def response(self, model: Optional[str] = None, id: Optional[str] = None,
                 finish_reasons: Optional[Iterable[str]] = None) -> None:
        """What the provider answered with."""
        self.span.response(model or None, id or None,
                           None if finish_reasons is None else json.dumps(list(finish_reasons)))

    def messages(self, input: Optional[list] = None, output: Optional[list] = None,
                 system: Optional[str] = None) -> None:
        """The prompt and the answer, as the conventions' role-and-parts JSON."""
        self.span.messages(None if system is None else json.dumps([{"type": "text", "content": system}]),
                           None if input is None else json.dumps(input),
                           None if output is None else json.dumps(output))

    def score(self, name: str, value: float, label: Optional[str] = None,
              explanation: Optional[str] = None) -> None:
        """An evaluation of this call (the event gen_ai.evaluation.result)."""
        self.span.score(name, value, label=label, explanation=explanation)


class _operation_span:
    """A span of a GenAI operation: described by one of the span's GenAI
    setters (set_llm, set_tool, set_agent) on enter."""

    __slots__ = ("_span", "_describe", "_args")

    def __init__(self, name: str, describe: str, args: tuple) -> None:
        from . import span
        self._span = span(name)
        self._describe = describe
        self._args = args

    def __enter__(self) -> Span:
        s = self._span.__enter__()
        getattr(s, self._describe)(*self._args)
        return s

    def __exit__(self, kind, value, traceback) -> None:
        self._span.__exit__(kind, value, traceback)

    async def __aenter__(self) -> Span:
        return self.__enter__()

    async def __aexit__(self, kind, value, traceback) -> None:
        self.__exit__(kind, value, traceback)


class llm(_operation_span):
    """A span around one model call, named ``"{operation} {model}"``.

        with tracelm.llm("chat", model="gpt-4o-mini", provider="openai") as call:
            call.usage(input=812, output=96)
    """

    __slots__ = ()

    def __init__(self, operation: str = "chat", model: Optional[str] = None,
                 provider: Optional[str] = None) -> None:
        super().__init__(f"{operation} {model}" if model else operation, "set_llm",
                         (operation, model, provider))

    def __enter__(self) -> LLMCall:
        return LLMCall(super().__enter__())

    async def __aenter__(self) -> LLMCall:
        return self.__enter__()


def tool(name: str, call_id: Optional[str] = None, type: Optional[str] = None) -> _operation_span:
    """A span around one tool call, ``"execute_tool {name}"``.

        with tracelm.tool("search", call_id=call.id):
            results = search(query)
    """
    return _operation_span(f"execute_tool {name}", "set_tool", (name, call_id, type))


def agent(name: str, id: Optional[str] = None) -> _operation_span:
    """A span around an agent's run, ``"invoke_agent {name}"``."""
    return _operation_span(f"invoke_agent {name}", "set_agent", (name, id))
