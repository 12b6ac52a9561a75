#!/usr/bin/env python3
"""bench_python.py — what a span costs a Python program.

Per span, best of five runs: `with tracelm.span("x"): pass` against an
empty context manager written in Python, and a `@tracelm.node` call
against the same function undecorated; the added cost at a 1,000-span and
a 100,000-span trace (recording must be flat in trace size: the seed tool's
@node took 24 µs a span at 1,000 spans and 322 µs at 20,000); and a
1,000,000-span run, counted in the database after shutdown(); and
200,000 one-span traces in a burst, a trace a span, with the default queue
and with one the burst fits in, each burst after the last was stored.
Prints a table; asserts nothing.

  PYTHONPATH=build/python /usr/bin/python3 bench/bench_python.py [DIR]
"""
import os
import sqlite3
import sys
import tempfile
import time

import tracelm


class Empty:
    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return None


def work(x):
    return x


traced_work = tracelm.node("work")(work)


def per_call(run, count, settle=None, times=None):
    best = float("inf")
    for _ in range(5):
        start = time.perf_counter_ns()
        run(count)
        took = (time.perf_counter_ns() - start) / count
        best = min(best, took)
        if times is not None:
            times.append(took)
        if settle:
            settle()          # untimed: each burst meets an empty ring
    return best


def empty_blocks(count):
    for _ in range(count):
        with Empty():
            pass


def span_blocks(count):
    with tracelm.span("root"):          # one trace of count spans
        for _ in range(count):
            with tracelm.span("x"):
                pass


def tiny_traces(count):
    for _ in range(count):               # a trace a span: a request or a job each
        with tracelm.span("x"):
            pass


def plain_calls(count):
    for i in range(count):
        work(i)


def node_calls(count):
    with tracelm.span("root"):
        for i in range(count):
            traced_work(i)


def main():
    folder = sys.argv[1] if len(sys.argv) > 1 else tempfile.gettempdir()
    db = os.path.join(folder, "bench_python.db")
    for suffix in ("", "-wal", "-shm"):
        if os.path.exists(db + suffix):
            os.unlink(db + suffix)
    tracelm.init(db=db, queue_capacity=1 << 20)
    rows = []
    for spans in (1000, 100000):
        base = per_call(empty_blocks, spans)
        cost = per_call(span_blocks, spans)
        rows.append((f"with tracelm.span(): pass  ({spans:,} spans a trace)", cost, base))
        base = per_call(plain_calls, spans)
        cost = per_call(node_calls, spans)
        rows.append((f"@tracelm.node call         ({spans:,} spans a trace)", cost, base))
        tracelm.flush()
    # One-span traces in a burst of 200,000: with the default ring (65,536
    # spans a thread) the writer must keep up, or the caller waits; with a
    # ring the burst fits in, it never waits.
    for capacity, label in ((0, "default queue"), (1 << 18, "queue 262,144")):
        tracelm.shutdown()
        tracelm.init(db=db, queue_capacity=capacity)
        base = per_call(empty_blocks, 200000)
        times = []
        cost = per_call(tiny_traces, 200000, settle=tracelm.flush, times=times)
        rows.append((f"with tracelm.span(): pass  (200,000 one-span traces, {label})", cost, base))
        # The first burst also touches the ring's memory for the first time.
        rows.append((f"  the first burst, into a ring never used", times[0], base))
        tracelm.flush()
    print(f"{'measure':70} {'tracelm':>10} {'baseline':>10} {'added':>10}")
    for name, cost, base in rows:
        print(f"{name:70} {cost:8.0f} ns {base:8.0f} ns {cost - base:8.0f} ns")
    print(f"\nflat in trace size: added per span at 100,000 / at 1,000 spans: "
          f"span {(rows[2][1] - rows[2][2]) / (rows[0][1] - rows[0][2]):.2f}, "
          f"node {(rows[3][1] - rows[3][2]) / (rows[1][1] - rows[1][2]):.2f}")

    start = time.perf_counter()
    with tracelm.span("million"):
        for _ in range(1000000):
            with tracelm.span("x"):
                pass
    lost = tracelm.shutdown()
    seconds = time.perf_counter() - start
    conn = sqlite3.connect(db)
    stored = conn.execute("SELECT span_count FROM traces WHERE root_name = 'million'").fetchone()[0]
    conn.close()
    print(f"1,000,000 spans in {seconds:.1f} s (recording and writing), {stored:,} stored"
          f" after shutdown(); lost: {lost or 'none'}")
    print("\nbaselines, same run: an empty context manager class, the undecorated"
          " function; best of 5.")


if __name__ == "__main__":
    main()
