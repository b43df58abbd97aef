"""A brute-force evaluator of CQL, the query language of CWB/CQP, on CoNLL-U.

This is the oracle that kwiq's CQL engine (issue 11) is checked against: it
is written for obvious correctness, not speed, and does not import kwiq. The
rules below are the specification; the C implementation follows them.

Corpus (``read_conllu``)
    A document starts at each ``# newdoc`` line (its ``id =`` value, if any,
    is the document's id); the sentences before the first ``# newdoc`` (all
    of them in a file without one) form a document without id. A sentence is
    a block of lines ended by a blank line; its tokens are the rows whose ID
    is an integer (syntactic words: the words of a multiword token such as
    ``4-5 zum`` = ``zu`` + ``dem`` are two tokens, the range row none; empty
    nodes such as ``8.1`` are left out). Each token has the attributes
    ``word`` (FORM), ``lemma``, ``upos``, ``xpos``, ``feats``, ``deprel``
    and ``head``. A column that is exactly ``_`` is the empty string, except
    FORM, which UD never leaves unspecified (a FORM ``_`` is an underscore),
    and LEMMA when FORM is ``_`` too (an underscore token's lemma is itself).
    Structures: ``s`` = each sentence; ``p`` = a paragraph, which starts at
    the document's first sentence and at each sentence with a ``# newpar``
    comment and runs to the next paragraph start (so a document without
    ``# newpar``, like UD German-GSD, is one paragraph); ``text`` = the
    document. Each structure's regions partition the document's tokens.
    Malformed input (a token row without 10 columns, an ID that is neither
    an integer, a range nor an empty node, a last sentence without its
    closing blank line) raises ValueError naming the line.

Query (``parse``)
    query  := alt ["within" NAME]          NAME: a structure (s, p, text)
    alt    := seq ("|" seq)*               also at the top level, as in CQP
    seq    := factor factor*
    factor := primary [quant]              one quantifier at most
    quant  := "?" | "*" | "+" | "{" n "}" | "{" n "," [m] "}" | "{" "," m "}"
    primary:= "(" alt ")" | "[" "]" | "[" bool "]" | STRING [FLAGS]
            | "<" NAME ">" | "</" NAME ">"
    bool   := and ("|" and)*               "&" binds tighter than "|",
    and    := unary ("&" unary)*           "!" tighter than both (as CQP's
    unary  := "!" unary | "(" bool ")"     precedence declarations)
            | ATTR ("=" | "!=") STRING [FLAGS]
    A bare STRING is ``[word=STRING]``; ``[]`` is any token. STRING is
    written in double or single quotes; inside, a doubled quote stands for
    one, and a backslash keeps the next character (the quote included) from
    ending the string but stays in it, as CQP's lexer does: ``"\\""`` is
    the regex ``\\"``, which matches ``"``. FLAGS is ``%`` and any of
    ``c``, ``d``, ``l``. Whitespace separates tokens anywhere; anchors are
    written without inner spaces. A malformed query, an unknown attribute,
    structure or flag, an invalid regex, ``{n,m}`` with n > m: CQLError (a
    ValueError) with the 0-based character position.

Token constraints
    ``[a="s"]`` holds when the regex s matches the whole value of attribute
    a (``regex`` package, V0 mode, ``fullmatch``); ``!=`` is its negation,
    as are ``!``, ``&`` and ``|`` the Boolean operators. ``%l``: s is a
    literal string, compared for equality. ``%c``: case-insensitive, by full
    case folding: a regex is compiled with ``IGNORECASE | FULLCASE`` and
    matched against the value as written ("ß" matches "SS", and "." or a
    class matches one character as written); a ``%l`` literal compares the
    ``str.casefold()`` of both. ``%d``: diacritics ignored: the value and the
    pattern's text are decomposed (NFD), stripped of every character with a
    nonzero canonical combining class and recomposed (NFC) before matching
    ("Munchen" finds "München"; "ø" and "ł" have no decomposition and stay).
    Flags combine: with ``%cd`` both apply (diacritics first); ``%l`` with
    ``%c`` or ``%d`` compares the folded literals.

Matches
    Positions are gaps between tokens, 0..n in a document of n tokens; a
    match runs from gap ``start`` to gap ``end`` and is the hit
    ``(doc, start, end)`` (token positions within the document, end
    exclusive). A token constraint consumes one token; a sequence, an
    alternative and a quantifier mean what they do in regular expressions
    (``{n,}`` = at least n, ``{,m}`` = at most m, ``*`` = ``{0,}``, ``+`` =
    ``{1,}``, ``?`` = ``{0,1}``; a quantified part that matches the empty
    string repeats harmlessly). Every token counts, punctuation included.
    Anchors are zero-width and each looks at one token: ``<X>`` holds at gap
    p when token p is the first of an X region, ``</X>`` when token p-1 is
    the last of one. A match never looks outside its document: ``</X>`` is
    false at gap 0 and ``<X>`` at gap n.

    Bounds. The match from ``start`` may not consume, nor look at with
    ``<X>``, a token at or after its limit: the document's end, or with
    ``within X`` the end of the X region holding token ``start`` (so the
    whole match lies in that region, but a leading ``</X>`` may look back
    across its start, as in CQP, whose ``within`` bounds only the right
    side). Anchors pair up as under CQP's StrictRegions option (on by
    default): a ``</X>`` is *paired* when some ``<X>`` precedes it in the
    query text, and X is then *strict*. For a strict X, each ``<X>`` the
    match passes records the region it opens, and until a paired ``</X>``
    closes exactly that region (which it must: a paired ``</X>`` holds only
    there, and clears the record) the match may not go beyond it either. So
    ``<s> []+ </s>`` finds whole sentences, not runs of them. An unpaired
    ``</X>`` is a plain assertion.

    Hits. A match of no tokens (``end == start``) is never a hit. Of all
    matching spans, strategy ``"longest"`` (the default) keeps those not
    strictly contained in another matching span (same document, start' <=
    start, end' >= end, not equal); ``"shortest"`` keeps those that
    strictly contain no other; ``"all"`` keeps every one. Hits are sorted.

Differences from CQP (as CWB 3.5's source reads), and why
    - CQP's default strategy is ``standard``: per start the shortest match,
      then of the matches that end together only the one that starts
      first. kwiq's default is ``longest``, as issue 11 asks, and there is
      no ``standard`` or ``traditional``. CQP's ``longest`` and
      ``shortest`` (the longest or shortest match per start, then dropping
      matches that lie in, or contain, another) are the definitions above.
    - A query that can match no token (``"a"?``, ``<s>``) is an error in
      CQP; here its empty matches are dropped and the others kept.
    - CQP's corpus is one token stream: without ``within`` a match may cross
      texts and anchors see the neighbouring text; here a match stays in
      its document. CQP also caps a match without ``within`` at its
      HardBoundary option (a number of tokens); there is no cap here.
    - ``%c``: CQP uses PCRE's caseless matching (simple, one-to-one case
      folding: "ß" does not match "SS"); here full case folding, as kwiq's
      plain queries. ``%d``: CQP folds accents by its own per-encoding
      rules (its Latin-1 table even turns "ß" into "s"); here only the NFD
      rule above.
    - ``%l`` with ``%c`` or ``%d``: CQP ignores ``%c``/``%d`` (with a
      warning); here they apply. An unknown flag, which CQP ignores with a
      warning, is an error here.
    - Regexes are the ``regex`` module's, not PCRE2's. Both treat ``\\w``,
      ``\\d``, ``\\b`` by Unicode (CQP sets PCRE2_UCP); constructs only one
      side knows (possessive quantifiers, ``\\Q...\\E``, named classes)
      behave as that engine defines them. CQP's LaTeX escapes (``\\"a`` for
      "ä") are not interpreted.
    - Quantifying a zero-width part (``(<s>)*``) aborts a CQP query
      ("infinite loop detected"); here it matches as the definitions say.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

import regex

ATTRIBUTES = ("word", "lemma", "upos", "xpos", "feats", "deprel", "head")
STRUCTURES = ("s", "p", "text")
STRATEGIES = ("longest", "shortest", "all")

# ---------------------------------------------------------------- corpus


@dataclass
class Doc:
    """One document: its tokens (attribute name -> value) and, per
    structure, its regions as (start, end) token ranges in order."""

    id: str | None
    tokens: list[dict[str, str]] = field(default_factory=list)
    regions: dict[str, list[tuple[int, int]]] = field(default_factory=dict)
    sent_ids: list[str | None] = field(default_factory=list)


def _token(columns: list[str]) -> dict[str, str]:
    _, form, lemma, upos, xpos, feats, head, deprel, _, _ = columns

    def value(column: str) -> str:
        return "" if column == "_" else column

    return {
        "word": form,
        "lemma": lemma if form == "_" else value(lemma),
        "upos": value(upos),
        "xpos": value(xpos),
        "feats": value(feats),
        "deprel": value(deprel),
        "head": value(head),
    }


def read_conllu(path) -> list[Doc]:
    """The documents of a CoNLL-U file (see the module docstring)."""
    docs: list[Doc] = []
    sentence: list[dict[str, str]] = []
    sent_id = None
    new_par = False

    def end_sentence():
        if not docs:
            docs.append(Doc(None))
        doc = docs[-1]
        start = len(doc.tokens)
        doc.tokens.extend(sentence)
        doc.regions.setdefault("s", []).append((start, len(doc.tokens)))
        paragraphs = doc.regions.setdefault("p", [])
        if new_par or not paragraphs:
            paragraphs.append((start, len(doc.tokens)))
        else:
            paragraphs[-1] = (paragraphs[-1][0], len(doc.tokens))
        doc.regions["text"] = [(0, len(doc.tokens))]
        doc.sent_ids.append(sent_id)

    with open(path, encoding="utf-8") as lines:
        for number, line in enumerate(lines, 1):
            line = line.rstrip("\r\n")
            if line.startswith("#"):
                if re.match(r"# newdoc\b", line):
                    docs.append(Doc(line.split("=", 1)[1].strip() if "=" in line else None))
                elif re.match(r"# newpar\b", line):
                    new_par = True
                elif re.match(r"# sent_id\s*=", line):
                    sent_id = line.split("=", 1)[1].strip()
            elif line == "":
                if sentence:
                    end_sentence()
                sentence, sent_id, new_par = [], None, False
            else:
                columns = line.split("\t")
                if len(columns) != 10:
                    raise ValueError(f"{path}:{number}: {len(columns)} columns, not 10")
                if re.fullmatch(r"[1-9][0-9]*", columns[0]):
                    sentence.append(_token(columns))
                elif not re.fullmatch(r"[1-9][0-9]*-[1-9][0-9]*|[0-9]+\.[1-9][0-9]*", columns[0]):
                    raise ValueError(f"{path}:{number}: bad ID {columns[0]!r}")
    if sentence:
        raise ValueError(f"{path}: the last sentence has no closing blank line")
    return docs


# ---------------------------------------------------------------- query AST


class CQLError(ValueError):
    """A malformed query; ``position`` is the 0-based character offset."""

    def __init__(self, message: str, query: str, position: int):
        super().__init__(f"{message} at position {position}: {query!r}")
        self.position = position


def strip_diacritics(text: str) -> str:
    """%d's folding: NFD, without combining characters, recomposed."""
    decomposed = unicodedata.normalize("NFD", text)
    return unicodedata.normalize(
        "NFC", "".join(c for c in decomposed if not unicodedata.combining(c))
    )


