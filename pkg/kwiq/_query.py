"""The query language: a phrase of token patterns.

A query is a sequence of token patterns separated by white space, matched
by consecutive tokens of one document:

- a literal: a word or a punctuation character; a literal with punctuation
  inside (``U-2``) is the phrase of its tokens;
- a glob: a word with ``*`` (any characters) or ``?`` (one character) in it,
  matched against whole word forms (``peace*``, ``*ism``, ``wom?n``);
- ``*`` alone: any one word;
- ``/regex/``: a Python regular expression matched against whole token
  forms, words or punctuation (``\\/`` for a slash inside it);
- a backslash makes the next character literal (``\\*`` is an asterisk).

Globs and regexes are matched against the vocabulary, not the text, so
their cost grows with the number of distinct forms in the corpus. They are
matched by the ``regex`` module (in its re-compatible VERSION0, on patterns
that ``re`` accepts), whose matches take a time limit: Python's ``re``
cannot be stopped, so a regex that backtracks catastrophically on some form
would hang the process. Globs compile to atomic groups, which never
backtrack more than linearly, and need no limit.
"""

from __future__ import annotations

import re
import threading
import time
from array import array
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import regex

from kwiq import _core

WILDCARDS = "*?"
# Characters that make a query more than a phrase of literal tokens.
SPECIAL = frozenset("/\\" + WILDCARDS)
# White space as the tokenizer defines it (Unicode White_Space), not as
# str.isspace does: every such character lies below U+3001.
WHITE_SPACE = frozenset(c for c in map(chr, range(0x3001)) if c.isspace() and not _core.tokenize(c))


class QueryError(ValueError):
    """A query that cannot be run: it has no token, or it is malformed.

    ``position`` is the index in ``query`` where the problem was found.
    """

    def __init__(self, problem: str, query: str, position: int) -> None:
        super().__init__(f"{problem} at position {position} of query {query!r}")
        self.problem = problem
        self.query = query
        self.position = position

    def __reduce__(self) -> tuple[type[QueryError], tuple[str, str, int]]:
        # Unpickled from the arguments of __init__, not from the message
        # alone, so that a worker's QueryError reaches its parent whole.
        return (type(self), (self.problem, self.query, self.position))


@dataclass(frozen=True)
class Pattern:
    """One token pattern of a parsed query."""

    kind: str  # "literal", "glob", "any" or "regex"
    text: str  # the token, the glob, "*" or the regex source
    position: int  # where it starts in the query


def _is_space(char: str) -> bool:
    return char in WHITE_SPACE


# The most /regex/ patterns one query may hold (QueryError beyond): each is
# matched against the whole vocabulary, with a time limit of its own.
MAX_REGEXES = 64


def parse(query: str) -> list[Pattern]:
    """The token patterns of ``query``; QueryError if it is malformed,
    UnicodeEncodeError if it holds a lone surrogate."""
    if not query.isascii():
        _check_encodable(query)
    if SPECIAL.isdisjoint(query):
        patterns = [Pattern("literal", query[b:e], b) for b, e, _ in _core.tokenize(query)]
        if not patterns:
            raise QueryError("no token (give a word, a phrase, a glob or a /regex/)", query, 0)
        return patterns
    patterns = []
    i, n, regexes = 0, len(query), 0
    while i < n:
        if _is_space(query[i]):
            i += 1
        elif query[i] == "/":
            regexes += 1
            if regexes > MAX_REGEXES:
                raise QueryError(f"more than {MAX_REGEXES} /regex/ patterns in one query", query, i)
            pattern, i = _regex(query, i)
            patterns.append(pattern)
        else:
            chunk, i = _chunk(query, i)
            patterns.extend(chunk)
    if not patterns:
        raise QueryError("no token (give a word, a phrase, a glob or a /regex/)", query, 0)
    return patterns


