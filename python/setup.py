"""Build the C parts of the tracelm package for pip.

    pip install --no-build-isolation ./python      # or: python3 -m build --no-isolation python

Two C files go in the package: the module _tracelm (the recorder's Python
binding, _tracelm.c) and, for tracelm.connect(), the SQLite extension
tracelm.so.  Where pkg-config finds an installed libtracelm (the .deb, or
`cmake --install`), _tracelm is compiled against it and the installed
extension is used.  Otherwise (or with TRACELM_BUNDLED=1) the project's own
CMake build, beside this folder, compiles libtracelm into _tracelm and
builds the extension, so a source checkout needs only the Debian packages
the README lists: the build is described once, in CMake, not again here.
"""
import os
import re
import shutil
import subprocess
import sys

from setuptools import Extension, setup
from setuptools.command.build_ext import build_ext

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)


def version():
    with open(os.path.join(ROOT, "CMakeLists.txt")) as f:
        return re.search(r"project\(tracelm VERSION ([0-9.]+)", f.read()).group(1)


def pkg_config(*args):
    try:
        done = subprocess.run(["pkg-config", *args, "tracelm"], capture_output=True, text=True)
    except OSError:
        return None
    return done.stdout.split() if done.returncode == 0 else None


class BuildTracelm(build_ext):
    def build_extension(self, ext):
        target = self.get_ext_fullpath(ext.name)
        os.makedirs(os.path.dirname(target), exist_ok=True)
        flags = None if os.environ.get("TRACELM_BUNDLED") == "1" else pkg_config("--cflags", "--libs")
        if flags is not None:
            print("tracelm: building _tracelm against the installed libtracelm (pkg-config)")
            ext.extra_compile_args = [f for f in flags if not f.startswith(("-l", "-L"))]
            ext.extra_link_args = [f for f in flags if f.startswith(("-l", "-L"))] + ["-lsqlite3"]
            return super().build_extension(ext)
        if shutil.which("cmake") is None:
            sys.exit("tracelm: no installed libtracelm (pkg-config tracelm) and no cmake to build one;"
                     " apt-get install cmake, or install libtracelm first")
        print("tracelm: no installed libtracelm; building it into the package with CMake")
        work = os.path.join(os.path.abspath(self.build_temp), "cmake")
        subprocess.run(["cmake", "-S", ROOT, "-B", work, "-DCMAKE_BUILD_TYPE=Release",
                        "-DTRACELM_TESTS=OFF", "-DTRACELM_BENCH=OFF",
                        "-DPython3_EXECUTABLE=" + sys.executable], check=True)
        subprocess.run(["cmake", "--build", work, "--target", "tracelm_python", "tracelm_ext",
                        "-j", str(os.cpu_count() or 2)], check=True)
        built = os.path.join(work, "python", "tracelm")
        module = [f for f in os.listdir(built) if f.startswith("_tracelm") and f.endswith(".so")]
        if len(module) != 1:
            sys.exit("tracelm: the CMake build made no _tracelm module (is python3-dev installed?)")
        shutil.copyfile(os.path.join(built, module[0]), target)
        shutil.copyfile(os.path.join(work, "tracelm.so"), os.path.join(os.path.dirname(target), "tracelm.so"))


setup(version=version(),
      ext_modules=[Extension("tracelm._tracelm", sources=["_tracelm.c"])],
      cmdclass={"build_ext": BuildTracelm})
