#!/usr/bin/env python3
"""check_sql_md.py — every example in docs/sql.md runs and prints what it shows.

An example is a fenced block whose lines start "sqlite> " (a statement or a
dot-command; "   ...> " continues it), each followed by what the shell
prints.  All examples run in order in one `sqlite3` shell with the
extension loaded, on the fixture the SQL tests use (tests/ext/helpers.sql
and two_runs.sql); each block starts in `.mode box`.  In the page, `…0a`
stands for the trace id 0000000000000000000000000000000a, both ways.

  check_sql_md.py SQLITE3 EXTENSION DOCS_SQL_MD FIXTURE_DIR [--update]

--update rewrites the outputs in the page with what the shell printed.
"""
import os
import re
import subprocess
import sys

PROMPT, MORE = "sqlite> ", "   ...> "
MARK = "@@example@@"


def parse(lines):
    """[(block_start, block_end, [(command_lines, output_lines)])]"""
    blocks, i = [], 0
    while i < len(lines):
        if lines[i].startswith("```") and i + 1 < len(lines) and lines[i + 1].startswith(PROMPT):
            start, steps, j = i + 1, [], i + 1
            while not lines[j].startswith("```"):
                if lines[j].startswith(PROMPT):
                    steps.append(([lines[j][len(PROMPT):]], []))
                elif lines[j].startswith(MORE) and not steps[-1][1]:
                    steps[-1][0].append(lines[j][len(MORE):])
                else:
                    steps[-1][1].append(lines[j])
                j += 1
            blocks.append((start, j, steps))
            i = j
        i += 1
    return blocks


def expand(text):
    return re.sub(r"…([0-9a-f]{2})\b", lambda m: "0" * 30 + m.group(1), text)


def shorten(text):
    return re.sub(r"\b0{30}([0-9a-f]{2})\b", r"…\1", text)


def run(sqlite3, extension, fixture_dir, blocks):
    script = [".output /dev/null", ".read helpers.sql", ".read two_runs.sql", ".output stdout"]
    for _, _, steps in blocks:
        script.append(".mode box")
        for command, _ in steps:
            script.append(".print " + MARK)
            script.extend(expand(line) for line in command)
    done = subprocess.run([sqlite3, "-batch", "-cmd", ".load " + os.path.abspath(extension),
                           ":memory:"], input="\n".join(script) + "\n", stdout=subprocess.PIPE,
                          stderr=subprocess.STDOUT, text=True, cwd=fixture_dir, timeout=60)
    text = re.sub(r"^(Parse|Runtime) error near line \d+: ", r"\1 error: ",
                  done.stdout, flags=re.M)
    setup, *outputs = shorten(text).split(MARK + "\n")
    if setup.strip():
        sys.exit("the fixture did not load: " + setup.strip().split("\n")[0])
    return [o.rstrip("\n").split("\n") if o.strip() else [] for o in outputs]


def main():
    if len(sys.argv) < 5:
        sys.exit(__doc__)
    sqlite3, extension, page, fixture_dir = sys.argv[1:5]
    update = "--update" in sys.argv[5:]
    lines = open(page, encoding="utf-8").read().split("\n")
    blocks = parse(lines)
    actual = run(sqlite3, extension, fixture_dir, blocks)
    steps = [step for _, _, s in blocks for step in s]
    if len(actual) != len(steps):
        sys.exit(f"{page}: {len(steps)} examples but the shell printed {len(actual)} outputs")
    failed, k = 0, 0
    for _, _, block_steps in blocks:
        for command, expected in block_steps:
            got = actual[k]
            k += 1
            if got != expected:
                failed += 1
                print(f"--- {page}: sqlite> {' '.join(command)}\n  shows:\n    "
                      + "\n    ".join(expected) + "\n  prints:\n    " + "\n    ".join(got))
    if update:
        out, k, at = [], 0, 0
        for start, end, block_steps in blocks:
            out.extend(lines[at:start])
            for command, _ in block_steps:
                out.append(PROMPT + command[0])
                out.extend(MORE + line for line in command[1:])
                out.extend(actual[k])
                k += 1
            at = end
        out.extend(lines[at:])
        open(page, "w", encoding="utf-8").write("\n".join(out))
        print(f"{page}: {k} examples written")
        return
    if failed:
        sys.exit(f"{page}: {failed} of {len(steps)} examples differ from what they print")
    print(f"{page}: {len(steps)} examples print what they show")


main()
