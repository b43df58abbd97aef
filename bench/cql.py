#!/usr/bin/env python3
"""CQL query times of kwiq on an annotated corpus: per query, the count
and the first 60 lines, medians of runs.

The corpus is the English UD dev set (tests/data/ud/en_ewt-ud-dev.conllu,
25,147 tokens) repeated --repeat times, each copy's documents renamed, read
by Corpus.from_conllu: a stand-in until issue 11's 100 MB corpus tagged by
a lookup tagger is built. The queries are of the shapes the issue names:
one selective constraint, two frequent ones in sequence, a regex over
lemmas, []{0,3} gaps, + runs, within s. A query's first run also matches
its regexes against the vocabularies; "again" is a run with the compiled
query cached, as a corpus keeps it.

    python bench/cql.py --repeat 40 --runs 5
"""
import argparse
import re
import statistics
import tempfile
import time
from pathlib import Path

import kwiq
from build_and_query import seconds_of_runs

UD = Path(__file__).resolve().parents[1] / "tests" / "data" / "ud" / "en_ewt-ud-dev.conllu"
QUERIES = [
    '[lemma="go"]',
    '[upos="DET"] [upos="NOUN"]',
    '[lemma="be.*"]',
    '[lemma=".*ness"] [upos="ADP"]',
    '"the" []{0,3} "of"',
    '[upos="ADJ"]+ [upos="NOUN"]',
    '[upos="ADJ"]+ [upos="NOUN"] within s',
    '<s> [upos="PRON"] []* </s>',
    '[lemma="go"] []{0,3} [upos="ADP"] within s',
    '[word="[A-Z].*" & upos!="PROPN"]',
]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=40)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    source = UD.read_text(encoding="utf-8")
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "repeated.conllu"
        with open(path, "w", encoding="utf-8") as out:
            for copy in range(args.repeat):
                out.write(re.sub(r"^(# newdoc id = .*)$", rf"\1-{copy}", source, flags=re.M))
        start = time.perf_counter()
        corpus = kwiq.Corpus.from_conllu(path)
        built = time.perf_counter() - start
    print(f"{corpus.n_tokens:,} tokens, built in {built:.2f} s\n")
    print("| query | hits | first run, ms | count + 60 lines, ms (median) |")
    print("|---|---:|---:|---:|")
    for query in QUERIES:
        start = time.perf_counter()
        hits = len(corpus.kwic(query, syntax="cql"))
        first = time.perf_counter() - start

        def count_and_lines():
            conc = corpus.kwic(query, syntax="cql")
            return len(conc), list(conc[:60])

        again = statistics.median(seconds_of_runs(count_and_lines, args.runs))
        print(f"| `{query}` | {hits:,} | {first * 1000:.1f} | {again * 1000:.1f} |")


if __name__ == "__main__":
    main()