@dataclass(eq=False)
class ValueTest:
    """``attr = "pattern"`` (or ``!=``) with its flags."""

    attr: str
    pattern: str
    flags: str
    negated: bool

    def __post_init__(self):
        self._memo: dict[str, bool] = {}
        fold_diacritics = strip_diacritics if "d" in self.flags else (lambda s: s)
        if "l" in self.flags:
            fold_case = str.casefold if "c" in self.flags else (lambda s: s)
            literal = fold_case(fold_diacritics(self.pattern))
            self._matches = lambda value: fold_case(fold_diacritics(value)) == literal
        else:
            compiled = regex.compile(
                fold_diacritics(self.pattern),
                regex.V0 | (regex.IGNORECASE | regex.FULLCASE if "c" in self.flags else 0),
            )
            self._matches = lambda value: compiled.fullmatch(fold_diacritics(value)) is not None

    def holds(self, token: dict[str, str]) -> bool:
        value = token[self.attr]
        if value not in self._memo:
            self._memo[value] = self._matches(value) != self.negated
        return self._memo[value]


@dataclass(eq=False)
class Not:
    operand: object

    def holds(self, token):
        return not self.operand.holds(token)


@dataclass(eq=False)
class And:
    left: object
    right: object

    def holds(self, token):
        return self.left.holds(token) and self.right.holds(token)


