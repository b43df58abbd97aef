#!/usr/bin/env python3
"""CQL on an annotated corpus, against spaCy's Matcher over the same tokens.

The corpus is bench/annotated.py's: the benchmark corpus tagged by a lookup
tagger, written as CoNLL-U and VRT (--mb of text, 100 by default). Measured
side by side in one run, medians of --runs:

- build: Corpus.from_conllu and Corpus.from_vrt with lemma and upos, one
  thread; MB/s of the file read (and of the text it holds), by wall clock
  and by CPU time (the machine is shared: CPU time is the steadier);
- memory: the resident memory a built corpus and a loaded one add to a
  fresh process, as a multiple of the text, and what each attribute costs
  a token (from the saved file: its stream and its postings);
- queries: ten CQL queries of the shapes issue 11 names; for each, kwiq's
  count and first 60 lines, and spaCy's Matcher (the same tokens, lemmas,
  parts of speech and sentence starts in Docs built by hand) finding every
  match of the equivalent pattern. Both counts are shown: CQL keeps the
  longest matches, the Matcher (greedy="LONGEST" where a pattern
  repeats) its own selection, so they may differ for variable lengths.

    python bench/cql.py --mb 100 --runs 3 --out /tmp/kwiq-annotated
"""

from __future__ import annotations

import argparse
import gc
import json
import statistics
import struct
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
import annotated  # noqa: E402  (beside this file)

# CQL, and the Matcher pattern that says the same (None: greedy default).
QUERIES = [
    ('[lemma="go"]', [{"LEMMA": "go"}], None),
    ('[upos="DET"] [upos="NOUN"]', [{"POS": "DET"}, {"POS": "NOUN"}], None),
    ('[lemma="be.*"]', [{"LEMMA": {"REGEX": "^be.*$"}}], None),
    ('[lemma=".*ness"] [upos="ADP"]', [{"LEMMA": {"REGEX": "^.*ness$"}}, {"POS": "ADP"}], None),
    ('"the" []{0,3} "of"', [{"ORTH": "the"}, {"OP": "{0,3}"}, {"ORTH": "of"}], None),
    ('[upos="ADJ"]+ [upos="NOUN"]', [{"POS": "ADJ", "OP": "+"}, {"POS": "NOUN"}], "LONGEST"),
    (
        '[upos="ADJ"]+ [upos="NOUN"] within s',
        [
            {"POS": "ADJ"},
            {"POS": "ADJ", "IS_SENT_START": False, "OP": "*"},
            {"POS": "NOUN", "IS_SENT_START": False},
        ],
        "LONGEST",
    ),
    (
        '<s> [upos="PRON"] []* </s>',
        [{"POS": "PRON", "IS_SENT_START": True}, {"IS_SENT_START": False, "OP": "*"}],
        "LONGEST",
    ),
    (
        '[lemma="go"] []{0,3} [upos="ADP"] within s',
        [
            {"LEMMA": "go"},
            {"IS_SENT_START": False, "OP": "{0,3}"},
            {"POS": "ADP", "IS_SENT_START": False},
        ],
        None,
    ),
    (
        '[word="[A-Z].*" & upos!="PROPN"]',
        [{"TEXT": {"REGEX": "^[A-Z].*$"}, "POS": {"NOT_IN": ["PROPN"]}}],
        None,
    ),
]
PAGE = 60


def rss() -> int:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS"):
                return int(line.split()[1]) * 1024
    return 0


def median_of(fn, runs: int) -> tuple[float, object]:
    times, result = [], None
    for _ in range(runs):
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


def build(kind: str, folder: Path):
    import kwiq

    if kind == "conllu":
        return kwiq.Corpus.from_conllu(folder / "conllu", attrs=["lemma", "upos"], progress=False)
    return kwiq.Corpus.from_vrt(folder / "vrt", attrs=["lemma", "upos"], progress=False)


