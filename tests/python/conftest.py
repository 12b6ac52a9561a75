"""Shared by the pytest files: a fresh database per test, the recorder on
it, and helpers to read it.  Run by CTest with PYTHONPATH=<build>/python,
TRACELM_CLI and TRACELM_EXTENSION set (tests/python/CMakeLists.txt)."""
import os
import sqlite3

import pytest

import tracelm


@pytest.fixture
def db(tmp_path, monkeypatch):
    path = str(tmp_path / "t.db")
    monkeypatch.delenv("TRACEPARENT", raising=False)
    tracelm.init(db=path, service="pytest")
    yield path
    tracelm.shutdown()


def rows(path, sql, *args):
    conn = sqlite3.connect(path)
    try:
        return conn.execute(sql, args).fetchall()
    finally:
        conn.close()


def parent_names(path):
    """{name: parent's name or None} over every span (names unique in the test)."""
    return dict(rows(path, "SELECT c.name, p.name FROM spans c LEFT JOIN spans p"
                           " ON p.trace_id = c.trace_id AND p.span_id = c.parent_id"))