@dataclass(eq=False)
class Or:
    left: object
    right: object

    def holds(self, token):
        return self.left.holds(token) or self.right.holds(token)


@dataclass(eq=False)
class Token:
    """One token; ``constraint`` None is ``[]``."""

    constraint: object | None

    def accepts(self, token: dict[str, str]) -> bool:
        return self.constraint is None or self.constraint.holds(token)


@dataclass(eq=False)
class Anchor:
    """``<structure>`` or ``</structure>``; a paired one closes what an
    earlier ``<structure>`` of the query opened (see "Bounds" above)."""

    structure: str
    closing: bool
    paired: bool = False


@dataclass(eq=False)
class Seq:
    items: list


@dataclass(eq=False)
class Alt:
    options: list


@dataclass(eq=False)
class Repeat:
    item: object
    min: int
    max: int | None


@dataclass(eq=False)
class Query:
    """The parsed query; ``strict`` names the structures with a paired
    ``</X>``, sorted."""

    body: object
    within: str | None
    strict: tuple[str, ...]


# ---------------------------------------------------------------- parser

_LEXEME = re.compile(
    r"""
    (?P<space>\s+)
  | (?P<string>"(?:\\[^\r\n]|""|[^"\\\r\n])*"|'(?:\\[^\r\n]|''|[^'\\\r\n])*')
  | (?P<flags>%[A-Za-z]+)
  | (?P<tag></?[A-Za-z_][A-Za-z0-9_-]*>)
  | (?P<int>[0-9]+)
  | (?P<name>[A-Za-z_][A-Za-z0-9_-]*)
  | (?P<op>!=|[][(){}|&!=?*+,])
""",
    re.VERBOSE,
)


