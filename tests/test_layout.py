"""The modules of pkg/kwiq keep out of each other's private names.

Checked with ``ast`` over every module of the package, a private name being
one with a leading underscore that is not a dunder:

1. No import of a private name from another module: ``from kwiq.X import
   _name`` or ``from kwiq import _name``, unless ``_name`` is a module of
   the package (the private modules, ``from kwiq import _core``, are how
   the package is built; what they hold without an underscore is their
   interface).
2. No private attribute of a module imported from kwiq (``_analysis._libs``),
   unless it is a module of the package (``kwiq._core``).
3. No private attribute of any other object, read, written or named to
   ``getattr``/``setattr``/``hasattr``/``delattr``, except:

   - on ``self`` or ``cls``;
   - in the module that defines it: a class of that module has the name
     in its body (a method, a class attribute) or assigns ``self._name``
     (or ``cls._name``) in a method. The module is the unit of privacy, as
     for its private functions: ``Corpus._of_docs`` sets ``_index_view``
     on the new view it makes, and ``kwiq._corpus.index_view`` reads it for
     the rest of the package, which never reads it itself;
   - the named-tuple API (``_fields``, ``_make``, ``_asdict``,
     ``_replace``, ``_field_defaults``), public though underscored so as
     not to clash with field names.

ast cannot tell an object's class, so rule 3 knows a name, not whose it is:
a module whose classes define ``_index`` may read ``other._index`` of an
object of another module's class. No module of the package does.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from conftest import REPO

PACKAGE = REPO / "pkg" / "kwiq"
NAMED_TUPLE_API = frozenset({"_fields", "_make", "_asdict", "_replace", "_field_defaults"})
ATTRIBUTE_FUNCTIONS = frozenset({"getattr", "setattr", "hasattr", "delattr"})


def is_private(name: str) -> bool:
    return name.startswith("_") and not (name.startswith("__") and name.endswith("__"))


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def extension_modules() -> set[str]:
    """The modules setup.py builds from C (kwiq._core), found in the source
    tree only after an in-place build."""
    tree = ast.parse((REPO / "setup.py").read_text(encoding="utf-8"))
    return {
        node.args[0].value
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Name)
        and node.func.id == "Extension"
        and node.args
        and isinstance(node.args[0], ast.Constant)
    }


def package_modules() -> dict[str, Path]:
    return {module_name(path): path for path in sorted(PACKAGE.rglob("*.py"))}


MODULES = package_modules()
ALL_MODULES = frozenset(MODULES) | extension_modules()


def resolve(module: str | None, level: int, importer: str, is_package: bool) -> str:
    """The absolute name of ``from <level dots><module> import ...`` in importer."""
    if not level:
        return module or ""
    base = importer.split(".")
    base = base[: len(base) - level + (1 if is_package else 0)]
    return ".".join(base + ([module] if module else []))


class Checker(ast.NodeVisitor):
    def __init__(self, importer: str, is_package: bool, modules: frozenset[str]):
        self.importer = importer
        self.is_package = is_package
        self.modules = modules
        self.bound: dict[str, str] = {}  # names bound to modules of kwiq
        self.own: set[str] = set()  # private names this module's classes define
        self.problems: list[tuple[int, str]] = []

    def check(self, tree: ast.Module) -> list[tuple[int, str]]:
        for node in ast.walk(tree):
            if isinstance(node, (ast.Import, ast.ImportFrom)):
                self.bind(node)
            elif isinstance(node, ast.ClassDef):
                self.own |= class_private_names(node)
        self.visit(tree)
        return self.problems

    def bind(self, node: ast.Import | ast.ImportFrom) -> None:
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name == "kwiq" or alias.name.startswith("kwiq."):
                    if alias.asname:
                        self.bound[alias.asname] = alias.name
                    else:
                        self.bound[alias.name.split(".")[0]] = "kwiq"
            return
        source = resolve(node.module, node.level, self.importer, self.is_package)
        for alias in node.names:
            if f"{source}.{alias.name}" in self.modules:
                self.bound[alias.asname or alias.name] = f"{source}.{alias.name}"

    def module_of(self, node: ast.expr) -> str | None:
        """The kwiq module an expression names, if it names one."""
        if isinstance(node, ast.Name):
            return self.bound.get(node.id)
        if isinstance(node, ast.Attribute):
            base = self.module_of(node.value)
            if base is not None and f"{base}.{node.attr}" in self.modules:
                return f"{base}.{node.attr}"
        return None

    def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
        source = resolve(node.module, node.level, self.importer, self.is_package)
        if source == "kwiq" or source.startswith("kwiq."):
            for alias in node.names:
                if is_private(alias.name) and f"{source}.{alias.name}" not in self.modules:
                    self.problems.append(
                        (node.lineno, f"imports the private name {alias.name} from {source}")
                    )

    def visit_Attribute(self, node: ast.Attribute) -> None:
        self.check_access(node.value, node.attr, node.lineno)
        self.generic_visit(node)

    def visit_Call(self, node: ast.Call) -> None:
        if (
            isinstance(node.func, ast.Name)
            and node.func.id in ATTRIBUTE_FUNCTIONS
            and len(node.args) >= 2
            and isinstance(node.args[1], ast.Constant)
            and isinstance(node.args[1].value, str)
        ):
            self.check_access(node.args[0], node.args[1].value, node.lineno)
        self.generic_visit(node)

    def check_access(self, obj: ast.expr, name: str, line: int) -> None:
        if not is_private(name):
            return
        module = self.module_of(obj)
        if module is not None:
            if f"{module}.{name}" not in self.modules:
                self.problems.append((line, f"reads the private name {name} of {module}"))
            return
        if isinstance(obj, ast.Name) and obj.id in ("self", "cls"):
            return
        if name in NAMED_TUPLE_API or name in self.own:
            return
        self.problems.append(
            (
                line,
                f"reaches into {ast.unparse(obj)}.{name}, a private name no class of "
                f"{self.importer} defines",
            )
        )


def class_private_names(node: ast.ClassDef) -> set[str]:
    """The private names a class defines: in its body, and as self._name or
    cls._name assigned in its methods."""
    names = set()
    for item in node.body:
        if isinstance(item, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(item.name)
        elif isinstance(item, (ast.Assign, ast.AnnAssign)):
            targets = item.targets if isinstance(item, ast.Assign) else [item.target]
            names.update(t.id for t in targets if isinstance(t, ast.Name))
    for method in node.body:
        if not isinstance(method, (ast.FunctionDef, ast.AsyncFunctionDef)):
            continue
        for sub in ast.walk(method):
            if (
                isinstance(sub, ast.Attribute)
                and isinstance(sub.ctx, ast.Store)
                and isinstance(sub.value, ast.Name)
                and sub.value.id in ("self", "cls")
            ):
                names.add(sub.attr)
    return {name for name in names if is_private(name)}


def problems_of(
    source: str, importer: str, is_package: bool = False, modules: frozenset[str] = ALL_MODULES
) -> list[tuple[int, str]]:
    return Checker(importer, is_package, modules).check(ast.parse(source))


def test_the_package_is_found():
    assert {"kwiq", "kwiq._corpus", "kwiq._analysis", "kwiq.dask"} <= set(MODULES)
    assert "kwiq._core" in ALL_MODULES


@pytest.mark.parametrize("name", sorted(MODULES))
def test_no_module_reaches_into_another(name):
    path = MODULES[name]
    problems = problems_of(path.read_text(encoding="utf-8"), name, path.name == "__init__.py")
    assert not problems, "\n".join(
        f"{path.relative_to(REPO)}:{line}: {message}" for line, message in problems
    )


BAD = [
    "from kwiq._corpus import _is_mask",
    "from kwiq import _secret",
    "from ._corpus import _check_ids",
    "from kwiq import _analysis\n_analysis._libs()",
    "import kwiq._analysis as analysis\nanalysis._u32",
    "import kwiq\nkwiq._analysis._libs()",
    "def f(corpus):\n    return corpus._index",
    "def f(corpus):\n    corpus._mask = None",
    "def f(corpus):\n    return getattr(corpus, '_ids')",
    "def f(corpus):\n    return corpus.kwic('x')._hits",
]
GOOD = [
    "from kwiq import _core\n_core.SORT_LEFT",
    "from kwiq._args import as_int",
    "import kwiq\nkwiq._core.tokenize",
    "class A:\n    def f(self):\n        return self._x",
    "class A:\n    def __init__(self):\n        self._x = 1\n    def same(self, other):\n"
    "        return other._x == self._x",
    "class A:\n    def _set(self):\n        pass\ndef make():\n    a = A.__new__(A)\n    a._set()",
    "def f(line):\n    return line._asdict(), type(line)._fields",
]


@pytest.mark.parametrize("source", BAD)
def test_the_check_finds_a_reach(source):
    assert problems_of(source, "kwiq._example")


@pytest.mark.parametrize("source", GOOD)
def test_the_check_lets_own_names_be(source):
    assert problems_of(source, "kwiq._example") == []