def _check_encodable(query: str) -> None:
    try:
        query.encode("utf-8")
    except UnicodeEncodeError as error:
        raise UnicodeEncodeError(
            "utf-8",
            query,
            error.start,
            error.end,
            f"lone surrogate at position {error.start} of query {query!r}: not valid Unicode text",
        ) from None


def _regex(query: str, start: int) -> tuple[Pattern, int]:
    source: list[str] = []
    i = start + 1
    while i < len(query) and query[i] != "/":
        if query[i] == "\\" and query[i + 1 : i + 2] == "/":
            source.append("/")
            i += 2
        else:
            source.append(query[i])
            i += 1
    if i >= len(query):
        raise QueryError("unclosed '/'", query, start)
    if not source:
        raise QueryError("empty pattern '//'", query, start)
    if i + 1 < len(query) and not _is_space(query[i + 1]):
        raise QueryError("a /regex/ must be followed by white space", query, i + 1)
    text = "".join(source)
    compile_regex(re.compile, text, 0, query, start)
    return Pattern("regex", text, start), i + 1


def compile_regex(
    compile: Callable[..., Any], text: str, flags: int, query: str, position: int
) -> Any:
    """compile(text, flags), with every way a pattern can be refused (a
    repeat count too large, nesting too deep for the parser's recursion)
    raised as QueryError about ``query`` at ``position``."""
    try:
        return compile(text, flags)
    except (re.error, regex.error) as error:
        problem = getattr(error, "msg", None) or str(error)
    except OverflowError:
        problem = "a repeat count too large"
    except RecursionError:
        problem = "groups nested too deeply"
    raise QueryError(f"bad regex: {problem}", query, position)


def _chunk(query: str, start: int) -> tuple[list[Pattern], int]:
    """The patterns of the run of non-space characters at ``start``."""
    chars: list[str] = []
    origin: list[int] = []  # where each char of the chunk stands in the query
    escaped: set[int] = set()
    i = start
    while i < len(query) and not _is_space(query[i]):
        if query[i] == "\\":
            if i + 1 >= len(query) or _is_space(query[i + 1]):
                raise QueryError(
                    "a backslash must be followed by the character it escapes", query, i
                )
            escaped.add(len(chars))
            i += 1
        origin.append(i)
        chars.append(query[i])
        i += 1
    text = "".join(chars)

    def wild(token: tuple[int, int, bool]) -> bool:
        begin, end, _ = token
        return end - begin == 1 and text[begin] in WILDCARDS and begin not in escaped

    # Words and wildcards that touch form one glob; anything else is literal.
    patterns: list[Pattern] = []
    run: list[tuple[int, int, bool]] = []

    def flush() -> None:
        if any(wild(token) for token in run):
            glob = text[run[0][0] : run[-1][1]]
            kind = "any" if set(glob) == {"*"} else "glob"
            patterns.append(Pattern(kind, glob, origin[run[0][0]]))
        else:
            patterns.extend(Pattern("literal", text[b:e], origin[b]) for b, e, _ in run)
        run.clear()

    for token in _core.tokenize(text):
        gluable = token[2] or wild(token)
        # Two words touch only where one is a Han or kana character, a word
        # of its own: a glob never joins them.
        touches = run and run[-1][1] == token[0] and not (token[2] and run[-1][2])
        if run and not (gluable and touches):
            flush()
        if gluable:
            run.append(token)
        else:
            patterns.append(Pattern("literal", text[token[0] : token[1]], origin[token[0]]))
    if run:
        flush()
    return patterns, i


def glob_regex(glob: str, literal: Callable[[str], str] = regex.escape) -> regex.Pattern[str]:
    """A compiled regex that fully matches what the glob matches, each
    character but a wildcard matched as ``literal`` makes it (itself).

    Each piece of the glob between two ``*`` is matched at its first place
    after the previous one, in an atomic group that never goes back for a
    later place: a glob matches a form if and only if it matches so (the
    pieces have fixed lengths), and ``*a*a*a*b`` costs O(form * glob) on
    ``aaaa...``, not a power of the form's length."""

    def piece(text: str) -> str:
        return "".join("." if c == "?" else literal(c) for c in text)

    first, *middle, last = glob.split("*") if "*" in glob else (glob, None)
    if last is None:
        return regex.compile(piece(first), regex.DOTALL | regex.V0)
    parts = [piece(first)] + [f"(?>.*?{piece(p)})" for p in middle] + [f".*{piece(last)}"]
    return regex.compile("".join(parts), regex.DOTALL | regex.V0)