def _lex(query: str) -> list[tuple[str, str, int]]:
    lexemes, position = [], 0
    while position < len(query):
        match = _LEXEME.match(query, position)
        if match is None:
            what = (
                "unterminated string"
                if query[position] in "\"'"
                else f"unexpected character {query[position]!r}"
            )
            raise CQLError(what, query, position)
        if match.lastgroup != "space":
            lexemes.append((match.lastgroup, match.group(), position))
        position = match.end()
    lexemes.append(("end", "", len(query)))
    return lexemes


class _Parser:
    def __init__(self, query: str, attributes, structures):
        self.query, self.attributes, self.structures = query, attributes, structures
        self.lexemes = _lex(query)
        self.at = 0
        self.opened: set[str] = set()
        self.strict: set[str] = set()

    def error(self, message: str, position: int | None = None):
        raise CQLError(
            message, self.query, self.lexemes[self.at][2] if position is None else position
        )

    def peek(self) -> tuple[str, str, int]:
        return self.lexemes[self.at]

    def take(self, text: str | None = None, kind: str | None = None):
        lexeme = self.peek()
        if (text is not None and lexeme[1] != text) or (kind is not None and lexeme[0] != kind):
            self.error(f"expected {text or kind}, found {lexeme[1] or 'the end'!r}")
        self.at += 1
        return lexeme

    def accept(self, text: str) -> bool:
        if self.peek()[:2] == ("op", text):
            self.at += 1
            return True
        return False

    def query_(self) -> Query:
        body = self.alt()
        within = None
        if self.peek()[:2] == ("name", "within"):
            self.at += 1
            kind, name, position = self.take(kind="name")
            within = self.structure(name, position)
        if self.peek()[0] != "end":
            self.error(f"unexpected {self.peek()[1]!r}")
        return Query(body, within, tuple(sorted(self.strict)))

    def structure(self, name: str, position: int) -> str:
        if name not in self.structures:
            self.error(
                f"unknown structure {name!r} (known: {', '.join(self.structures)})", position
            )
        return name

    def alt(self):
        options = [self.seq()]
        while self.accept("|"):
            options.append(self.seq())
        return options[0] if len(options) == 1 else Alt(options)

    def seq(self):
        items = []
        while self.starts_primary():
            items.append(self.factor())
        if not items:
            self.error(f"expected a token, group or anchor, found {self.peek()[1] or 'the end'!r}")
        return items[0] if len(items) == 1 else Seq(items)

    def starts_primary(self) -> bool:
        kind, text, _ = self.peek()
        return kind in ("string", "tag") or (kind == "op" and text in "([")

    def factor(self):
        item = self.primary()
        kind, text, position = self.peek()
        if kind != "op" or text not in "?*+{":
            return item
        self.at += 1
        if text in "?*+":
            return Repeat(item, 0 if text != "+" else 1, 1 if text == "?" else None)
        low = int(self.take(kind="int")[1]) if self.peek()[0] == "int" else None
        if self.accept("}"):
            if low is None:
                self.error("expected a number")
            return Repeat(item, low, low)
        self.take(",")
        high = int(self.take(kind="int")[1]) if self.peek()[0] == "int" else None
        self.take("}")
        if low is None and high is None:
            self.error("{,} needs a bound", position)
        if low is not None and high is not None and low > high:
            self.error(f"{{{low},{high}}}: the minimum exceeds the maximum", position)
        return Repeat(item, low or 0, high)

    def primary(self):
        kind, text, position = self.peek()
        if kind == "tag":
            self.at += 1
            closing = text.startswith("</")
            name = self.structure(text.strip("</>"), position)
            if not closing:
                self.opened.add(name)
                return Anchor(name, False)
            paired = name in self.opened
            if paired:
                self.strict.add(name)
            return Anchor(name, True, paired)
        if kind == "string":
            return Token(self.test("word", False))
        if self.accept("("):
            inner = self.alt()
            self.take(")")
            return inner
        self.take("[")
        if self.accept("]"):
            return Token(None)
        constraint = self.bool_()
        self.take("]")
        return Token(constraint)

    def bool_(self):
        left = self.and_()
        while self.accept("|"):
            left = Or(left, self.and_())
        return left

    def and_(self):
        left = self.unary()
        while self.accept("&"):
            left = And(left, self.unary())
        return left

    def unary(self):
        if self.accept("!"):
            return Not(self.unary())
        if self.accept("("):
            inner = self.bool_()
            self.take(")")
            return inner
        kind, name, position = self.take(kind="name")
        if name not in self.attributes:
            self.error(
                f"unknown attribute {name!r} (known: {', '.join(self.attributes)})", position
            )
        if self.peek()[:2] not in (("op", "="), ("op", "!=")):
            self.error(f"expected = or != after {name!r}")
        return self.test(name, self.take()[1] == "!=")

    def test(self, attr: str, negated: bool) -> ValueTest:
        kind, text, position = self.take(kind="string")
        quote = text[0]
        pattern = text[1:-1].replace(quote + quote, quote)
        flags = ""
        if self.peek()[0] == "flags":
            _, percent_flags, flags_position = self.take()
            flags = percent_flags[1:]
            unknown = set(flags) - set("cdl")
            if unknown:
                self.error(
                    f"unknown flag %{sorted(unknown)[0]} (known: %c, %d, %l)", flags_position
                )
        try:
            return ValueTest(attr, pattern, flags, negated)
        except regex.error as error:
            self.error(f"bad regex {pattern!r}: {error}", position)


