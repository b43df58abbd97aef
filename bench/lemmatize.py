#!/usr/bin/env python3
"""Build time with and without lemmatize="en", side by side, medians of runs.

The corpus is bench/compare.py's benchmark corpus (../shared/corpus, or
$KWIQ_CORPUS) cut to --mb megabytes, one document per 100,000 characters.
Each run builds the corpus without and then with lemmas, so both see the
same machine; the ratio is of the medians. simplemma keeps the lemmas it
has given in a cache, which would make every run after the first cheaper
than a user's build: it is emptied before each build with lemmas (its
English dictionary, loaded once a process, is not; its load is timed
apart, in a new process). The lemma's own cost is then
split into its two parts, timed in each run on the corpus built without:
simplemma called once a distinct form (Python), and the attribute written
from that map (C). For
scale, what simplemma costs called once a token instead, and what the
attribute adds to the saved file.

    pip install "kwiq[lemma]"    # simplemma
    python bench/lemmatize.py --mb 30 --runs 7
"""

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time

import simplemma

import kwiq
from compare import CORPUS_HELP, base_text


def seconds(fn):
    start = time.perf_counter()
    result = fn()
    return time.perf_counter() - start, result


def empty_cache() -> None:
    """Empty the cache of simplemma.lemmatize's lemmatizer (simplemma 1.x
    and 2.x keep it so)."""
    lemmatizer = simplemma.lemmatizer._legacy_lemmatizer_for(False, False)
    lemmatizer._cached_lemmatize.cache_clear()


def dictionary_load_seconds() -> float:
    code = (
        "import time, simplemma; t = time.perf_counter(); "
        "simplemma.lemmatize('x', lang='en'); print(time.perf_counter() - t)"
    )
    return float(
        subprocess.run(
            [sys.executable, "-c", code], check=True, capture_output=True, text=True
        ).stdout
    )


def saved_bytes(corpus) -> int:
    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "c.kwiq")
        corpus.save(path)
        return os.path.getsize(path)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0], epilog=CORPUS_HELP)
    parser.add_argument("--mb", type=int, default=30)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--threads", type=int, default=1, help="build threads (default 1)")
    args = parser.parse_args()
    text = base_text(args.mb)
    n_bytes = len(text.encode("utf-8"))
    docs = [text[i : i + 100_000] for i in range(0, len(text), 100_000)]
    simplemma.lemmatize("warm", lang="en")  # the dictionary loads once, not in a run

    plain_times, lemma_times, per_type_times, in_c_times = [], [], [], []
    for _ in range(args.runs):
        t, corpus = seconds(lambda: kwiq.Corpus(docs, threads=args.threads))
        plain_times.append(t)
        empty_cache()
        t, lemmatized = seconds(lambda: kwiq.Corpus(docs, threads=args.threads, lemmatize="en"))
        lemma_times.append(t)
        del lemmatized
        # The two parts, on the corpus built without: what lemmatize= adds.
        index = corpus._index
        forms, is_word = index.vocabulary(False)
        empty_cache()
        t, lemmas = seconds(
            lambda: [simplemma.lemmatize(f, lang="en") if w else f for f, w in zip(forms, is_word)]
        )
        per_type_times.append(t)
        t, _ = seconds(lambda: index.add_type_attr("lemma", lemmas))
        in_c_times.append(t)
    plain, lemma = statistics.median(plain_times), statistics.median(lemma_times)
    per_type, in_c = statistics.median(per_type_times), statistics.median(in_c_times)
    lemmatize = simplemma.lemmatize
    tokens = [w for d in corpus.ids for w in corpus.tokens(d)]
    empty_cache()
    per_token, _ = seconds(lambda: [lemmatize(w, lang="en") for w in tokens])
    plain_file = saved_bytes(kwiq.Corpus(docs, threads=args.threads))
    lemma_file = saved_bytes(corpus)

    print(
        f"corpus: {n_bytes / 1e6:.1f} MB UTF-8, {len(docs)} documents, "
        f"{corpus.n_tokens:,} tokens, {len(forms):,} distinct forms, "
        f"{len(set(lemmas)):,} distinct lemmas; {args.threads} build thread(s)"
    )
    print(
        f"build without lemmatize: {plain:.3f} s median of {args.runs} "
        f"({n_bytes / plain / 1e6:.0f} MB/s); runs {', '.join(f'{t:.3f}' for t in plain_times)}"
    )
    print(
        f"build with lemmatize=en: {lemma:.3f} s median of {args.runs} "
        f"({n_bytes / lemma / 1e6:.0f} MB/s); runs {', '.join(f'{t:.3f}' for t in lemma_times)}"
    )
    print(f"ratio (with / without): {lemma / plain:.2f}x, +{lemma - plain:.3f} s")
    print(f"  simplemma once a form ({len(forms):,} calls): {per_type:.3f} s median")
    print(f"  the attribute in C (stream, postings, spans): {in_c:.3f} s median")
    print(f"  for scale, simplemma once a token ({len(tokens):,} calls): {per_token:.3f} s")
    print(
        f"  once a process, simplemma's English dictionary loads: {dictionary_load_seconds():.3f} s"
    )
    print(
        f"saved file: {plain_file / 1e6:.1f} MB without, {lemma_file / 1e6:.1f} MB with "
        f"(+{(lemma_file - plain_file) / corpus.n_tokens:.2f} bytes a token)"
    )


if __name__ == "__main__":
    main()