# Seconds that one regex may take against the vocabulary before the query
# fails with QueryError: MATCH_TIME_LIMIT, and MATCH_TIME_PER_FORM more for
# each form, so that a large vocabulary does not make every regex fail (the
# regex module's timeout costs some 3 us a form: regexes cost more than
# globs, which need none). Each form is matched with what is left of it as
# its timeout, so a runaway regex stops within the limit whatever the
# length of the form it runs away on.
MATCH_TIME_LIMIT = 5.0
MATCH_TIME_PER_FORM = 20e-6


def match_time_limit(n_forms: int) -> float:
    """The seconds a regex may take against n_forms forms."""
    return MATCH_TIME_LIMIT + MATCH_TIME_PER_FORM * n_forms


def regex_matches(
    pattern: Pattern, query: str, matches: Callable[..., Any], forms: list[str]
) -> list[int]:
    """The ids of the forms that ``matches`` fully, within match_time_limit
    seconds in all (QueryError about ``pattern`` of ``query`` otherwise,
    and when a match needs more memory than there is)."""
    limit = match_time_limit(len(forms))
    deadline = time.monotonic() + limit
    try:
        return [
            i
            for i, form in enumerate(forms)
            if matches(form, timeout=max(deadline - time.monotonic(), 1e-6))
        ]
    except TimeoutError:
        problem = f"took more than {limit:.3g} s"
    except MemoryError:
        problem = "needed more memory than there is"
    raise QueryError(
        f"regex {pattern.text!r} {problem} against the {len(forms):,} forms of "
        "the vocabulary (it backtracks too much; make it more specific)",
        query,
        pattern.position,
    )


# The caches of slots: a Vocabulary's (each glob or regex pattern, matching
# which reads the whole vocabulary) and an IndexView's (each recent query:
# parsing one costs more than finding a rare word). Each keeps at most
# SLOT_CACHE_SIZE entries and SLOT_CACHE_BYTES of them (slot_bytes), and
# forgets its oldest entries to take a new one past either; an entry larger
# than SLOT_CACHE_BYTES alone is not kept.
SLOT_CACHE_SIZE = 256
SLOT_CACHE_BYTES = 64 << 20


def slot_bytes(key_text: str, slots: list[tuple[Any, ...]]) -> int:
    """About the memory that caching ``slots`` under a key of ``key_text``
    holds: the key, the forms and id arrays, and some overhead a slot."""
    size = len(key_text)
    for slot in slots:
        size += 64 + sum(
            len(part) * part.itemsize
            if isinstance(part, array)
            else len(part)
            if isinstance(part, str)
            else 0
            for part in slot[1:]
        )
    return size


# A slot of kwiq._core.Index.match, as its docstring and stub (_Slot) say.
Slot = tuple[Any, ...]


class SlotCache:
    """Slots by key, bounded by count and bytes (SLOT_CACHE_SIZE,
    SLOT_CACHE_BYTES); threads may share one. ``get(key)``: the slots, or
    None (the dict's own get, as it is asked once a query)."""

    def __init__(self) -> None:
        self._values: dict[Any, Any] = {}
        self._sizes: dict[Any, int] = {}
        self._lock = threading.Lock()
        self.bytes = 0
        self.get = self._values.get

    def __len__(self) -> int:
        return len(self._values)

    def put(self, key: Any, value: Any, size: int) -> None:
        if size > SLOT_CACHE_BYTES:
            return
        with self._lock:
            if key in self._sizes:
                self._forget(key)
            while self._values and (
                len(self._values) >= SLOT_CACHE_SIZE or self.bytes + size > SLOT_CACHE_BYTES
            ):
                self._forget(next(iter(self._sizes)))
            self._sizes[key] = size
            self._values[key] = value
            self.bytes += size

    def _forget(self, key: Any) -> None:
        self.bytes -= self._sizes.pop(key)
        del self._values[key]


