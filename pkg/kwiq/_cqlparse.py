"""The parser of CQL, the query language of CWB/CQP (kwiq._cql compiles
what it makes).

The grammar and its meaning are CQP's, as the CQL section of the README
gives them. Parsing makes a tree of tuples:

- ``("token", cond)``: one token, ``cond`` None for ``[]``, else a tree of
  ``("test", attr, pattern, flags, negated, position)``, ``("and",
  operands)``, ``("or", operands)`` and ``("not", operand)``;
- ``("open", structure)``, ``("close", structure, paired)``: the anchors;
- ``("seq", parts)``, ``("alt", options)``, ``("repeat", part, low, high)``
  (high None: no bound).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, NoReturn

from kwiq._query import QueryError

FLAGS = "cdl"
# Groups, and parentheses and negations in a constraint, nest at most this
# deep (the parser recurses, and the core's stack of bits is 64 deep).
MAX_DEPTH = 60
# A bound written in {n,m} beyond this is refused before it is expanded.
MAX_REPEAT = 10_000

NAME_START = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ_"
NAME_CHARS = NAME_START + "0123456789-"
OPERATORS = "[](){}|&!=?*+,"

# A node of the parsed query, which kwiq._cql compiles: a tuple whose first
# item names its kind ("seq", "alt", "repeat", "token", "open", "close",
# "test", "and", "or", "not").
Node = tuple[Any, ...]


@dataclass(frozen=True)
class Lexeme:
    kind: str  # "string", "flags", "open", "close", "int", "name", "op", "end"
    text: str  # a string's pattern, flags' letters, a tag's or a name's name
    position: int


def lex(query: str) -> list[Lexeme]:
    """The lexemes of ``query``, ending with an "end" lexeme."""
    out: list[Lexeme] = []
    i, n = 0, len(query)

    def name_end(j: int) -> int:
        if j < n and query[j] in NAME_START:
            j += 1
            while j < n and query[j] in NAME_CHARS:
                j += 1
        return j

    while i < n:
        c = query[i]
        if c.isspace():
            i += 1
        elif c in "\"'":
            pattern, end = _string(query, i)
            out.append(Lexeme("string", pattern, i))
            i = end
        elif c == "%":
            j = i + 1
            while j < n and query[j].isascii() and query[j].isalpha():
                j += 1
            if j == i + 1:
                raise QueryError("a % must be followed by flags (c, d, l)", query, i)
            out.append(Lexeme("flags", query[i + 1 : j], i))
            i = j
        elif c == "<":
            closing = query[i + 1 : i + 2] == "/"
            start = i + 1 + closing
            end = name_end(start)
            if end == start or query[end : end + 1] != ">":
                raise QueryError("expected <name> or </name>", query, i)
            out.append(Lexeme("close" if closing else "open", query[start:end], i))
            i = end + 1
        elif c.isascii() and c.isdigit():
            j = i
            while j < n and query[j].isascii() and query[j].isdigit():
                j += 1
            out.append(Lexeme("int", query[i:j], i))
            i = j
        elif c in NAME_START:
            j = name_end(i)
            out.append(Lexeme("name", query[i:j], i))
            i = j
        elif query.startswith("!=", i):
            out.append(Lexeme("op", "!=", i))
            i += 2
        elif c in OPERATORS:
            out.append(Lexeme("op", c, i))
            i += 1
        else:
            raise QueryError(f"unexpected character {c!r}", query, i)
    out.append(Lexeme("end", "", n))
    return out


def _string(query: str, start: int) -> tuple[str, int]:
    """The pattern of the quoted string at ``start`` and where it ends: a
    doubled quote is one quote; a backslash keeps the next character from
    ending the string and stays in the pattern, as in CQP."""
    quote = query[start]
    chars: list[str] = []
    i = start + 1
    while i < len(query):
        c = query[i]
        if c in "\r\n":
            break
        if c == "\\" and i + 1 < len(query) and query[i + 1] not in "\r\n":
            chars.append(query[i : i + 2])
            i += 2
        elif c == quote:
            if query[i + 1 : i + 2] != quote:
                return "".join(chars), i + 1
            chars.append(quote)
            i += 2
        else:
            chars.append(c)
            i += 1
    raise QueryError("unterminated string", query, start)


class Parser:
    """Recursive descent over the lexemes of one query (see the grammar in
    the README); ``attrs`` and ``structures`` are the corpus's names."""

    def __init__(self, query: str, attrs: list[str], structures: list[str]) -> None:
        self.query = query
        self.attrs = attrs
        self.structures = structures
        self.lexemes = lex(query)
        self.at = 0
        self.depth = 0
        self.opened: set[str] = set()

    def fail(self, problem: str, position: int | None = None) -> NoReturn:
        raise QueryError(
            problem, self.query, self.lexemes[self.at].position if position is None else position
        )

    def next(self) -> Lexeme:
        return self.lexemes[self.at]

    def is_op(self, text: str) -> bool:
        lexeme = self.next()
        return lexeme.kind == "op" and lexeme.text == text

    def skip_op(self, text: str) -> bool:
        if self.is_op(text):
            self.at += 1
            return True
        return False

    def expect_op(self, text: str) -> None:
        if not self.skip_op(text):
            self.fail(f"expected {text!r}, found {self.shown()}")

    def shown(self) -> str:
        lexeme = self.next()
        return "the end" if lexeme.kind == "end" else repr(self.query[lexeme.position :][:20])

    def parse(self) -> tuple[Node, str | None]:
        """(body, the structure of ``within`` or None)."""
        body = self.alternatives()
        within = None
        lexeme = self.next()
        if lexeme.kind == "name" and lexeme.text == "within":
            self.at += 1
            name = self.next()
            if name.kind != "name":
                self.fail(f"expected a structure after within, found {self.shown()}")
            within = self.structure(name.text, name.position)
            self.at += 1
        if self.next().kind != "end":
            self.fail(f"unexpected {self.shown()}")
        return body, within

    def structure(self, name: str, position: int) -> str:
        if name not in self.structures:
            self.fail(
                f"unknown structure {name!r} (this corpus has {', '.join(self.structures)})",
                position,
            )
        return name

    def alternatives(self) -> Node:
        options = [self.sequence()]
        while self.skip_op("|"):
            options.append(self.sequence())
        return options[0] if len(options) == 1 else ("alt", options)

    def sequence(self) -> Node:
        parts = []
        while self.next().kind in ("string", "open", "close") or self.is_op("(") or self.is_op("["):
            parts.append(self.quantified())
        if not parts:
            self.fail(f"expected a token, a group or an anchor, found {self.shown()}")
        return parts[0] if len(parts) == 1 else ("seq", parts)

    def quantified(self) -> Node:
        part = self.primary()
        lexeme = self.next()
        if lexeme.kind != "op" or lexeme.text not in "?*+{":
            return part
        self.at += 1
        if lexeme.text != "{":
            return ("repeat", part, int(lexeme.text == "+"), 1 if lexeme.text == "?" else None)
        low = self.number()
        if low is not None and self.skip_op("}"):
            return ("repeat", part, low, low)
        self.expect_op(",")
        high = self.number()
        self.expect_op("}")
        if low is None and high is None:
            self.fail("{,} needs a bound", lexeme.position)
        if low is not None and high is not None and low > high:
            self.fail(f"{{{low},{high}}}: the minimum exceeds the maximum", lexeme.position)
        return ("repeat", part, low or 0, high)

    def number(self) -> int | None:
        lexeme = self.next()
        if lexeme.kind != "int":
            return None
        if len(lexeme.text) > 6 or int(lexeme.text) > MAX_REPEAT:
            self.fail(f"a repeat count above {MAX_REPEAT:,}")
        self.at += 1
        return int(lexeme.text)

    def primary(self) -> Node:
        lexeme = self.next()
        if lexeme.kind in ("open", "close"):
            self.at += 1
            name = self.structure(lexeme.text, lexeme.position)
            if lexeme.kind == "open":
                self.opened.add(name)
                return ("open", name)
            return ("close", name, name in self.opened)
        if lexeme.kind == "string":
            return ("token", self.test("word", False))
        if self.is_op("("):
            self.deeper()
            self.at += 1
            inner = self.alternatives()
            self.expect_op(")")
            self.depth -= 1
            return inner
        self.expect_op("[")
        if self.skip_op("]"):
            return ("token", None)
        cond = self.disjunction()
        self.expect_op("]")
        return ("token", cond)

    def deeper(self) -> None:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            self.fail(f"groups, parentheses or negations nested more than {MAX_DEPTH} deep")

    def disjunction(self) -> Node:
        operands = [self.conjunction()]
        while self.skip_op("|"):
            operands.append(self.conjunction())
        return operands[0] if len(operands) == 1 else ("or", operands)

    def conjunction(self) -> Node:
        operands = [self.negation()]
        while self.skip_op("&"):
            operands.append(self.negation())
        return operands[0] if len(operands) == 1 else ("and", operands)

    def negation(self) -> Node:
        if self.is_op("!") or self.is_op("("):
            self.deeper()
            if self.skip_op("!"):
                cond = ("not", self.negation())
            else:
                self.at += 1
                cond = self.disjunction()
                self.expect_op(")")
            self.depth -= 1
            return cond
        lexeme = self.next()
        if lexeme.kind != "name":
            self.fail(f"expected an attribute, found {self.shown()}")
        if lexeme.text not in self.attrs:
            self.fail(
                f"unknown attribute {lexeme.text!r} (this corpus has {', '.join(self.attrs)})"
            )
        self.at += 1
        if self.skip_op("="):
            return self.test(lexeme.text, False)
        if self.skip_op("!="):
            return self.test(lexeme.text, True)
        self.fail(f"expected = or != after {lexeme.text!r}, found {self.shown()}")

    def test(self, attr: str, negated: bool) -> Node:
        lexeme = self.next()
        if lexeme.kind != "string":
            self.fail(f"expected a quoted string, found {self.shown()}")
        self.at += 1
        flags = ""
        if self.next().kind == "flags":
            flags = self.next().text
            unknown = sorted(set(flags) - set(FLAGS))
            if unknown:
                self.fail(f"unknown flag %{unknown[0]} (the flags are %c, %d and %l)")
            self.at += 1
        return ("test", attr, lexeme.text, flags, negated, lexeme.position)


def parse(query: str, attrs: list[str], structures: list[str]) -> tuple[Node, str | None]:
    """(body, within) of ``query``; QueryError naming the problem and its
    position, or an unknown attribute or structure and the corpus's."""
    if not query.isascii():
        try:
            query.encode("utf-8")
        except UnicodeEncodeError as error:
            raise QueryError(
                "a lone surrogate: not valid Unicode text", query, error.start
            ) from None
    return Parser(query, attrs, structures).parse()
