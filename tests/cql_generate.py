"""Random CQL queries over a corpus, for comparing kwiq's CQL engine with the
oracle in cql_oracle.py (issue 11, must-show 1).

``generate(rng, docs, n)`` yields ``n`` query strings built from the grammar
in cql_oracle's docstring: every construct, nested. Each query is seeded by
a real run of 1-4 tokens in ``docs``, so most of them have hits: token
constraints are drawn from the seed tokens' attribute values (exact, as
regexes, with %c, %d and %l, negated, combined with &, | and !), and
quantifiers, groups with alternatives, gaps, anchors and ``within`` are laid
around them. The same ``random.Random`` seed gives the same queries.

A repeated part that can match almost every token (``[]*``, a negation with
``+``) puts the query ``within s``: without a bound such a part matches a
quadratic number of spans in a long document (UD German-GSD's dev set is one
document of 12,480 tokens), which the brute-force oracle would enumerate.
"""

from __future__ import annotations

import regex

from cql_oracle import ATTRIBUTES, strip_diacritics

# Attributes weighted by how often queries use them.
ATTRIBUTE_WEIGHTS = {
    "word": 5,
    "lemma": 4,
    "upos": 4,
    "xpos": 2,
    "feats": 2,
    "deprel": 2,
    "head": 1,
}
UNBOUNDED = ("*", "+", "{1,}", "{0,}", "{2,}")
BOUNDED = ("?", "{1}", "{1,2}", "{0,2}", "{,2}", "{,3}", "{1,3}", "{2}")


def _quote(text: str) -> str:
    return "'" if '"' in text and "'" not in text else '"'


def regex_string(pattern: str) -> str:
    """``pattern`` quoted for CQL: the quote is escaped with a backslash,
    which stays in the string and which the regex reads as the quote itself
    (so ``pattern`` must not hold an escaped quote already)."""
    quote = _quote(pattern)
    return quote + pattern.replace(quote, "\\" + quote) + quote


def literal_string(value: str) -> str:
    """``value`` quoted for a %l literal: a backslash would stay in the
    string, so ``value`` must hold none, and the quote is written doubled."""
    quote = _quote(value)
    return quote + value.replace(quote, quote * 2) + quote


