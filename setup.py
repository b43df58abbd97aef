"""Declares the C extension; all metadata is in pyproject.toml.

Build switches (environment variables):
  KWIQ_DEBUG=1     -O0 -g, assertions on
  KWIQ_WERROR=1    warnings are errors (CI sets it)
"""
import os

from setuptools import Extension, setup

CORE = [
    "csrc/kw_text.c", "csrc/kw_strtab.c", "csrc/kw_index.c", "csrc/kw_query.c", "csrc/kw_kwic.c",
    "csrc/kw_sort.c", "csrc/kw_stats.c", "csrc/kw_file.c",
]
HEADERS = ["csrc/kw_core.h", "csrc/kw_internal.h", "csrc/kw_text.h", "csrc/kw_unicode_tables.h"]


def flag(name):
    return os.environ.get(name, "") not in ("", "0")


compile_args = ["-std=c11", "-Wall", "-Wextra"]
compile_args += ["-O0", "-g", "-UNDEBUG"] if flag("KWIQ_DEBUG") else ["-O2"]
if flag("KWIQ_WERROR"):
    compile_args.append("-Werror")

setup(
    ext_modules=[
        Extension(
            "kwiq._core",
            sources=CORE + ["csrc/python/kwiq_core.c"],
            include_dirs=["csrc"],
            depends=HEADERS,
            extra_compile_args=compile_args,
        )
    ]
)
