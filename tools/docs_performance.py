#!/usr/bin/env python3
"""docs/performance.md, drawn from the benchmark results in bench/results/.

    python tools/docs_performance.py           # rewrite the page
    python tools/docs_performance.py --check   # exit 1 if the page is stale

The comparison with NLTK, conc and re is bench/compare.py's own tables
(``compare.py --readme``) over the results named in COMPARE, one column per
size; every other result file in bench/results/ that has no .json beside it
(analysis, frames, Dask, Ctrl-C, ...) follows as written, its headings
moved one level down. So a new result lands on the page by rerunning this
script; tests/test_docs_examples.py fails while the page is stale.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
RESULTS = REPO / "bench" / "results"
PAGE = REPO / "docs" / "performance.md"
# The newest compare.py run of each size with every tool (1 GB: kwiq only).
COMPARE = ["2026-11-28-10mb.json", "2026-11-28-100mb.json", "2026-11-28-1000mb-kwiq.json"]

INTRO = (
    """\
# Performance

Measured on 2-core development machines (AMD EPYC, and for the later
results an Intel Xeon, each result says which), shared with other work,
so figures move by 10-25% from run to run, by the scripts of
`bench/`; each script's docstring says what it measures and how, and
`CONTRIBUTING.md` how to run them. This page is generated from `bench/results/` by
`tools/docs_performance.py`: do not edit it by hand.

## kwiq, NLTK, conc and re

`bench/compare.py` builds each tool's index of the benchmark corpus (the
texts of NLTK's gutenberg, state_union, inaugural and movie_reviews cut to
10 MB, repeated for larger sizes, in documents of 100,000 characters),
each build in a fresh process, and queries 20 words spread from "the" to
a word seen once, and 5 phrases.

"""
    + """\
How it measures:

- **Corpus**: `gutenberg/`, `state_union/`, `inaugural/` and
  `movie_reviews/`, each file decoded as UTF-8, else cp1252, concatenated
  in path order, cut to 10 MB of UTF-8 and repeated for larger sizes (10
  times for 100 MB); documents of 100,000 characters, also written as
  UTF-8 files for the tools that read files.
- **Builds** run `--runs` times, each in a fresh Python process; tables
  give the median. **Memory** comes from the OS, in that process: the
  baseline is `VmRSS` just before the build, after the imports and after
  reading the documents (an idle interpreter with the same imports and
  data; `gc.collect()` and `malloc_trim(0)` first). The peak is `VmHWM`,
  reset through `/proc/self/clear_refs` just before the build, less the
  baseline; the resident figure is `VmRSS` after the build (after
  `gc.collect()` and `malloc_trim(0)`) less the baseline. The input
  strings are in both, so they do not count; a corpus's own copy of the
  text does. Without a way to reset `VmHWM`, an idle process with the same
  imports and data gives the baseline.
