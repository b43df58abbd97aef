#!/usr/bin/env python3
"""kwiq's collocates(counting="windows") against conc's collocates() itself,
on the same tokens: a check, run by hand (conc needs spaCy, too much for a
test dependency; tests/test_compare_tools.py checks the same numbers
against conc's rules written out).

    pip install . && pip install -r bench/requirements.txt
    python bench/conc_collocates.py                 # The Time Machine, 10 nodes

The book is cut into kwiq's tokens, lower-cased and joined by spaces, then
into the tokens spaCy's blank English tokenizer makes of that ("cannot" is
"can not" to it) and joined again, so that both tools read the same
tokens (checked). conc builds its corpus from that text with the blank
pipeline of bench/compare.py. Every row of each node's collocates (min
count 1, window 5) is compared: the counts must be equal and MI and logDice
within 1e-9 relative; exit status 1 otherwise.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

import kwiq
from compare import blank_spacy_model

HERE = Path(__file__).resolve().parent
BOOK = HERE.parent / "tests" / "data" / "gutenberg" / "35-The-Time-Machine.txt"
NODES = ["the", "time", "man", "little", "machine", "i", "said", "world", "upon", "light"]
TOLERANCE = 1e-9


def shared_text(text: str) -> str:
    """The text as tokens both tools cut alike, one space between them."""
    import spacy

    nlp = spacy.blank("en")
    nlp.max_length = 10 * len(text) + 1
    joined = " ".join(text[s:e].lower() for s, e, _ in kwiq._core.tokenize(text))
    joined = " ".join(token.text for token in nlp(joined) if not token.is_space)
    spacy_tokens = [token.text for token in nlp(joined) if not token.is_space]
    assert spacy_tokens == kwiq.tokenize(joined), "the tools cut the text differently"
    return joined


def relative_difference(a: float, b: float) -> float:
    return 0.0 if a == b else abs(a - b) / max(abs(a), abs(b))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--book", type=Path, default=BOOK)
    parser.add_argument("--nodes", default=",".join(NODES))
    args = parser.parse_args()
    from conc.collocates import Collocates
    from conc.corpus import Corpus as ConcCorpus

    text = shared_text(args.book.read_text(encoding="utf-8"))
    corpus = kwiq.Corpus([text])
    with tempfile.TemporaryDirectory() as work:
        source = Path(work) / "source"
        source.mkdir()
        (source / "book.txt").write_text(text, encoding="utf-8")
        theirs = ConcCorpus(name="book").build_from_files(
            str(source),
            str(Path(work) / "built"),
            model=blank_spacy_model(Path(work) / "spacy-blank-en"),
        )
        rows = mismatches = 0
        worst = 0.0
        for node in args.nodes.split(","):
            ours = corpus.collocates(
                node, window=5, min_count=1, measures=["mi", "logdice"], counting="windows"
            )
            ours = {
                w: (o, mi, ld)
                for w, o, mi, ld in zip(ours["word"], ours["observed"], ours["mi"], ours["logdice"])
            }
            for measure, k in (("mutual_information", 1), ("logdice", 2)):
                frame = (
                    Collocates(theirs)
                    .collocates(
                        node, effect_size_measure=measure, min_collocate_frequency=1, page_size=0
                    )
                    .df
                )
                if set(frame["token"]) != set(ours):
                    print(f"{node}: the collocates differ", file=sys.stderr)
                    return 1
                for row in frame.iter_rows(named=True):
                    mine = ours[row["token"]]
                    rows += 1
                    mismatches += mine[0] != row["collocate_frequency"]
                    worst = max(worst, relative_difference(mine[k], row[measure]))
    print(
        f"{rows:,} rows ({len(args.nodes.split(','))} nodes, MI and logDice), "
        f"{mismatches} counts differ, worst relative difference {worst:.3g}"
    )
    return 0 if mismatches == 0 and worst <= TOLERANCE else 1


if __name__ == "__main__":
    sys.exit(main())