class Vocabulary:
    """The corpus's forms, fetched from the core once, for globs and regexes."""

    def __init__(self, index: _core.Index) -> None:
        self.surface, self.surface_is_word = index.vocabulary(False)
        self.folded, self.folded_is_word = index.vocabulary(True)
        self.group_of = array("I")
        self.group_of.frombytes(index.group_of())
        self._slots = SlotCache()
        self._chars_of_fold: dict[str, list[str]] | None = None

    def slot(self, pattern: Pattern, case: bool, query: str = "") -> Slot:
        """The slot that kwiq._core.Index.match takes for one pattern of
        ``query`` (named in errors)."""
        if pattern.kind == "literal":
            return (_core.SLOT_FORM, pattern.text)
        if pattern.kind == "any":
            return (_core.SLOT_ANY_WORD,)
        key = (pattern.kind, pattern.text, case)
        slot = self._slots.get(key)
        if slot is None:
            slot = self._match_vocabulary(pattern, case, query)
            self._slots.put(key, slot, slot_bytes(pattern.text, [slot]))
        return slot

    @staticmethod
    def _glob_matches(
        glob: str, forms: list[str], is_word: bytes, literal: Callable[[str], str] = regex.escape
    ) -> list[int]:
        """The ids of the word forms that ``glob`` matches (``literal`` as
        glob_regex takes it)."""
        matches = glob_regex(glob, literal).fullmatch
        return [i for i, form in enumerate(forms) if is_word[i] and matches(form)]

    def _any_case_of(self, char: str) -> str:
        """A regex of ``char`` and every character of the vocabulary that
        folds as it does ("s", "S" and "ſ"; "ß" and "ẞ"), made once."""
        if self._chars_of_fold is None:
            self._chars_of_fold = {}
            for known in sorted(set("".join(self.surface))):
                self._chars_of_fold.setdefault(_core.casefold(known), []).append(known)
        chars = set(self._chars_of_fold.get(_core.casefold(char), [])) | {char}
        return "(?:" + "|".join(regex.escape(c) for c in sorted(chars)) + ")"

    def _match_vocabulary(self, pattern: Pattern, case: bool, query: str) -> Slot:
        if pattern.kind == "glob":
            if case:
                return (
                    _core.SLOT_TYPES,
                    array(
                        "I", self._glob_matches(pattern.text, self.surface, self.surface_is_word)
                    ),
                )
            groups = self._glob_matches(
                _core.casefold(pattern.text), self.folded, self.folded_is_word
            )
            if "?" in pattern.text:
                # A "?" is one character as written, which may fold to more
                # ("İ" to "i̇", "ß" to "ss"): a form the glob matches as
                # written, each character in any case, finds its word too,
                # whatever the case of the query ("stra?e" finds "Straße").
                # (Without "?", folding keeps every match, character by
                # character.)
                exact = self._glob_matches(
                    pattern.text, self.surface, self.surface_is_word, self._any_case_of
                )
                groups = sorted(set(groups).union(self.group_of[t] for t in exact))
            return (_core.SLOT_GROUPS, array("I", groups))
        flags = regex.V0 | (0 if case else regex.IGNORECASE)
        matches = compile_regex(
            regex.compile, pattern.text, flags, query, pattern.position
        ).fullmatch
        types = regex_matches(pattern, query, matches, self.surface)
        if case:
            return (_core.SLOT_TYPES, array("I", types))
        # Without case, a regex that matches any form of a word finds all of them.
        return (_core.SLOT_GROUPS, array("I", sorted({self.group_of[t] for t in types})))
