#!/usr/bin/env python3
"""`pip install ./python` in fresh venvs, as a Python user would, both ways
setup.py builds the C parts:

  1. bundled: a copy of the source tree (no build folder), no libtracelm
     installed: CMake compiles libtracelm into _tracelm and builds the
     extension into the package;
  2. pkg-config: against libtracelm installed (`cmake --install`) into a
     prefix that pkg-config is pointed at.

Each venv is made from Debian's python3 (--system-site-packages, for
Debian's setuptools and wheel; nothing from an index: --no-index), and in
each, outside the source tree, a script records a trace with the recorder
and reads it back with tracelm.connect(): names, depths, the label.

  test_pip_install.py SOURCE_DIR BUILD_DIR
Skips (exit 0, "SKIPPED:") where venv, setuptools or wheel is missing.
"""
import os
import shutil
import subprocess
import sys
import tempfile

SOURCE, BUILD = sys.argv[1], sys.argv[2]
PYTHON = "/usr/bin/python3"
passed = failed = 0

CHECK = r'''
import json, os, sys, tracelm
db = sys.argv[1]
tracelm.init(db=db, service="pip-check", run_label="from-pip")
with tracelm.span("answer"):
    with tracelm.span("retrieve"):
        pass
    with tracelm.llm(model="gpt-4o-mini") as call:
        call.usage(input=100, output=20)
tracelm.shutdown()
conn = tracelm.connect(db)
print(json.dumps({
    "file": tracelm.__file__,
    "tree": conn.execute("SELECT depth, name FROM trace_tree('latest')").fetchall(),
    "label": conn.execute("SELECT label, service FROM traces").fetchall(),
    "tokens": conn.execute("SELECT sum(tokens_in), sum(tokens_out) FROM spans").fetchone(),
}))
'''


def check(name, ok, detail=""):
    global passed, failed
    passed, failed = passed + bool(ok), failed + (not ok)
    print(("ok   " if ok else "FAIL ") + name + ("" if ok else ": " + str(detail)[-3000:]))


def missing():
    done = subprocess.run([PYTHON, "-c", "import venv, ensurepip, setuptools, wheel"], capture_output=True)
    return done.returncode != 0


if missing():
    print("SKIPPED: python3-venv, python3-setuptools or python3-wheel is not installed")
    sys.exit(0)

work = tempfile.mkdtemp(prefix="tracelm-pip-")


def install_and_check(name, source, env):
    venv = os.path.join(work, "venv-" + name)
    subprocess.run([PYTHON, "-m", "venv", "--system-site-packages", venv], check=True)
    pip = subprocess.run([os.path.join(venv, "bin", "pip"), "install", "-v", "--no-build-isolation", "--no-index",
                          "--no-cache-dir", os.path.join(source, "python")],
                         capture_output=True, text=True, env=env, timeout=900)
    check(name + ": pip install ./python", pip.returncode == 0, pip.stdout + pip.stderr)
    if pip.returncode:
        return
    said = "pkg-config" if "against the installed libtracelm" in pip.stdout + pip.stderr else "CMake"
    outside = os.path.join(work, "run-" + name)
    os.makedirs(outside)
    script = os.path.join(outside, "check.py")
    with open(script, "w") as f:
        f.write(CHECK)
    run = subprocess.run([os.path.join(venv, "bin", "python"), script, os.path.join(outside, "t.db")],
                         capture_output=True, text=True, cwd=outside, env=env, timeout=120)
    check(name + ": the installed package records and reads back", run.returncode == 0, run.stderr)
    if run.returncode:
        return
    import json
    got = json.loads(run.stdout)
    check(name + ": imported from the venv (%s)" % got["file"], got["file"].startswith(venv), got["file"])
    check(name + ": the tree", got["tree"] == [[0, "answer"], [1, "retrieve"], [1, "chat gpt-4o-mini"]], got["tree"])
    check(name + ": the run label and service", got["label"] == [["from-pip", "pip-check"]], got["label"])
    check(name + ": the tokens", got["tokens"] == [100, 20], got["tokens"])
    return said


# 1. From a copy of the tree without its build folders, as a fresh clone.
copy = os.path.join(work, "src")
shutil.copytree(SOURCE, copy, ignore=shutil.ignore_patterns("build*", ".git", "__pycache__", "*.db",
                                                             "*.egg-info", "node_modules"))
env = dict(os.environ, TRACELM_BUNDLED="1")
env.pop("PKG_CONFIG_PATH", None)
how = install_and_check("bundled", copy, env)
check("bundled: built with CMake", how == "CMake", how)

# 2. Against an installed libtracelm, found with pkg-config.
prefix = os.path.join(work, "prefix")
subprocess.run(["cmake", "--install", BUILD, "--prefix", prefix], check=True, capture_output=True)
pc = [os.path.join(d, f) for d, _, fs in os.walk(prefix) for f in fs if f == "tracelm.pc"]
libdir = os.path.dirname(os.path.dirname(pc[0]))
env = dict(os.environ, PKG_CONFIG_PATH=os.path.dirname(pc[0]), LD_LIBRARY_PATH=libdir)
env.pop("TRACELM_BUNDLED", None)
how = install_and_check("pkg-config", copy, env)
check("pkg-config: built against the installed libtracelm", how == "pkg-config", how)

shutil.rmtree(work, ignore_errors=True)
print("%d passed, %d failed" % (passed, failed))
sys.exit(1 if failed else 0)
