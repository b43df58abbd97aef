"""CQL, the query language of CWB/CQP: its compiler to the program that
the core evaluates (csrc/core/kw_cql.h), over the tree that
kwiq._cqlparse makes.

Compiling turns each token constraint into tests of one attribute each (a
set of type ids, its regex matched against the attribute's vocabulary, with
the time limit of kwiq._query) combined by a postfix Boolean program with
the negations pushed down to the tests, and the tree into a Thompson NFA.
It also lists hints for the core's choice of candidates: constraints that
every match meets at a known distance from its start.
"""

from __future__ import annotations

import unicodedata
from array import array
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any, cast

import regex

from kwiq import _build, _core
from kwiq._cqlparse import Node, parse
from kwiq._query import Pattern, QueryError, SlotCache, compile_regex, regex_matches, slot_bytes

STRATEGIES = {"longest": _core.CQL_LONGEST, "shortest": _core.CQL_SHORTEST, "all": _core.CQL_ALL}
# The most steps (NFA instructions) a query may compile to: quantifiers
# copy what they repeat, and the core keeps a mark per step and state.
MAX_STEPS = 10_000
# The most structures whose </X> pairs with an <X> (CQP's StrictRegions) in
# one query: the core keeps two bits of state per such structure.
MAX_STRICT = 4
NO_BOUND = 0xFFFFFFFF


# ---------------------------------------------------------------- values


def strip_diacritics(text: str) -> str:
    """%d's folding: NFD, without the characters of nonzero canonical
    combining class, recomposed (NFC)."""
    decomposed = unicodedata.normalize("NFD", text)
    return unicodedata.normalize(
        "NFC", "".join(c for c in decomposed if not unicodedata.combining(c))
    )


def _same(text: str) -> str:
    return text


def value_matcher(pattern: str, flags: str, query: str, position: int) -> Callable[..., Any]:
    """matches(value, timeout=...) -> bool, what a test of ``pattern`` with
    ``flags`` holds of a value."""
    diacritics = strip_diacritics if "d" in flags else _same
    if "l" in flags:
        case = str.casefold if "c" in flags else _same
        literal = case(diacritics(pattern))
        return lambda value, timeout=None: case(diacritics(value)) == literal
    compiled = compile_regex(
        regex.compile,
        diacritics(pattern),
        regex.V0 | (regex.IGNORECASE | regex.FULLCASE if "c" in flags else 0),
        query,
        position,
    )
    if diacritics is _same:
        fullmatch: Callable[..., Any] = compiled.fullmatch
        return fullmatch
    return lambda value, timeout=None: (
        compiled.fullmatch(diacritics(value), timeout=timeout) is not None
    )


def is_plain(pattern: str) -> bool:
    """Whether a regex matches exactly its own text (no special character)."""
    escaped: str = regex.escape(pattern, special_only=True)
    return escaped == pattern


class Layer:
    """The annotation layer of an index, as CQL compiles against it: the
    names of its attributes and structures, and each attribute's
    vocabulary and its type ids by value, fetched once when first asked."""

    def __init__(self, index: _core.Index) -> None:
        self.index = index
        self.attrs = list(index.attributes())
        self.structures = list(index.structures())
        self._forms: dict[int, list[str]] = {}
        self._ids: dict[int, dict[str, int]] = {}

    def forms(self, attr: int) -> list[str]:
        if attr not in self._forms:
            self._forms[attr] = self.index.attr_forms(attr)
        return self._forms[attr]

    def id_of(self, attr: int, value: str) -> int | None:
        if attr not in self._ids:
            self._ids[attr] = {form: i for i, form in enumerate(self.forms(attr))}
        return self._ids[attr].get(value)

    def type_ids(
        self, attr: str, pattern: str, flags: str, query: str, position: int
    ) -> array[int]:
        """The ids of the values of ``attr`` that a test of ``pattern`` with
        ``flags`` matches (not negated)."""
        number = self.attrs.index(attr)
        if not set(flags) - {"l"} and ("l" in flags or is_plain(pattern)):
            found = self.id_of(number, pattern)
            return array("I", [] if found is None else [found])
        matches = value_matcher(pattern, flags, query, position)
        return array(
            "I",
            regex_matches(Pattern("regex", pattern, position), query, matches, self.forms(number)),
        )