- **Queries** run in the first run's process, once the build is done, each
  `--runs` times; tables give the median, summed over 20 words and over 5
  phrases. The 20 words come from the frequency list of the 10 MB cut,
  their counts spaced evenly on a log scale from "the" (115,142 times in
  10 MB) down to once; only letters, and no single letter but "a" and "I",
  so that every tool sees each word as one token. The phrases: "of the",
  "it was", "the united states", "in spite of", "on the other hand". Every
  tool matches case-insensitively; hits differ a little because tokenizers
  do (the per-query tables in `bench/results/` give each tool's hits).
- **kwiq**: `Corpus(docs)`, with `threads=1` and `threads=2` when the
  constructor takes `threads=`; `Corpus.from_files`, `corpus.save`,
  `Corpus.load`, `corpus.freq()` and `corpus.collocates("time")` when they
  exist, "n/a" otherwise. Queries, with `c = corpus.kwic(q)`: `len(c)` and
  `c[:60]`; `list(c)`; `c.to_pandas()`; `c.sort("R1", "R2", "R3")[:60]`,
  the counterpart of conc's sorted page.
- **NLTK** 3.10.4: the punkt sentence model cannot be downloaded here
  (there is no network but the package registries), so
  `word_tokenize(doc, preserve_line=True)`, which skips punkt's sentence
  split, and `wordpunct_tokenize(doc)`. Without the split, `word_tokenize`
  leaves the full stop on a word that ends a sentence inside a document
  ("Upholding." is one token), so it finds fewer hits for such words. The
  tokens of all documents make one list, then `Text(tokens)` and
  `ConcordanceIndex(text.tokens, key=lambda s: s.lower())`, what
  `Text.concordance_list` builds on its first call. Queries:
  `text.concordance_list(q, width=79, lines=<all>)`, a phrase as a list
  of words. `concordance_list` makes every line before it keeps the first
  `lines`, so a page of 60 costs as much as all lines.
- **conc** 0.1.13 builds from a folder of files (or a CSV) with a spaCy
  model given by name or path: `conc.corpus.Corpus("bench").build_from_files(
  source_path=<folder>, save_path=<folder>, model=<path>,
  file_mask="*.txt")`. The model is `spacy.blank("en")` saved with
  `to_disk`, so no model is downloaded. When conc loads a model it
  disables seven components by name (parser, ner, lemmatizer, tagger,
  senter, tok2vec, attribute_ruler), and spaCy refuses to disable a
  component that is not there, so the saved pipeline carries weightless
  placeholders (sentencizers) of those names, which conc disables: only
  the blank English tokenizer runs. conc always writes its corpus to disk
  as Parquet, and its build time includes that. `Corpus().load(path)` is
  lazy: the first query then reads the token arrays (timed apart; the
  query figures come after it). Queries through `conc.conc.Conc(corpus)`:
  `concordance(q, page_size=60)` (one page, sorted by conc's default
  order, 1R2R3R), `frequencies(page_size=0)` (the whole list; conc counts
  during the build), `collocates("time", page_size=0)` (logDice and
  log-likelihood, 5 words each side, at least 5 co-occurrences).
- **re**: `re.finditer(r"\\bw1\\s+w2\\b", text, re.IGNORECASE)` over the raw
  text (the documents joined), counting every match and making the first
  60 lines (40 characters each side): the cost of having no index.
- **Not benchmarked**: conc's `ngrams`, `ngram_frequencies`, `keywords`
  and `concordance_plot`, and its `filter_context_str`, for want of a kwiq
  counterpart yet; NLTK's default `word_tokenize` (it needs punkt). kwiq
  with two threads, `from_files`, save and load, `freq()` and
  `collocates()` are not on main yet: the script measures them once they
  are there.

Measured on 2026-11-28 on the 2-core development machine (AMD EPYC,
shared: other work ran beside parts of this run, so figures move by
10-25% from run to run, and the 2-thread build had no free core to use),
Python 3.11.7, kwiq as on main at 1e302f2 (`compare.py --mb 100`, medians
of 3). `to_pandas()` has since taken the Arrow layout (about 0.35 µs a
line at 100 MB; see "Performance"), which this run predates. The tables
with each query are in `bench/results/2026-11-28-100mb.md`;
the 1 GB run (kwiq only, `bench/results/2026-11-28-1000mb-kwiq.md`) peaked
at 2.85x its text, saved a file of 2.42x and loaded 32x faster than it
built.

"""
)
# What the figures of the comparison say, from the 100 MB run.
SUMMARY = """\
In short: the build runs at 127 MB/s on one thread, 64x NLTK's
`word_tokenize` + `ConcordanceIndex`, 25x `wordpunct_tokenize` +
`ConcordanceIndex` and 89x conc's build. A built 100 MB corpus holds 2.9x
its text (NLTK about 21x, conc 22x after a peak of 29x). Count and first
page of a single word take at most 23 µs at 100 MB, whatever its
frequency. Every line as a `Line` object costs 0.504 µs a hit over the 20
words (0.47 µs for "the"), 1% over the 0.5 µs target in this run; on
the idle machine (`bench/results/2026-11-28-100mb-kwiq-idle.md`, kwiq
alone) 0.49 µs, and two threads built 1.77x as fast as one. NLTK's `concordance_list` makes
every line, so kwiq's lead grows with the hits: 1,612x at the median word,
but below 100x for words of 210 hits or fewer, where both make every line
and a `Line` (three strs, four ints, a tuple) cannot cost a hundredth of
NLTK's 7-17 µs. conc's sorted page comes within 2.3x of kwiq's sort +
page: kwiq sorts every line on three keys before it takes 60, conc sorts
on the first key and finishes the sort on the page only. `freq()` answers
from the counts it keeps after its first call (which counts, about 0.2 s
at 100 MB), 62x conc's `frequencies()`; `collocates("time")` is 66x conc's.
"""


def compare_module():
    spec = importlib.util.spec_from_file_location("compare", REPO / "bench" / "compare.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def demoted(markdown: str) -> str:
    """A result file's text, each heading one level lower."""
    return "\n".join(
        "#" + line if line.startswith("#") else line for line in markdown.strip().splitlines()
    )


def render() -> str:
    saved = [json.loads((RESULTS / name).read_text(encoding="utf-8")) for name in COMPARE]
    parts = [INTRO]
    parts += [
        f"- {result['mb']:,} MB, {result['docs']:,} documents (`bench/results/{name}`)"
        + (f": {result['note']}" if "note" in result else "")
        + "\n"
        for name, result in zip(COMPARE, saved)
    ]
    parts.append("\n" + compare_module().readme_tables(saved).strip() + "\n\n" + SUMMARY)
    for path in sorted(RESULTS.glob("*.md")):
        if path.with_suffix(".json").exists():
            continue
        parts.append(
            f"\n{demoted(path.read_text(encoding='utf-8'))}\n\nFrom `bench/results/{path.name}`.\n"
        )
    return "".join(parts)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--check", action="store_true", help="exit 1 if the page is stale")
    page = render()
    if parser.parse_args().check:
        if PAGE.read_text(encoding="utf-8") != page:
            print(f"{PAGE} is stale: run python tools/docs_performance.py", file=sys.stderr)
            return 1
        return 0
    PAGE.write_text(page, encoding="utf-8")
    print(f"{PAGE}: {len(page):,} characters")
    return 0


if __name__ == "__main__":
    sys.exit(main())