def parse(query: str, attributes=ATTRIBUTES, structures=STRUCTURES) -> Query:
    """The AST of ``query`` (grammar in the module docstring)."""
    return _Parser(query, attributes, structures).query_()


# ---------------------------------------------------------------- evaluation


def first_tokens(node) -> tuple[list[Token], bool]:
    """The Token nodes that can consume the first token of a match of
    ``node``, and whether ``node`` can match without consuming any."""
    if isinstance(node, Token):
        return [node], False
    if isinstance(node, Anchor):
        return [], True
    if isinstance(node, Repeat):
        tokens, empty = first_tokens(node.item)
        return (tokens if node.max != 0 else []), empty or node.min == 0
    if isinstance(node, Alt):
        options = [first_tokens(option) for option in node.options]
        return [t for tokens, _ in options for t in tokens], any(e for _, e in options)
    tokens = []
    for item in node.items:
        item_tokens, empty = first_tokens(item)
        tokens += item_tokens
        if not empty:
            return tokens, False
    return tokens, True


class _Matcher:
    """Every end of every match in one document. A state is a gap and, per
    strict structure, the end of the region its last ``<X>`` recorded
    (None for none); ``ends`` maps (node, state, limit) to the set of states
    the node can end in, remembered because starts share them."""

    def __init__(self, doc: Doc, query: Query):
        self.doc, self.query = doc, query
        # Per structure, the end of the region that starts at each gap.
        self.starts = {x: dict(doc.regions.get(x, ())) for x in STRUCTURES}
        self.region_ends = {x: {end for _, end in doc.regions.get(x, ())} for x in STRUCTURES}
        # The limit of a match from each start: its document's or within-region's end.
        self.limits = [len(doc.tokens)] * len(doc.tokens)
        for first, end in doc.regions.get(query.within, ()):
            self.limits[first:end] = [end] * (end - first)
        self.first = first_tokens(query.body)[0]
        self.memo: dict = {}

    def match_ends(self, start: int) -> set[int]:
        # A match consumes token `start` first, by one of the query's first tokens.
        if not any(node.accepts(self.doc.tokens[start]) for node in self.first):
            return set()
        limit = self.limits[start]
        begin = (start, (None,) * len(self.query.strict))
        return {gap for gap, _ in self.ends(self.query.body, begin, limit)}

    def ends(self, node, state, limit):
        if isinstance(node, Token):
            gap, recorded = state
            if gap < self.reach(recorded, limit) and node.accepts(self.doc.tokens[gap]):
                return ((gap + 1, recorded),)
            return ()
        if isinstance(node, Anchor):
            return self.anchor(node, state, limit)
        key = (node, state, limit)
        if key not in self.memo:
            self.memo[key] = frozenset(self.compute(node, state, limit))
        return self.memo[key]

    def compute(self, node, state, limit):
        if isinstance(node, Seq):
            states = {state}
            for item in node.items:
                if not states:
                    break
                states = {after for before in states for after in self.ends(item, before, limit)}
            return states
        if isinstance(node, Alt):
            return {after for option in node.options for after in self.ends(option, state, limit)}
        return self.repeat(node, state, limit)

    @staticmethod
    def reach(recorded, limit) -> int:
        """The end of what a match may consume or look at with <X>: the
        limit, or a region that a strict <X> opened."""
        return min([limit] + [end for end in recorded if end is not None]) if recorded else limit

    def anchor(self, node: Anchor, state, limit):
        gap, recorded = state
        strict = self.query.strict
        slot = strict.index(node.structure) if node.structure in strict else None
        if not node.closing:
            # <X> looks at token `gap`, which must lie within reach.
            end = self.starts[node.structure].get(gap)
            if gap >= self.reach(recorded, limit) or end is None:
                return ()
            if slot is not None:
                recorded = recorded[:slot] + (end,) + recorded[slot + 1 :]
            return ((gap, recorded),)
        # </X> looks at token gap-1, always within reach (gap <= reach).
        if node.paired:
            if recorded[slot] != gap:
                return ()
            return ((gap, recorded[:slot] + (None,) + recorded[slot + 1 :]),)
        return ((gap, recorded),) if gap > 0 and gap in self.region_ends[node.structure] else ()

    def repeat(self, node: Repeat, state, limit):
        def step(states):
            return {after for before in states for after in self.ends(node.item, before, limit)}

        level = {state}
        for _ in range(node.min):
            # A level that repeats itself (zero-width repetitions) stays so.
            following = step(level)
            if following == level:
                break
            level = following
        if node.max is None:
            # Everything reachable from the minimum by further repetitions.
            reached, frontier = set(level), level
            while frontier:
                frontier = step(frontier) - reached
                reached |= frontier
            return reached
        reached = set(level)
        for _ in range(node.max - node.min):
            following = step(level)
            if following == level:
                break
            level = following
            reached |= level
        return reached