class _Generator:
    def __init__(self, rng, docs):
        self.rng = rng
        self.docs = [doc for doc in docs if doc.tokens]
        self.sizes = [len(doc.tokens) for doc in self.docs]
        self.values = {
            attr: sorted({token[attr] for doc in self.docs for token in doc.tokens})
            for attr in ATTRIBUTES
        }
        self.starts = [
            {x: {start for start, _ in doc.regions[x]} for x in doc.regions} for doc in self.docs
        ]
        self.ends = [
            {x: {end for _, end in doc.regions[x]} for x in doc.regions} for doc in self.docs
        ]

    def chance(self, p: float) -> bool:
        return self.rng.random() < p

    def attribute(self) -> str:
        return self.rng.choices(list(ATTRIBUTE_WEIGHTS), list(ATTRIBUTE_WEIGHTS.values()))[0]

    def other_value(self, attr: str, value: str) -> str:
        other = self.rng.choice(self.values[attr])
        return other if other != value else other + "x"

    def pattern(self, attr: str, value: str) -> str:
        """A string with flags that matches ``value`` (as the attribute's)."""
        rng, escape = self.rng, regex.escape
        style = rng.choice(["exact", "exact", "regex", "regex", "case", "diacritics", "literal"])
        if style == "case" and value:
            changed = rng.choice([str.upper, str.lower, str.swapcase, str.title])(value)
            if "\\" not in value and self.chance(0.3):
                return literal_string(changed) + rng.choice(["%cl", "%lc"])
            return regex_string(escape(changed)) + rng.choice(["%c", "%cd"])
        if style == "diacritics" and value:
            folded = strip_diacritics(value) if self.chance(0.7) else value
            return regex_string(escape(folded)) + rng.choice(["%d", "%dc"])
        if style == "literal" and "\\" not in value:
            return literal_string(value) + "%l"
        if style == "regex" and value:
            return regex_string(self.generalised(attr, value))
        return regex_string(escape(value))

    def generalised(self, attr: str, value: str) -> str:
        """A regex that matches ``value`` and usually more."""
        rng, escape = self.rng, regex.escape
        # Prefixes and suffixes keep a character: ".*" alone matches every token.
        cut = rng.randrange(1, len(value) + 1)
        shape = rng.choice(["prefix", "suffix", "dot", "alternative", "class", "optional"])
        if shape == "prefix":
            return escape(value[:cut]) + rng.choice([".*", ".+", ".{0,3}"])
        if shape == "suffix":
            return rng.choice([".*", ".+"]) + escape(value[-cut:])
        if shape == "alternative":
            options = [escape(value), escape(self.other_value(attr, value))]
            rng.shuffle(options)
            return "|".join(options) if self.chance(0.5) else "(" + "|".join(options) + ")"
        cut -= 1
        char = value[cut]
        if shape == "dot":
            middle = "."
        elif shape == "class" and char.isalnum():
            middle = (
                "[" + char + char.swapcase() + "0-9]"
                if char.lower() != char.upper()
                else "[" + char + "]"
            )
        else:
            middle = escape(char) + "?"
        return escape(value[:cut]) + middle + escape(value[cut + 1 :])

    # Token constraints come with whether they are broad: true of most tokens.

    def test(self, token, truth: bool) -> tuple[str, bool]:
        """``attr="..."`` or ``attr!="..."`` whose truth on ``token`` is
        ``truth``; a test true of most tokens (a negation) is broad."""
        attr = self.attribute()
        value = token[attr]
        if self.chance(0.15):
            other = self.other_value(attr, value)
            operator, text = ("!=", other) if truth else ("=", other)
            return f"{attr}{operator}{regex_string(regex.escape(text))}", truth
        operator = "=" if truth else "!="
        return f"{attr}{operator}{self.pattern(attr, value)}", operator == "!="

    def constraint(self, token, truth: bool, depth: int) -> tuple[str, bool]:
        """A Boolean constraint with that truth on ``token``."""
        rng = self.rng
        shape = "test" if depth == 0 else rng.choice(["test", "test", "and", "or", "not"])
        if shape == "test":
            return self.test(token, truth)
        if shape == "not":
            text, broad = self.constraint(token, not truth, depth - 1)
            return "!" + self.parenthesised(text), not broad
        # "and" has both sides as true as itself; a true "or" has one side true.
        other_truth = truth if shape == "and" or not truth else self.chance(0.5)
        first, first_broad = self.constraint(token, truth, depth - 1)
        second, second_broad = self.constraint(token, other_truth, depth - 1)
        if self.chance(0.5):
            first, second, first_broad, second_broad = second, first, second_broad, first_broad
        if shape == "and":
            return (
                f"{self.parenthesised(first)} & {self.parenthesised(second)}",
                first_broad and second_broad,
            )
        return f"{first} | {second}", first_broad or second_broad

    def parenthesised(self, text: str) -> str:
        return f"({text})" if " " in text else text

    def element(self, token) -> tuple[str, bool]:
        """A query part for one token (that matches it, mostly)."""
        roll = self.rng.random()
        if roll < 0.06:
            return "[]", True
        if roll < 0.25:
            return self.pattern("word", token["word"]), False
        text, broad = self.constraint(token, self.chance(0.95), self.rng.choice([0, 0, 1, 1, 2]))
        return f"[{text}]", broad

    def quantified(self, text: str, broad: bool) -> tuple[str, bool]:
        """``text`` maybe with a quantifier; True second when the result
        repeats a broad part without bound (the query needs ``within s``)."""
        if self.chance(0.6):
            return text, False
        # A broad part repeated without bound costs the oracle most: kept rare.
        quantifier = self.rng.choice(UNBOUNDED if self.chance(0.15 if broad else 0.4) else BOUNDED)
        return text + quantifier, broad and quantifier in UNBOUNDED

    def sequence(self, doc: int, start: int, length: int) -> tuple[list[str], bool]:
        """Parts for the seed tokens ``start`` .. ``start + length`` of a
        document, with gaps, groups and inner anchors; True second when the
        query needs ``within s``."""
        tokens = self.docs[doc].tokens
        parts, needs_bound = [], False
        for position in range(start, start + length):
            if position > start and position in self.starts[doc]["s"] and self.chance(0.5):
                parts.append(self.rng.choice(["</s> <s>", "</s>", "<s>"]))
            text, repeated_broad = self.quantified(*self.element(tokens[position]))
            parts.append(text)
            needs_bound |= repeated_broad
            if position + 1 < start + length and self.chance(0.1):
                gap = self.rng.choice(["[]?", "[]{0,2}", "[]*", "[]{,3}"])
                parts.append(gap)
                needs_bound |= gap == "[]*"
        if len(parts) >= 2 and self.chance(0.4):
            needs_bound |= self.group(parts)
        return parts, needs_bound

    def group(self, parts: list[str]) -> bool:
        """Wrap some of ``parts`` in a group, maybe with an alternative and a
        quantifier, maybe twice (nested); True when it needs ``within s``."""
        needs_bound = False
        for _ in range(self.rng.choice([1, 1, 2])):
            first = self.rng.randrange(len(parts))
            last = self.rng.randrange(first, len(parts))
            inner = " ".join(parts[first : last + 1])
            if self.chance(0.5):
                alternative, alternative_bound = self.random_sequence()
                options = [inner, alternative]
                self.rng.shuffle(options)
                inner = " | ".join(options)
                needs_bound |= alternative_bound
            text, repeated = self.quantified(f"({inner})", "[]" in inner or "!" in inner)
            parts[first : last + 1] = [text]
            needs_bound |= repeated
        return needs_bound

    def seed(self, most: int) -> tuple[int, int, int]:
        """A random document, start and length (1 to ``most`` tokens)."""
        doc = self.rng.choices(range(len(self.docs)), self.sizes)[0]
        start = self.rng.randrange(self.sizes[doc])
        length = min(self.rng.randint(1, most), self.sizes[doc] - start)
        return doc, start, length

    def random_sequence(self) -> tuple[str, bool]:
        doc, start, length = self.seed(2)
        parts, needs_bound = self.sequence(doc, start, length)
        return " ".join(parts), needs_bound

    def anchors(self, doc: int, start: int, end: int) -> tuple[list[str], list[str]]:
        """Anchors before and after a seed: mostly ones that hold there."""
        before, after = [], []
        for x in ("text", "p", "s"):
            if self.chance(0.5 if start in self.starts[doc][x] else 0.04):
                before.append(f"<{x}>")
        for x in ("s", "p", "text"):
            if self.chance(0.5 if end in self.ends[doc][x] else 0.04):
                after.append(f"</{x}>")
        if before and after and self.chance(0.3):
            # Room around the seed, as in <s> []* ... []* </s>.
            before.append("[]*")
            after.insert(0, "[]*")
        elif before and not after and self.chance(0.3):
            # The region the seed starts, to its end: <s> ... []* </s>.
            after = ["[]*", f"</{before[-1][1:-1]}>"]
        return before, after

    def query(self) -> str:
        doc, start, length = self.seed(4)
        parts, needs_bound = self.sequence(doc, start, length)
        before, after = self.anchors(doc, start, start + length)
        needs_bound |= "[]*" in before + after
        text = " ".join(before + parts + after)
        if self.chance(0.1):
            alternative, alternative_bound = self.random_sequence()
            text = f"{text} | {alternative}"
            needs_bound |= alternative_bound
        within = "s" if needs_bound else self.rng.choice([None, None, None, "s", "p", "text"])
        return text if within is None else f"{text} within {within}"


def generate(rng, docs, n: int):
    """Yield ``n`` random CQL queries seeded from ``docs`` (see the module
    docstring); ``rng`` is a ``random.Random``."""
    generator = _Generator(rng, docs)
    for _ in range(n):
        yield generator.query()