def child(spec: dict) -> dict:
    """In a fresh process: a build's wall and CPU time, or the memory a
    built or loaded corpus adds."""
    import kwiq

    folder = Path(spec["folder"])
    gc.collect()
    before = rss()
    wall, cpu = time.perf_counter(), time.process_time()
    if spec["what"] == "load":
        corpus = kwiq.Corpus.load(spec["saved"])
        corpus.kwic('[upos="NOUN"]', syntax="cql")[:PAGE]  # reach every part once
    else:
        corpus = build(spec["what"], folder)
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    if spec.get("save"):
        corpus.save(spec["save"])
    gc.collect()
    return {"wall": wall, "cpu": cpu, "rss": rss() - before, "tokens": corpus.n_tokens}


def run_child(spec: dict) -> dict:
    out = subprocess.run(
        [sys.executable, __file__, "--child", json.dumps(spec)],
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(out.stdout.splitlines()[-1])


def attribute_costs(saved: Path, n_tokens: int) -> list[tuple[str, int, float, float]]:
    """(name, types, stream bytes a token, postings bytes a token) of each
    attribute beyond word, read from the saved file's annotation section
    (csrc/core/kw_annot_file.c)."""
    data = saved.read_bytes()
    offset = struct.unpack_from("<Q", data, 64 + 32 * 20 + 8)[0]
    n_attrs, _, n_escapes = struct.unpack_from("<IIQ", data, offset)

    def pad(n: int) -> int:
        return (n + 7) // 8 * 8

    at = offset + 16 + 2 * pad(n_tokens) + 24 * n_escapes
    costs = []
    for _ in range(n_attrs):
        name_bytes, n_types, values = struct.unpack_from("<IIQ", data, at)
        name = data[at + 16 : at + 16 + name_bytes - 1].decode()
        at += 16 + pad(name_bytes) + pad(values) + 8 * (n_types + 1)
        width = next(
            w
            for w, most in ((1, 1 << 8), (2, 1 << 16), (3, 1 << 24), (4, 1 << 32))
            if n_types <= most
        )
        at += pad(n_tokens * width) + pad(4 * (n_types + 1))
        postings = struct.unpack_from(f"<{n_types + 1}Q", data, at)[-1]
        at += 8 * (n_types + 1) + pad(postings)
        costs.append((name, n_types, width, postings / n_tokens))
    return costs


def spacy_docs(folder: Path):
    """spaCy Docs of the CoNLL-U files: words, spaces, lemmas, parts of
    speech and sentence starts, as kwiq reads them."""
    import spacy
    from spacy.tokens import Doc

    vocab = spacy.blank("en").vocab
    docs = []
    for path in sorted((folder / "conllu").glob("*.conllu")):
        words, spaces, lemmas, pos, starts = [], [], [], [], []
        for line in path.read_text(encoding="utf-8").splitlines():
            columns = line.split("\t")
            if len(columns) != 10:
                continue
            words.append(columns[1])
            lemmas.append(columns[2])
            pos.append(columns[3])
            spaces.append(columns[9] != "SpaceAfter=No")
            starts.append(columns[0] == "1")
        docs.append(
            Doc(vocab, words=words, spaces=spaces, lemmas=lemmas, pos=pos, sent_starts=starts)
        )
    return vocab, docs


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mb", type=int, default=100, help="megabytes of text (default 100)")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument(
        "--out",
        type=Path,
        default=Path("/tmp/kwiq-annotated"),
        help="where bench/annotated.py writes the corpus (kept for reuse)",
    )
    parser.add_argument("--no-spacy", action="store_true", help="leave out spaCy's Matcher")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child(json.loads(args.child))))
        return

    folder = args.out / f"{args.mb}mb"
    info = annotated.write(args.mb, folder)
    text_mb = info["text_bytes"] / 1e6
    print(f"# CQL on {args.mb} MB of annotated text\n")
    print(
        f"{info['docs']:,} documents, {info['tokens']:,} tokens, {text_mb:.1f} MB of text; "
        f"CoNLL-U {info['conllu_bytes'] / 1e6:.0f} MB, VRT {info['vrt_bytes'] / 1e6:.0f} MB; "
        f"lemma and upos kept. Medians of {args.runs} runs.\n"
    )

    saved = folder / "corpus.kwiq"
    print("## Build (one thread)\n")
    print("| source | wall, s | MB/s of the file (text) | CPU, s | MB/s of the file by CPU |")
    print("|---|---:|---:|---:|---:|")
    built = {}
    for kind in ("conllu", "vrt"):
        runs = [
            run_child(
                {
                    "what": kind,
                    "folder": str(folder),
                    "save": str(saved) if kind == "conllu" and k == 0 else None,
                }
            )
            for k in range(args.runs)
        ]
        wall = statistics.median(r["wall"] for r in runs)
        cpu = statistics.median(r["cpu"] for r in runs)
        size = info[f"{kind}_bytes"] / 1e6
        built[kind] = runs
        print(
            f"| {kind} | {wall:.2f} | {size / wall:.0f} ({text_mb / wall:.1f}) | {cpu:.2f} | "
            f"{size / cpu:.0f} |"
        )

    print("\n## Memory\n")
    loaded = [
        run_child({"what": "load", "folder": str(folder), "saved": str(saved)})
        for _ in range(args.runs)
    ]
    n_tokens = built["conllu"][0]["tokens"]
    built_rss = statistics.median(r["rss"] for r in built["conllu"])
    loaded_rss = statistics.median(r["rss"] for r in loaded)
    print(
        f"- built from CoNLL-U: {built_rss / info['text_bytes']:.2f}x the text "
        f"({built_rss / 1e6:.0f} MB)"
    )
    print(
        f"- loaded (mapped, every part read once): {loaded_rss / info['text_bytes']:.2f}x "
        f"({loaded_rss / 1e6:.0f} MB); the file is "
        f"{saved.stat().st_size / info['text_bytes']:.2f}x"
    )
    print("- spans (where each token is): 2 bytes a token")
    for name, n_types, width, postings in attribute_costs(saved, n_tokens):
        print(
            f"- {name}: {n_types:,} values; stream {width} byte(s) a token, postings "
            f"{postings:.2f} bytes a token"
        )

    import kwiq

    corpus = kwiq.Corpus.load(saved)
    matcher_docs = None
    if not args.no_spacy:
        start = time.perf_counter()
        vocab, matcher_docs = spacy_docs(folder)
        print(f"\nspaCy Docs built by hand in {time.perf_counter() - start:.0f} s.")
    print("\n## Queries: count and first 60 lines\n")
    print("| query | kwiq hits | kwiq, ms | Matcher matches | Matcher, ms | ratio |")
    print("|---|---:|---:|---:|---:|---:|")
    for query, pattern, greedy in QUERIES:
        corpus.kwic(query, syntax="cql")  # compile once, as a corpus keeps it

        def kwiq_run():
            concordance = corpus.kwic(query, syntax="cql")
            return len(concordance), list(concordance[:PAGE])

        seconds, (hits, _) = median_of(kwiq_run, args.runs)
        row = f"| `{query}` | {hits:,} | {seconds * 1e3:.2f} |"
        if matcher_docs is not None:
            from spacy.matcher import Matcher

            matcher = Matcher(vocab)
            matcher.add("q", [pattern], greedy=greedy)

            def spacy_run():
                return sum(len(matcher(doc)) for doc in matcher_docs)

            spacy_seconds, matches = median_of(spacy_run, args.runs)
            row += f" {matches:,} | {spacy_seconds * 1e3:.0f} | {spacy_seconds / seconds:,.0f}x |"
        else:
            row += " | | |"
        print(row)


if __name__ == "__main__":
    main()