def _known(strategy: str) -> str:
    if strategy not in STRATEGIES:
        raise ValueError(f"unknown strategy {strategy!r} (known: {', '.join(STRATEGIES)})")
    return strategy


def select(hits, strategy: str) -> list[tuple[int, int, int]]:
    """The hits that ``strategy`` keeps of all matching spans ``hits``.

    Longest: of one start's spans only the longest can be uncontained, and
    (s, e) lies strictly inside another span exactly when an earlier start
    has a span reaching e or beyond. Shortest: of one start's spans only the
    shortest can contain no other, and (s, e) strictly contains another
    exactly when a later start has a span ending at e or before."""
    hits = sorted(dict.fromkeys(hits))
    if _known(strategy) == "all":
        return hits
    by_start: dict[tuple[int, int], list[int]] = {}
    for doc, start, end in hits:
        by_start.setdefault((doc, start), []).append(end)
    kept = []
    if strategy == "longest":
        furthest: dict[int, int] = {}  # per document, the furthest end of an earlier start
        for (doc, start), ends in sorted(by_start.items()):
            if max(ends) > furthest.get(doc, -1):
                kept.append((doc, start, max(ends)))
                furthest[doc] = max(ends)
    else:
        nearest: dict[int, int] = {}  # per document, the nearest end of a later start
        for (doc, start), ends in sorted(by_start.items(), reverse=True):
            if min(ends) < nearest.get(doc, min(ends) + 1):
                kept.append((doc, start, min(ends)))
                nearest[doc] = min(ends)
    return sorted(kept)


def evaluate(docs: list[Doc], query, strategy: str = "longest") -> list[tuple[int, int, int]]:
    """The sorted hits (doc index, start, end) of ``query`` (a string or a
    ``parse`` result) in ``docs`` under ``strategy``."""
    _known(strategy)
    if isinstance(query, str):
        query = parse(query)
    hits = []
    for index, doc in enumerate(docs):
        matcher = _Matcher(doc, query)
        for start in range(len(doc.tokens)):
            hits.extend(
                (index, start, end) for end in sorted(matcher.match_ends(start)) if end > start
            )
    return select(hits, strategy)
