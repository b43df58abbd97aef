#!/usr/bin/env python3
"""kwiq's freq() and collocates() side by side with conc's frequencies() and
collocates() on the benchmark corpus (issue 5).

    python bench/analysis.py --mb 100 --runs 5

The corpus, its documents and the conc build are those of bench/compare.py
(same work directory: the 10 MB cut of ../shared/corpus, or $KWIQ_CORPUS,
repeated to the size, documents of 100,000 characters; conc with the blank
English spaCy pipeline). conc's saved corpus from an earlier compare.py run is loaded if
it is there, else built. Each tool runs in its own child process, one after
the other: the first call of each function is timed on its own, then the
median of --runs further calls. kwiq keeps freq()'s counts and table once
made (conc makes its frequency table at build time), so its first call is
reported beside the later ones. Results go to standard output and to
bench/results/<date>-analysis-<size>mb.md.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import statistics
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import compare  # noqa: E402  (the corpus, the conc build and the timing helpers)

WORD = compare.COLLOCATE_WORD


def timed(fn, runs: int) -> dict:
    """The first call's time, then the median of `runs` more, and the result."""
    start = time.perf_counter()
    result = fn()
    first = time.perf_counter() - start
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    if hasattr(result, "iloc"):  # pandas: the word is the first column
        top = result.iloc[:5, 0].tolist()
    else:  # polars: the first column of strings (the first column is a rank)
        words = [name for name, kind in result.schema.items() if kind == pl_string()]
        top = result[words[0]].head(5).to_list() if words else []
    return {
        "first": first,
        "median": statistics.median(times),
        "rows": len(result),
        "top": [str(w) for w in top],
    }


def pl_string():
    import polars as pl

    return pl.String


def child(spec: dict) -> dict:
    runs = spec["runs"]
    out: dict = {"tool": spec["tool"]}
    if spec["tool"] == "kwiq":
        import pandas  # noqa: F401  (imported before the clock starts)

        import kwiq

        docs = compare.load_docs(spec["folder"])
        start = time.perf_counter()
        corpus = kwiq.Corpus(docs)
        out["build_s"] = time.perf_counter() - start
        del docs
        out["tokens"] = corpus.n_tokens
        out["freq"] = timed(corpus.freq, runs)
        out["collocates"] = timed(lambda: corpus.collocates(WORD), runs)
    else:
        from conc.conc import Conc
        from conc.core import set_logger_state
        from conc.corpus import Corpus as ConcCorpus

        set_logger_state("quiet")
        start = time.perf_counter()
        if Path(spec["conc_path"]).exists():
            corpus = ConcCorpus().load(spec["conc_path"])
            out["loaded"] = True
        else:
            corpus = ConcCorpus("bench").build_from_files(
                source_path=os.path.join(spec["folder"], "docs"),
                save_path=spec["conc_out"],
                model=spec["spacy_model"],
                file_mask="*.txt",
            )
            out["loaded"] = False
        out["build_s"] = time.perf_counter() - start
        out["tokens"] = corpus.token_count
        reports = Conc(corpus)
        out["freq"] = timed(lambda: reports.frequencies(page_size=0).to_frame(), runs)
        out["collocates"] = timed(lambda: reports.collocates(WORD, page_size=0).to_frame(), runs)
    return out


def report(mb: int, n_docs: int, kw: dict, cc: dict | None, runs: int) -> str:
    fmt = compare.fmt_time
    lines = [
        f"# kwiq freq() and collocates() against conc, {mb} MB",
        "",
        f"{datetime.date.today()}, {platform.processor() or platform.machine()}, "
        f"Python {platform.python_version()}; the 10 MB benchmark cut repeated to "
        f"{mb} MB, {n_docs} documents; kwiq {kw['tokens']:,} tokens"
        + (f", conc {cc['tokens']:,} tokens" if cc else "")
        + ". Medians of "
        f"{runs} calls after a first call timed alone (`python bench/analysis.py "
        f"--mb {mb} --runs {runs}`).",
        "",
        "| call | kwiq first | kwiq median | rows | conc first | conc median | rows | "
        "conc / kwiq (medians) |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for name, kw_call, conc_call in (
        ("freq", "`corpus.freq()`", "`frequencies(page_size=0).to_frame()`"),
        (
            "collocates",
            f"`corpus.collocates({WORD!r})`",
            f"`collocates({WORD!r}, page_size=0).to_frame()`",
        ),
    ):
        k = kw[name]
        c = cc[name] if cc else None
        ratio = f"{c['median'] / k['median']:.1f}x" if c else "n/a"
        lines.append(
            f"| {kw_call} / {conc_call} | {fmt(k['first'])} | {fmt(k['median'])} | "
            f"{k['rows']:,} | {fmt(c['first']) if c else 'n/a'} | "
            f"{fmt(c['median']) if c else 'n/a'} | "
            f"{c['rows'] if c else 'n/a'} | {ratio} |"
        )
    lines += ["", "Top rows, as a check that both count the same text:", ""]
    for name in ("freq", "collocates"):
        lines.append(
            f"- {name}: kwiq {', '.join(kw[name]['top'])}"
            + (f"; conc {', '.join(cc[name]['top'])}" if cc else "")
        )
    lines += [
        "",
        "kwiq's freq() counts once per corpus (the first call) and keeps the "
        "counts and the table, so later calls copy the kept table; conc computes "
        "its frequency table when it builds the corpus. kwiq's collocates() "
        "computes everything at each call (the vocabulary is fetched once per "
        "corpus).",
    ]
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0], epilog=compare.CORPUS_HELP)
    parser.add_argument("--mb", type=int, default=100, help="corpus size in MB")
    parser.add_argument("--runs", type=int, default=5, help="calls after the first")
    parser.add_argument(
        "--workdir",
        default="/tmp/kwiq-bench",
        help="where compare.py keeps the documents and conc's corpus",
    )
    parser.add_argument("--no-conc", action="store_true", help="kwiq only")
    parser.add_argument("--out", default=str(HERE / "results"))
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child(json.loads(args.child))))
        return
    if args.runs < 3:
        parser.error("--runs must be at least 3")
    work = Path(args.workdir) / f"{args.mb}mb"
    n_docs, _ = compare.write_docs(args.mb, work)
    spec = {
        "folder": str(work),
        "runs": args.runs,
        "conc_out": str(work / "conc"),
        "conc_path": str(work / "conc" / "bench.corpus"),
    }
    compare.log(f"kwiq on {work} ...")
    kw = compare.run_child(dict(spec, tool="kwiq"), __file__)
    cc = None
    if not args.no_conc:
        why = compare.available("conc")
        if why:
            compare.log(f"conc skipped: {why}")
        else:
            spec["spacy_model"] = compare.blank_spacy_model(Path(args.workdir) / "spacy-blank-en")
            compare.log("conc ...")
            cc = compare.run_child(dict(spec, tool="conc"), __file__)
    text = report(args.mb, n_docs, kw, cc, args.runs)
    print(text)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    (out / f"{datetime.date.today()}-analysis-{args.mb}mb.md").write_text(text)


if __name__ == "__main__":
    main()