# ---------------------------------------------------------------- compiling


def push_negations(cond: Node, negated: bool = False) -> Node:
    """``cond`` with every "not" pushed down into its tests (De Morgan)."""
    kind = cond[0]
    if kind == "not":
        return push_negations(cond[1], not negated)
    if kind == "test":
        return cond[:4] + (cond[4] != negated,) + cond[5:]
    flipped = {"and": "or", "or": "and"}[kind] if negated else kind
    return (flipped, [push_negations(operand, negated) for operand in cond[1]])


@dataclass
class Program:
    """What kwiq._core.cql_find takes (see csrc/core/kw_cql.h)."""

    code: array[int]  # (op, a, b) per step
    tests: list[tuple[int, array[int], bool]]  # (attr number, type ids, negated)
    bools: array[int]  # (op, test number or 0) per postfix operation
    cond_start: array[int]  # constraint c is bools[cond_start[c] .. cond_start[c + 1])
    hints: list[tuple[array[int], int, int]]  # (constraint numbers, lo, hi)
    within: int  # a structure number, or -1
    n_strict: int

    def size(self) -> int:
        return slot_bytes(
            "",
            [(None, self.code, self.bools, self.cond_start)]
            + [(None, ids) for _, ids, _ in self.tests],
        )

    def args(
        self, strategy: int, threads: int
    ) -> tuple[
        array[int],
        list[tuple[int, array[int], bool]],
        array[int],
        array[int],
        list[tuple[array[int], int, int]],
        int,
        int,
        int,
        int,
    ]:
        return (
            self.code,
            self.tests,
            self.bools,
            self.cond_start,
            self.hints,
            self.within,
            self.n_strict,
            strategy,
            threads,
        )


