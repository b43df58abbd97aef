#!/usr/bin/env python3
"""Fuzz kwiq's Python API with atheris: random texts and queries.

Usage (pip install atheris), with libFuzzer's flags and folders:
    python tools/fuzz_api.py -max_total_time=60 WORKDIR csrc/fuzz/seeds/api
    python tools/fuzz_api.py csrc/fuzz/seeds/api/*   # replay the seeds once

New inputs go to WORKDIR (any empty folder); csrc/fuzz/seeds/api/ keeps the
inputs that once broke an invariant, each with a test of its own.

Each input makes a few documents and a few queries from fuzzed text
(random code points, and words drawn from a small list so that queries
find something), then checks invariants against plain Python:

- the query parser raises nothing but kwiq.QueryError, and a query it
  accepts runs (or, past the regex time limit, raises QueryError);
- every line's char_start/char_end cut its match out of its document (its
  white space collapsed, as lines show it), and left + match + right is
  what the document holds there;
- case-insensitive hits include every exact-case hit;
- a corpus saved and loaded gives the same lines;
- sorting keeps the same lines;
- to_pandas gives the lines, row by row (for the first query of each input);
- the notebook table shows the first 60 lines and counts the rest.
A broken invariant raises, and atheris writes the input as crash-*.
"""

import os
import re
import sys
import tempfile

import atheris

with atheris.instrument_imports(include=["kwiq"]):
    import kwiq
    from kwiq import _query

WORDS = [
    "peace",
    "Peace",
    "PEACE",
    "war",
    "Straße",
    "STRASSE",
    "café",
    "cafe\u0301",
    "和",
    "平",
    "U-2",
    "the",
    "of",
    "Σίσυφος",
    "ΣΊΣΥΦΟΣ",
    "ς",
    "σ",
    "İ",
    "i̇",
    "ﬀ",
    "ff",
    "😀",
    "Mr.",
    "J.",
    "x\u2019s",
    "x's",
    "\x00",
    "*",
    "/",
    "\\",
    "?",
    "«",
    "»",
    "1962",
]
SPACES = [" ", "  ", "\n", "\n\n", "\t", "\u00a0", "\u2028", "\u3000", ""]
QUERY_PARTS = WORDS + [
    "*",
    "pea*",
    "?ar",
    "*e",
    "/p.*/",
    "/[0-9]+/",
    "/.*/",
    "/(/",
    "//",
    "\\*",
    "\\/",
    "/a\\/b/",
    "* *",
    "w?r",
    "/(?i)PEACE/",
]
TMP = tempfile.mkdtemp(prefix="kwiq-fuzz-api-")
# White space as the tokenizer defines it (Unicode White_Space), not as re's
# \s and str.isspace do (which take U+001C..U+001F too).
COLLAPSE = re.compile("[" + "".join(sorted(map(re.escape, _query.WHITE_SPACE))) + "]+")


def fuzzed_text(fdp, size):
    parts = []
    for _ in range(fdp.ConsumeIntInRange(0, size)):
        how = fdp.ConsumeIntInRange(0, 3)
        if how == 0:
            parts.append(fdp.PickValueInList(WORDS))
        elif how == 1:
            parts.append(fdp.PickValueInList(SPACES))
        elif how == 2:
            parts.append(fdp.ConsumeUnicodeNoSurrogates(fdp.ConsumeIntInRange(0, 6)))
        else:
            parts.append(fdp.PickValueInList(WORDS) + fdp.PickValueInList(SPACES))
    return "".join(parts)


def fuzzed_query(fdp):
    if fdp.ConsumeBool():
        return fuzzed_text(fdp, 4)
    return " ".join(fdp.PickValueInList(QUERY_PARTS) for _ in range(fdp.ConsumeIntInRange(1, 3)))


def lines_of(corpus, query, case, window):
    try:
        conc = corpus.kwic(query, window=window, case=case)
    except kwiq.QueryError:
        return None
    return [tuple(line) for line in conc]


def check_lines(corpus, lines):
    for line in lines:
        doc, start, end, left, match, right, char_start, char_end = line
        text = corpus.text(doc)
        # Offsets slice the match as written; the line shows each run of
        # white space in it as one space.
        assert COLLAPSE.sub(" ", text[char_start:char_end]) == match, line
        assert (
            match and match[0] not in _query.WHITE_SPACE and match[-1] not in _query.WHITE_SPACE
        ), line
        assert start < end <= corpus.n_tokens
        before = COLLAPSE.sub(" ", text[:char_start])
        after = COLLAPSE.sub(" ", text[char_end:])
        assert before.endswith(left) and after.startswith(right), line


def test_one_input(data):
    fdp = atheris.FuzzedDataProvider(data)
    texts = [fuzzed_text(fdp, 12) for _ in range(fdp.ConsumeIntInRange(1, 4))]
    corpus = kwiq.Corpus(texts)
    saved = os.path.join(TMP, "corpus.kwiq")
    corpus.save(saved)
    loaded = kwiq.Corpus.load(saved)
    for k in range(fdp.ConsumeIntInRange(1, 3)):
        query = fuzzed_query(fdp)
        window = fdp.ConsumeIntInRange(0, 4)
        folded = lines_of(corpus, query, False, window)
        exact = lines_of(corpus, query, True, window)
        if folded is None or exact is None:
            assert folded is None and exact is None, query  # QueryError whatever the case
            continue
        check_lines(corpus, folded)
        check_lines(corpus, exact)
        assert set(exact) <= set(folded), (query, exact, folded)
        assert lines_of(loaded, query, False, window) == folded
        assert lines_of(loaded, query, True, window) == exact
        assert sorted(
            tuple(line) for line in corpus.kwic(query, window=window).sort("R1", "L1")
        ) == sorted(folded)
        if k == 0:  # a DataFrame costs more than the rest together: one per input
            frame = corpus.kwic(query, window=window).to_pandas()
            assert [tuple(row)[:8] for row in frame.itertuples(index=False)] == folded, query
        page = corpus.kwic(query, window=window)._repr_html_()
        body, _, footer = page.partition("</tbody>")
        body = body.partition("<tbody")[2]  # the rows of lines, not the header's
        assert body.count("<tr>") == min(len(folded), 60), (query, len(folded))
        assert (f"{len(folded) - 60:,} more line" in footer) == (len(folded) > 60), (query, footer)


def main():
    atheris.Setup(sys.argv, test_one_input)
    atheris.Fuzz()


if __name__ == "__main__":
    main()
