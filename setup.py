"""Declares the C extension; all metadata is in pyproject.toml.

Build switches (environment variables):
  KWIQ_DEBUG=1     -O0 -g, assertions on
  KWIQ_WERROR=1    warnings are errors (CI sets it)
  KWIQ_SANITIZE=1  AddressSanitizer and UndefinedBehaviorSanitizer (-O1 -g);
                   the interpreter must then load the ASan runtime first
                   (LD_PRELOAD=$(gcc -print-file-name=libasan.so),
                   PYTHONMALLOC=malloc, ASAN_OPTIONS=detect_leaks=0):
                   python tools/run_sanitized.py python -m pytest
Changing a switch recompiles every object (BuildWithFlags).
"""

import os
from glob import glob
from pathlib import Path

from setuptools import Extension, setup
from setuptools.command.build_ext import build_ext

# The folders are the lists: every file of the core (csrc/core/, which
# tools/core_sources.py globs the same way) and of the binding is built.
SOURCES = sorted(glob("csrc/core/*.c")) + sorted(glob("csrc/python/*.c"))
HEADERS = sorted(glob("csrc/core/*.h")) + sorted(glob("csrc/python/*.h"))


def flag(name):
    return os.environ.get(name, "") not in ("", "0")


compile_args = ["-std=c11", "-Wall", "-Wextra"]
link_args = []
if flag("KWIQ_DEBUG"):
    compile_args += ["-O0", "-g", "-UNDEBUG"]
elif flag("KWIQ_SANITIZE"):
    compile_args += ["-O1", "-g"]
else:
    compile_args += ["-O2"]
if flag("KWIQ_SANITIZE"):
    sanitize = [
        "-fsanitize=address,undefined",
        "-fno-sanitize-recover=all",
        "-fno-omit-frame-pointer",
    ]
    compile_args += sanitize
    link_args += sanitize
if flag("KWIQ_WERROR"):
    compile_args.append("-Werror")
# MSVC (cibuildwheel's Windows wheels) spells the same build its own way;
# <stdatomic.h> needs Visual Studio 2022 17.5 and its c11atomics switch.
msvc_compile_args = ["/std:c11", "/experimental:c11atomics", "/W3", "/O2"]
if flag("KWIQ_WERROR"):
    msvc_compile_args.append("/WX")


class BuildWithFlags(build_ext):
    """Compiles everything again when the flags differ from the last build's:
    objects left in build/ by a plain build must not be linked into a
    sanitized one (setuptools only compares file times)."""

    def build_extensions(self):
        if self.compiler.compiler_type == "msvc":
            for extension in self.extensions:
                extension.extra_compile_args = msvc_compile_args
                extension.extra_link_args = []
        super().build_extensions()

    def run(self):
        stamp = Path(self.build_temp) / "kwiq-flags"
        flags = " ".join(compile_args + link_args)
        if not stamp.is_file() or stamp.read_text() != flags:
            self.force = True
        super().run()
        stamp.parent.mkdir(parents=True, exist_ok=True)
        stamp.write_text(flags)


setup(
    cmdclass={"build_ext": BuildWithFlags},
    ext_modules=[
        Extension(
            "kwiq._core",
            sources=SOURCES,
            include_dirs=["csrc/core"],
            depends=HEADERS,
            extra_compile_args=compile_args,
            extra_link_args=link_args,
        )
    ],
)
