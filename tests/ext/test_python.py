"""The extension from Python's standard sqlite3 module.

Usage: python3 test_python.py PATH/TO/tracelm   (without the .so)
"""
import json
import sqlite3
import sys

extension = sys.argv[1]
db = sqlite3.connect(":memory:")
db.enable_load_extension(True)
db.load_extension(extension)
db.enable_load_extension(False)

assert db.execute("SELECT tracelm_init()").fetchone() == (9,)
db.executemany(
    "INSERT INTO spans(trace_id, span_id, parent_id, name, start_ns, end_ns, tokens_in)"
    " VALUES (?, ?, ?, ?, ?, ?, ?)",
    [("ab" * 16, "0000000000000001", None, "root", 0, 100, 0),
     ("ab" * 16, "0000000000000002", "0000000000000001", "llm", 10, 90, 812)])

tree = db.execute("SELECT name, depth, self_ns FROM trace_tree('abab')").fetchall()
assert tree == [("root", 0, 20), ("llm", 1, 80)], tree
path = db.execute("SELECT name, seg_start_ns, seg_end_ns FROM critical_path('latest')").fetchall()
assert path == [("root", 0, 10), ("llm", 10, 90), ("root", 90, 100)], path
summary = json.loads(db.execute("SELECT trace_summary('latest')").fetchone()[0])
assert summary["tokens_in"] == 812 and summary["critical_path"] == ["root", "llm"], summary
try:
    db.execute("SELECT * FROM trace_tree(42)").fetchall()
    raise AssertionError("no error for an integer trace id")
except sqlite3.OperationalError as error:
    assert str(error) == "trace_tree: the trace id must be text, not an integer", error
print("1 passed, 0 failed")