class Compiler:
    def __init__(self, query: str, layer: Layer) -> None:
        self.query = query
        self.layer = layer
        self.code = array("I")
        self.tests: list[tuple[int, array[int], bool]] = []
        self.bools = array("I")
        self.cond_start = array("I", [0])
        self.strict: list[str] = []
        self.test_ids: dict[tuple[str, str, str], array[int]] = {}

    def compile(self, body: Node, within: str | None) -> Program:
        self.strict = sorted({node[1] for node in walk(body) if node[0] == "close" and node[2]})
        if len(self.strict) > MAX_STRICT:
            raise QueryError(
                f"more than {MAX_STRICT} structures closed by </X> after an <X>", self.query, 0
            )
        self.emit(body)
        self.step(_core.CQL_MATCH)
        hints = [(array("I", conds), lo, hi) for conds, lo, hi in hints_of(body) if conds]
        return Program(
            self.code,
            self.tests,
            self.bools,
            self.cond_start,
            hints,
            -1 if within is None else self.layer.structures.index(within),
            len(self.strict),
        )

    def step(self, op: int, a: int = 0, b: int = 0) -> int:
        if len(self.code) >= 3 * MAX_STEPS:
            raise QueryError(
                f"the query needs more than {MAX_STEPS:,} steps (make its repeat counts smaller)",
                self.query,
                0,
            )
        self.code.extend((op, a, b))
        return len(self.code) // 3 - 1

    def patch(self, step: int, a: int, b: int) -> None:
        self.code[3 * step + 1] = a
        self.code[3 * step + 2] = b

    def here(self) -> int:
        return len(self.code) // 3

    def emit(self, node: Node) -> None:
        kind = node[0]
        if kind == "token":
            cond = NO_BOUND if node[1] is None else self.constraint(node[1])
            self.step(_core.CQL_TOKEN, cond)
        elif kind in ("open", "close"):
            structure = self.layer.structures.index(node[1])
            paired = kind == "open" or node[2]
            slot = self.strict.index(node[1]) + 1 if node[1] in self.strict and paired else 0
            self.step(_core.CQL_OPEN if kind == "open" else _core.CQL_CLOSE, structure, slot)
        elif kind == "seq":
            for part in node[1]:
                self.emit(part)
        elif kind == "alt":
            jumps = []
            for option in node[1][:-1]:
                split = self.step(_core.CQL_SPLIT)
                self.emit(option)
                jumps.append(self.step(_core.CQL_JUMP))
                self.patch(split, split + 1, self.here())
            self.emit(node[1][-1])
            for jump in jumps:
                self.patch(jump, self.here(), 0)
        else:
            self.repeat(node[1], node[2], node[3])

    def repeat(self, part: Node, low: int, high: int | None) -> None:
        for _ in range(low):
            self.emit(part)
        if high is None:
            split = self.step(_core.CQL_SPLIT)
            self.emit(part)
            self.step(_core.CQL_JUMP, split)
            self.patch(split, split + 1, self.here())
            return
        splits = []
        for _ in range(high - low):
            splits.append(self.step(_core.CQL_SPLIT))
            self.emit(part)
        for split in splits:
            self.patch(split, split + 1, self.here())

    def constraint(self, cond: Node) -> int:
        """The number of a new constraint made of ``cond``."""
        self.postfix(push_negations(cond))
        self.cond_start.append(len(self.bools) // 2)
        return len(self.cond_start) - 2

    def postfix(self, cond: Node) -> None:
        if cond[0] == "test":
            _, attr, pattern, flags, negated, position = cond
            key = (attr, pattern, flags)
            if key not in self.test_ids:
                self.test_ids[key] = self.layer.type_ids(attr, pattern, flags, self.query, position)
            self.tests.append((self.layer.attrs.index(attr), self.test_ids[key], negated))
            self.bools.extend((_core.CQL_TEST, len(self.tests) - 1))
            return
        op = _core.CQL_AND if cond[0] == "and" else _core.CQL_OR
        self.postfix(cond[1][0])
        for operand in cond[1][1:]:
            self.postfix(operand)
            self.bools.extend((op, 0))


def walk(node: Node) -> Iterator[Node]:
    """Every node of a query tree, depth first."""
    yield node
    kind = node[0]
    if kind in ("seq", "alt"):
        for part in node[1]:
            yield from walk(part)
    elif kind == "repeat":
        yield from walk(node[1])


def hints_of(body: Node) -> list[tuple[list[int], int, int]]:
    """Where the core may take its candidates from: (constraints, lo, hi),
    each meaning that every match consumes, between lo and hi tokens after
    its start, a token that one of the constraints accepts. The first
    tokens' constraints (at 0) and each required token's own."""
    numbers: dict[int, int] = {}
    counter = [0]

    def number(node: Node) -> int:
        # Constraints are numbered in the order Compiler.emit meets them.
        return numbers[id(node)]

    def visit(node: Node) -> None:
        if node[0] == "token" and node[1] is not None:
            numbers.setdefault(id(node), counter[0])
            counter[0] += 1
        elif node[0] == "repeat":
            for _ in range(node[2] + (1 if node[3] is None else node[3] - node[2])):
                visit(node[1])
        elif node[0] in ("seq", "alt"):
            for part in node[1]:
                visit(part)

    visit(body)
    hints = []
    first, _ = first_tokens(body)
    if first and all(token[1] is not None for token in first):
        hints.append((sorted({number(t) for t in first}), 0, 0))
    for token, lo, hi in required(body)[2]:
        if token[1] is not None and hi is not None:
            hints.append(([number(token)], lo, hi))
    return hints


def first_tokens(node: Node) -> tuple[list[Node], bool]:
    """The token nodes that may consume a match's first token (their first
    copies, as emitted), and whether ``node`` may consume nothing."""
    kind = node[0]
    if kind == "token":
        return [node], False
    if kind in ("open", "close"):
        return [], True
    if kind == "repeat":
        tokens, empty = first_tokens(node[1])
        return tokens if node[3] != 0 else [], empty or node[2] == 0
    if kind == "alt":
        found = [first_tokens(option) for option in node[1]]
        return [t for tokens, _ in found for t in tokens], any(empty for _, empty in found)
    tokens = []
    for part in node[1]:
        part_tokens, empty = first_tokens(part)
        tokens += part_tokens
        if not empty:
            return tokens, False
    return tokens, True


def required(node: Node) -> tuple[int, int | None, list[tuple[Node, int, int | None]]]:
    """(fewest tokens, most tokens or None, [(token node, lo, hi)]) of a
    node: the token nodes (first copies) every match of it consumes, lo to
    hi tokens after its start (hi None: any number)."""
    kind = node[0]
    if kind == "token":
        return 1, 1, [(node, 0, 0)]
    if kind in ("open", "close"):
        return 0, 0, []
    if kind == "repeat":
        low, high, inner = required(node[1])
        most = None if node[3] is None or high is None else high * node[3]
        return low * node[2], most, inner if node[2] > 0 else []
    if kind == "alt":
        found = [required(option) for option in node[1]]
        highs = [high for _, high, _ in found]
        return (
            min(low for low, _, _ in found),
            None if None in highs else max(cast(list[int], highs)),
            [],
        )
    low, high, tokens = 0, 0, []
    for part in node[1]:
        part_low, part_high, part_tokens = required(part)
        tokens += [
            (t, low + lo, None if high is None or hi is None else high + hi)
            for t, lo, hi in part_tokens
        ]
        low += part_low
        high = None if high is None or part_high is None else high + part_high
    return low, high, tokens


def compile_query(query: str, layer: Layer) -> Program:
    body, within = parse(query, layer.attrs, layer.structures)
    return Compiler(query, layer).compile(body, within)


def strategy_code(strategy: Any) -> int:
    if not isinstance(strategy, str) or strategy not in STRATEGIES:
        raise ValueError(
            f"strategy must be one of {', '.join(map(repr, STRATEGIES))}, not {strategy!r}"
        )
    return STRATEGIES[strategy]


def query_options(syntax: Any, case: Any, strategy: Any) -> tuple[bool, int | None]:
    """(case, strategy code) of a query's arguments, checked: the code is
    None for the plain query language. ``case`` defaults to False there;
    with CQL it must not be given (CQL says case in the query, with %c)."""
    if syntax not in ("plain", "cql"):
        raise ValueError(f"syntax must be 'plain' or 'cql', not {syntax!r}")
    if syntax == "plain":
        if strategy != "longest":
            raise ValueError("strategy applies to syntax='cql' only")
        if case is not None and not isinstance(case, bool):
            raise TypeError(f"case must be True or False, not {case!r}")
        return bool(case), None
    if case is not None:
        raise ValueError(
            "case= does not apply to syntax='cql': CQL matches as written; "
            "add %c after a value for case-insensitive matching "
            '([lemma="peace"%c], "peace"%c)'
        )
    return False, strategy_code(strategy)


class Programs:
    """The compiled CQL queries of one index, and its Layer: what an
    IndexView's Shared keeps for CQL. Programs are cached as kwiq._query's
    SlotCache keeps slots (bounded by count and bytes)."""

    def __init__(self, index: _core.Index) -> None:
        self.index = index
        self.layer: Layer | None = None
        self.cache = SlotCache()

    def hits(self, query: str, strategy: int) -> _core.Hits:
        """The Hits of ``query`` under strategy code ``strategy``."""
        program = self.cache.get(query)
        if program is None:
            if self.layer is None:
                self.layer = Layer(self.index)
            program = compile_query(query, self.layer)
            self.cache.put(query, program, program.size())
        # A scan (no selective constraint) runs on as many threads as a
        # build would by default.
        return _core.cql_find(self.index, *program.args(strategy, _build.default_threads()))
