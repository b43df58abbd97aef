#!/usr/bin/env python3
"""kwiq side by side with NLTK, conc and re on the benchmark corpus.

    python bench/compare.py --mb 10 --runs 3
    python bench/compare.py --sizes 10,100 --runs 3
    python bench/compare.py --sizes 1000 --allow-1gb          # kwiq only at 1 GB
    python bench/compare.py --mb 100 --tools kwiq --baseline-python OLD/bin/python

The corpus is the benchmark corpus of ../shared/corpus/README.md, read
from $KWIQ_CORPUS if set, else from ../shared/corpus beside the checkout
(gutenberg/, state_union/, inaugural/, movie_reviews/, each file decoded as
UTF-8, else cp1252, concatenated in path order), cut to 10 MB of UTF-8 and
repeated to reach larger sizes, split into documents of 100,000 characters.

Every build runs in a fresh subprocess, once per run: its time is the median
of the runs, and its memory is read from the OS (/proc/self/status) in that
subprocess: VmRSS just before the build (after the imports and after reading
the documents: an idle interpreter with the same imports and data) is the
baseline; VmHWM, reset through /proc/self/clear_refs just before the build,
less that baseline is the peak the build added; VmRSS after the build (gc
and malloc_trim(0) both times) less the baseline is what the built index
keeps resident. Queries run in the first run's subprocess, each timed
--runs times, median kept. Benchmark-only dependencies: bench/requirements.txt.
Results go to bench/results/<date>-<size>mb.md and to standard output.
"""

from __future__ import annotations

import argparse
import collections
import ctypes
import datetime
import gc
import importlib.metadata
import inspect
import json
import math
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
# Every bench/*.py reads the corpus from here (the tests use tests/data).
CORPUS = Path(os.environ.get("KWIQ_CORPUS") or HERE.parents[1] / "shared" / "corpus")
CORPUS_HELP = (
    "The corpus: $KWIQ_CORPUS if set, else ../shared/corpus beside the checkout "
    f"(here {CORPUS}), the folder ../shared/corpus/README.md describes."
)
FOLDERS = ["gutenberg", "state_union", "inaugural", "movie_reviews"]
BASE_MB = 10  # the cut that is repeated to reach larger sizes
DOC_CHARS = 100_000  # characters per document
PAGE = 60  # lines in a "first page"
N_WORDS = 20
# Phrases of falling frequency (10 MB: 16,855 / 2,658 / 326 / 139 / 67 hits in kwiq).
PHRASES = ["of the", "it was", "the united states", "in spite of", "on the other hand"]
COLLOCATE_WORD = "time"  # a frequent content word for collocates

# Builds and what each needs; the order in which they run.
BUILDS = [
    "kwiq-1",
    "kwiq-2",
    "kwiq-files",
    "kwiq-load",
    "re",
    "nltk-wordpunct",
    "nltk-word",
    "conc",
    "conc-load",
]
TOOLS = {
    "kwiq": ["kwiq-1", "kwiq-2", "kwiq-files", "kwiq-load"],
    "re": ["re"],
    "nltk": ["nltk-wordpunct", "nltk-word"],
    "conc": ["conc", "conc-load"],
}


# ----------------------------------------------------------------- the corpus


def read(path: Path) -> str:
    data = path.read_bytes()
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def base_text(megabytes: int = BASE_MB) -> str:
    """The benchmark corpus cut to ``megabytes`` MB of UTF-8."""
    missing = [folder for folder in FOLDERS if not (CORPUS / folder).is_dir()]
    if missing:
        sys.exit(
            f"no {', '.join(missing)} in {CORPUS}: set KWIQ_CORPUS to the benchmark "
            "corpus (../shared/corpus/README.md)"
        )
    parts = [read(p) for folder in FOLDERS for p in sorted((CORPUS / folder).rglob("*.txt"))]
    data = "\n\n".join(parts).encode("utf-8")[: megabytes * 1_000_000]
    return data.decode("utf-8", errors="ignore")


def corpus_docs(megabytes: int) -> list[str]:
    """Documents of DOC_CHARS characters: the 10 MB cut (or a shorter one),
    repeated to ``megabytes`` MB."""
    base = base_text(min(megabytes, BASE_MB))
    text = base * max(1, megabytes // BASE_MB)
    return [text[i : i + DOC_CHARS] for i in range(0, len(text), DOC_CHARS)]


def write_docs(megabytes: int, folder: Path) -> tuple[int, int]:
    """Write the documents as UTF-8 files (00000.txt ...) once; return
    (documents, UTF-8 bytes)."""
    stamp = folder / "STAMP.json"
    if stamp.exists():
        info = json.loads(stamp.read_text())
        return info["docs"], info["bytes"]
    if folder.exists():
        shutil.rmtree(folder)
    (folder / "docs").mkdir(parents=True)
    n_bytes = 0
    docs = corpus_docs(megabytes)
    for i, doc in enumerate(docs):
        data = doc.encode("utf-8")
        n_bytes += len(data)
        (folder / "docs" / f"{i:05d}.txt").write_bytes(data)
    stamp.write_text(json.dumps({"docs": len(docs), "bytes": n_bytes}))
    return len(docs), n_bytes


def pick_words(text: str, n: int = N_WORDS) -> list[tuple[str, int]]:
    """``n`` words from very frequent to rare: for counts spaced evenly on a
    log scale from the top count down to 1, the most frequent lower-case
    ASCII word whose count is nearest. Words are runs of letters (with
    inner apostrophes, so that "don't" gives no "t"); only pure letters are
    kept, and of single letters only "a" and "I", so that every tool sees
    each word as one token."""
    tokens = re.findall(r"[A-Za-z]+(?:['\u2019][A-Za-z]+)*", text)
    counts = collections.Counter(
        t.lower() for t in tokens if t.isalpha() and (len(t) > 1 or t in "aAI")
    )
    ranked = counts.most_common()
    top = ranked[0][1]
    chosen: list[tuple[str, int]] = []
    for i in range(n):
        target = top ** (1 - i / (n - 1))
        best = min(
            (w for w in ranked if w[0] not in dict(chosen)),
            key=lambda wc: abs(math.log(wc[1]) - math.log(target)),
        )
        chosen.append(best)
    return chosen


# ------------------------------------------------------- measuring a process


def status_kb() -> dict[str, int]:
    text = Path("/proc/self/status").read_text()
    return {key: int(re.search(key + r":\s+(\d+)", text).group(1)) for key in ("VmRSS", "VmHWM")}


def settle() -> None:
    """Collect garbage and give free heap pages back, so VmRSS is what is
    really held."""
    gc.collect()
    try:
        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):
        pass


def reset_peak() -> bool:
    """Reset VmHWM to the current RSS (Linux >= 4.0)."""
    try:
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")
        return True
    except OSError:
        return False


def median_time(fn, runs: int):
    """The median seconds of `runs` calls of fn, and what the last returned.
    What a call returns is freed after its time is taken, never inside the
    next call's: making a million lines is timed, not freeing them."""
    times, result = [], None
    for _ in range(runs):
        result = None
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


# ------------------------------------------------------------ child processes


def load_docs(folder: str) -> list[str]:
    paths = sorted(Path(folder, "docs").glob("*.txt"))
    return [p.read_text(encoding="utf-8") for p in paths]


def kwiq_supports(name: str) -> bool:
    import kwiq

    if name == "threads":
        return "threads" in inspect.signature(kwiq.Corpus).parameters
    return hasattr(kwiq.Corpus, name)


def kwiq_build(docs, threads):
    import kwiq

    if kwiq_supports("threads"):
        return kwiq.Corpus(docs, threads=threads)
    if threads != 1:
        raise RuntimeError("kwiq.Corpus has no threads=")
    return kwiq.Corpus(docs)


def kwiq_from_files(folder):
    import kwiq

    kwargs = {}
    params = inspect.signature(kwiq.Corpus.from_files).parameters
    if "progress" in params:
        kwargs["progress"] = False
    return kwiq.Corpus.from_files([os.path.join(folder, "docs", "*.txt")], **kwargs)


def kwiq_queries(corpus, spec, ops) -> dict:
    runs = spec["qruns"]
    out = {}
    for q in spec["queries"]:
        row = {}
        t, conc = median_time(lambda: corpus.kwic(q), 1)
        row["hits"] = len(conc)
        if "count60" in ops:

            def count60():
                c = corpus.kwic(q)
                return len(c), c[:PAGE]

            row["count60"], _ = median_time(count60, runs)
        if "all" in ops:
            row["all"], _ = median_time(lambda: list(corpus.kwic(q)), runs)
        if "pandas" in ops:
            try:
                import pandas  # noqa: F401  (to_pandas needs it)

                row["pandas"], _ = median_time(lambda: corpus.kwic(q).to_pandas(), runs)
            except ImportError:
                pass
        if "sorted60" in ops and hasattr(conc, "sort"):
            row["sorted60"], _ = median_time(
                lambda: corpus.kwic(q).sort("R1", "R2", "R3")[:PAGE], runs
            )
        out[q] = row
    return out


def child(spec: dict) -> dict:
    """One build (or load) in this fresh process, then its queries."""
    kind = spec["build"]
    folder = spec["folder"]
    result: dict = {"build": kind}
    # Imports first: they are part of the baseline.
    if kind.startswith("kwiq"):
        import kwiq

        if spec.get("queries"):
            try:
                import pandas  # noqa: F401
            except ImportError:
                pass
    elif kind.startswith("nltk"):
        from nltk.text import ConcordanceIndex, Text
        from nltk.tokenize import word_tokenize, wordpunct_tokenize
    elif kind.startswith("conc"):
        from conc.conc import Conc
        from conc.core import set_logger_state
        from conc.corpus import Corpus as ConcCorpus

        set_logger_state("quiet")

    docs = None if kind in ("kwiq-files", "kwiq-load", "conc", "conc-load") else load_docs(folder)
    settle()
    rss0 = status_kb()["VmRSS"]
    result["reset"] = reset_peak()
    if spec.get("idle"):
        # The fallback baseline: the same imports and data, no build.
        result.update(build_s=0.0, hwm_kb=status_kb()["VmHWM"], rss0_kb=rss0, rss1_kb=rss0)
        return result
    start = time.perf_counter()

    if kind in ("kwiq-1", "kwiq-2"):
        index = kwiq_build(docs, 1 if kind == "kwiq-1" else 2)
    elif kind == "kwiq-files":
        index = kwiq_from_files(folder)
    elif kind == "kwiq-load":
        index = kwiq.Corpus.load(spec["kwiq_file"])
    elif kind == "re":
        index = "".join(docs)  # the raw text: no index
        del docs
        docs = None
    elif kind.startswith("nltk"):
        tokenize = (
            wordpunct_tokenize
            if kind == "nltk-wordpunct"
            else lambda text: word_tokenize(text, preserve_line=True)
        )
        tokens = []
        for doc in docs:
            tokens.extend(tokenize(doc))
        result["tokenize_s"] = time.perf_counter() - start
        mid = time.perf_counter()
        # What Text.concordance_list builds on its first call.
        index = Text(tokens)
        del tokens
        index._concordance_index = ConcordanceIndex(index.tokens, key=lambda s: s.lower())
        result["index_s"] = time.perf_counter() - mid
        result["tokens"] = len(index.tokens)
    elif kind == "conc":
        out = Path(spec["conc_out"])
        if out.exists():
            shutil.rmtree(out)
        index = ConcCorpus("bench").build_from_files(
            source_path=os.path.join(folder, "docs"),
            save_path=str(out),
            model=spec["spacy_model"],
            file_mask="*.txt",
        )
    elif kind == "conc-load":
        index = ConcCorpus().load(spec["conc_path"])
    result["build_s"] = time.perf_counter() - start
    result["hwm_kb"] = status_kb()["VmHWM"]
    settle()
    result["rss0_kb"] = rss0
    result["rss1_kb"] = status_kb()["VmRSS"]

    if kind.startswith("kwiq"):
        result["tokens"] = index.n_tokens
        if kind == "kwiq-1" and spec.get("kwiq_file") and hasattr(index, "save"):
            path = spec["kwiq_file"]
            if os.path.exists(path):
                os.remove(path)  # each run saves anew
            result["save_s"], _ = median_time(lambda: index.save(path), 1)
            result["file_bytes"] = os.path.getsize(path)
    if kind == "conc":
        result["tokens"] = index.token_count
        result["file_bytes"] = sum(
            f.stat().st_size for f in Path(spec["conc_out"]).rglob("*") if f.is_file()
        )
    if not spec.get("queries"):
        return result

    runs = spec["qruns"]
    if kind == "kwiq-1":
        result["queries"] = kwiq_queries(index, spec, ("count60", "all", "pandas", "sorted60"))
        for name, call in (
            ("freq", lambda: index.freq()),
            ("collocates", lambda: index.collocates(COLLOCATE_WORD)),
        ):
            if hasattr(index, name):
                result[name + "_s"], _ = median_time(call, runs)
    elif kind in ("kwiq-2", "kwiq-files", "kwiq-load"):
        start = time.perf_counter()
        len(index.kwic(spec["queries"][0])[:PAGE])
        result["first_query_s"] = time.perf_counter() - start
        result["queries"] = kwiq_queries(index, spec, ("count60",))
    elif kind == "re":
        text = index
        out = {}
        for q in spec["queries"]:
            pattern = re.compile(
                r"\b" + r"\s+".join(map(re.escape, q.split())) + r"\b", re.IGNORECASE
            )

            def count60():
                n, lines = 0, []
                for m in pattern.finditer(text):
                    if n < PAGE:
                        s, e = m.span()
                        lines.append((text[max(0, s - 40) : s], m.group(), text[e : e + 40]))
                    n += 1
                return n, lines

            t, (hits, _) = median_time(count60, runs)
            out[q] = {"hits": hits, "count60": t}
        result["queries"] = out
    elif kind.startswith("nltk"):
        out = {}
        for q in spec["queries"]:
            word = q.split() if " " in q else q
            # concordance_list makes every line, then keeps the first `lines`.
            t, lines = median_time(
                lambda: index.concordance_list(word, width=79, lines=sys.maxsize), runs
            )
            out[q] = {"hits": len(lines), "concordance_list": t}
        result["queries"] = out
    elif kind in ("conc", "conc-load"):
        reports = Conc(index)
        start = time.perf_counter()
        reports.concordance(spec["queries"][0], page_size=PAGE)
        result["first_query_s"] = time.perf_counter() - start
        if kind == "conc":
            out = {}
            for q in spec["queries"]:
                t, page = median_time(lambda: reports.concordance(q, page_size=PAGE), runs)
                out[q] = {"hits": page.summary_data.get("total_count", 0), "page60": t}
            result["queries"] = out
            result["freq_s"], freq = median_time(
                lambda: reports.frequencies(page_size=0).to_frame(), runs
            )
            result["freq_rows"] = len(freq)
            result["collocates_s"], coll = median_time(
                lambda: reports.collocates(COLLOCATE_WORD, page_size=0).to_frame(), runs
            )
            result["collocates_rows"] = len(coll)
    return result


def run_child(spec: dict, script: str = __file__, python: str = sys.executable) -> dict:
    """Run `python script --child SPEC` in a fresh process: what it printed
    last, as JSON."""
    proc = subprocess.run(
        [python, script, "--child", json.dumps(spec)], capture_output=True, text=True
    )
    if proc.returncode != 0:
        name = spec.get("build") or spec.get("tool")
        raise RuntimeError(f"{name} failed:\n{proc.stderr[-3000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


# ------------------------------------------------------------------ the parent


def available(build: str) -> str | None:
    """None when the build can run here, else why not."""

    def missing(module):
        try:
            importlib.metadata.version(module)
            return None
        except importlib.metadata.PackageNotFoundError:
            return f"{module} not installed (pip install -r bench/requirements.txt)"

    if build.startswith("kwiq"):
        try:
            import kwiq
        except ImportError:
            return "kwiq not installed"
        if build == "kwiq-2" and "threads" not in inspect.signature(kwiq.Corpus).parameters:
            return "no threads= in kwiq.Corpus"
        if build == "kwiq-files" and not hasattr(kwiq.Corpus, "from_files"):
            return "no kwiq.Corpus.from_files"
        if build == "kwiq-load" and not (
            hasattr(kwiq.Corpus, "load") and hasattr(kwiq.Corpus, "save")
        ):
            return "no kwiq.Corpus.save/load"
        return None
    if build.startswith("nltk"):
        return missing("nltk")
    if build.startswith("conc"):
        return missing("conc") or missing("spacy")
    return None


def blank_spacy_model(path: Path) -> str:
    """A blank English spaCy pipeline on disk, so that conc needs no model
    download. conc disables the components parser, ner, lemmatizer, tagger,
    senter, tok2vec and attribute_ruler by name when it loads a model, and
    spaCy refuses to disable a component that is not there; so the pipeline
    holds weightless placeholders (sentencizers) of those names, which conc
    then disables: only the blank English tokenizer runs."""
    if not (path / "meta.json").exists():
        import spacy

        nlp = spacy.blank("en")
        for name in (
            "parser",
            "ner",
            "lemmatizer",
            "tagger",
            "senter",
            "tok2vec",
            "attribute_ruler",
        ):
            nlp.add_pipe("sentencizer", name=name)
        nlp.to_disk(path)
    return str(path)


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def measure_size(mb: int, builds: list[str], args, queries: list[str]) -> dict:
    work = Path(args.workdir) / f"{mb}mb"
    n_docs, n_bytes = write_docs(mb, work)
    log(f"== {mb} MB: {n_docs} documents, {n_bytes:,} bytes of UTF-8 in {work}/docs")
    results: dict = {"mb": mb, "docs": n_docs, "bytes": n_bytes, "builds": {}, "skipped": {}}
    base = {
        "folder": str(work),
        "queries": queries,
        "qruns": args.runs,
        "kwiq_file": str(work / "corpus.kwiq"),
        "conc_out": str(work / "conc"),
        "conc_path": str(work / "conc" / "bench.corpus"),
    }
    if any(b.startswith("conc") for b in builds):
        base["spacy_model"] = blank_spacy_model(Path(args.workdir) / "spacy-blank-en")
    for build in builds:
        why = available(build)
        if why is None and build == "kwiq-load" and not Path(base["kwiq_file"]).exists():
            why = "no saved corpus (kwiq-1 did not run)"
        if why is None and build == "conc-load" and "conc" not in results["builds"]:
            why = "conc did not build"
        if why:
            results["skipped"][build] = why
            log(f"   {build}: n/a ({why})")
            continue
        sides = [("builds", sys.executable, base)]
        if args.baseline_python and build.startswith("kwiq"):
            sides.append(
                (
                    "baseline",
                    args.baseline_python,
                    dict(base, kwiq_file=str(work / "corpus-baseline.kwiq")),
                )
            )
        for key, _python, _side_base in sides:
            results.setdefault(key, {})[build] = []
        for i in range(args.runs):
            # Each run alternates which side goes first, so that a drift of
            # the machine's load falls on both alike.
            for key, python, side_base in sides if i % 2 == 0 else sides[::-1]:
                spec = dict(side_base, build=build)
                if i > 0 and not args.baseline_python:
                    spec["queries"] = []
                started = time.perf_counter()
                run = run_child(spec, python=python)
                results[key][build].append(run)
                log(
                    f"   {build}{' (baseline)' if key == 'baseline' else ''} run "
                    f"{i + 1}/{args.runs}: build {run['build_s']:.3f} s "
                    f"(child {time.perf_counter() - started:.1f} s)"
                )
        for key, python, side_base in sides:
            runs = results[key][build]
            if not all(r["reset"] for r in runs):
                # No peak reset here: an idle child with the same imports and data.
                idle = run_child(dict(side_base, build=build, queries=[], idle=True), python=python)
                for r in runs:
                    r["hwm_base_kb"] = idle["hwm_kb"]
    return results


def ab_report(res: dict, word_list: list[str]) -> str:
    """This checkout's kwiq against --baseline-python's, build by build and
    query by query: medians over every run of both (with a baseline, every
    run also times the queries), and their ratio (above 1: this checkout is
    slower)."""
    lines = [
        f"## This checkout against the baseline ({res['mb']} MB)",
        "",
        "| build | measure | this checkout | baseline | ratio |",
        "|---|---|---|---|---|",
    ]

    def row(build, measure, new, old, fmt):
        ratio = f"{new / old:.3f}" if new and old else "n/a"
        lines.append(f"| {build} | {measure} | {fmt(new)} | {fmt(old)} | {ratio} |")

    for build, base_runs in res.get("baseline", {}).items():
        runs = res["builds"][build]
        row(build, "build", med(runs, "build_s"), med(base_runs, "build_s"), fmt_time)
        kept = [
            statistics.median((r["rss1_kb"] - r["rss0_kb"]) * 1024 / res["bytes"] for r in side)
            for side in (runs, base_runs)
        ]
        row(build, "resident / text", *kept, lambda v: f"{v:.2f}x")
        for op, label in (
            ("count60", "count + first 60, summed over the words"),
            ("all", "all lines, summed over the words"),
        ):
            totals = []
            for side in (runs, base_runs):
                per_run = [
                    sum(r["queries"][q][op] for q in word_list)
                    for r in side
                    if all(op in r["queries"].get(q, {}) for q in word_list)
                ]
                totals.append(statistics.median(per_run) if per_run else None)
            if any(totals):
                row(build, label, *totals, fmt_time)
    return "\n".join(lines)


# ------------------------------------------------------------------- reporting


def med(runs: list[dict], key: str):
    values = [r[key] for r in runs if key in r]
    return statistics.median(values) if values else None


def fmt_time(seconds) -> str:
    if seconds is None:
        return "n/a"
    if seconds >= 1:
        return f"{seconds:.2f} s"
    if seconds >= 1e-3:
        return f"{seconds * 1e3:.1f} ms"
    return f"{seconds * 1e6:.1f} µs"


def fmt_per_hit(seconds: float) -> str:
    return f"{seconds * 1e6:.2f} µs" if seconds >= 1e-8 else f"{seconds * 1e9:.1f} ns"


def fmt_ratio(value) -> str:
    if value is None:
        return "n/a"
    if value >= 10:
        return f"{value:,.0f}x"
    return f"{value:.1f}x" if value >= 1 else f"{value:.2g}x"


def summarize(res: dict) -> dict:
    """Medians, memory and query totals per build."""
    n_bytes = res["bytes"]
    s: dict = {}
    for build, runs in res["builds"].items():
        d: dict = {"build_s": med(runs, "build_s"), "tokens": runs[0].get("tokens")}
        for key in (
            "tokenize_s",
            "index_s",
            "save_s",
            "file_bytes",
            "first_query_s",
            "freq_s",
            "collocates_s",
            "freq_rows",
            "collocates_rows",
        ):
            d[key] = med(runs, key)
        peaks = [(r["hwm_kb"] - r.get("hwm_base_kb", r["rss0_kb"])) * 1024 for r in runs]
        kept = [(r["rss1_kb"] - r["rss0_kb"]) * 1024 for r in runs]
        d["peak_bytes"] = statistics.median(peaks)
        d["kept_bytes"] = statistics.median(kept)
        d["mbps"] = n_bytes / d["build_s"] / 1e6 if d["build_s"] else None
        d["queries"] = runs[0].get("queries", {})
        s[build] = d
    return s


def query_totals(queries: dict, names: list[str], op: str):
    """(total seconds, total hits) of an op over some queries, or None."""
    rows = [queries.get(q, {}) for q in names]
    if not rows or any(op not in r for r in rows):
        return None
    return sum(r[op] for r in rows), sum(r["hits"] for r in rows)


def report(res: dict, words: list[tuple[str, int]], args) -> str:
    s = summarize(res)
    n_bytes = res["bytes"]
    mb = res["mb"]
    word_list = [w for w, _ in words]
    lines: list[str] = []
    add = lines.append

    def skipped(build):
        return res["skipped"].get(build, "not run")

    add(f"# kwiq benchmark, {mb} MB ({datetime.date.today().isoformat()})")
    add("")
    add(res.get("note") or machine_note(res, args))
    add("")

    # Builds
    k1 = s.get("kwiq-1", {})
    kb = k1.get("build_s")
    add("## Build")
    add("")
    add(
        "Ratio to kwiq: this row's median time over kwiq's 1-thread build time "
        "(above 1: slower than kwiq)."
    )
    add("")
    add("| tool | operation | median | throughput | ratio to kwiq |")
    add("|---|---|---|---|---|")

    def build_row(tool, op, build, ref=kb, extra=""):
        d = s.get(build)
        if not d:
            add(f"| {tool} | {op} | n/a | {skipped(build)} | n/a |")
            return
        ratio = d["build_s"] / ref if ref else None
        add(
            f"| {tool} | {op} | {fmt_time(d['build_s'])} | {d['mbps']:.1f} MB/s{extra} | "
            f"{fmt_ratio(ratio)} |"
        )

    build_row("kwiq", "build, 1 thread: `Corpus(docs)`", "kwiq-1")
    build_row("kwiq", "build, 2 threads: `Corpus(docs, threads=2)`", "kwiq-2")
    build_row("kwiq", "build from files: `Corpus.from_files(glob)`", "kwiq-files")
    if k1.get("save_s") is not None:
        add(
            f"| kwiq | save: `corpus.save(path)` | {fmt_time(k1['save_s'])} | "
            f"file {k1['file_bytes'] / n_bytes:.2f}x text | |"
        )
    else:
        add("| kwiq | save: `corpus.save(path)` | n/a | no kwiq.Corpus.save | n/a |")
    build_row("kwiq", "load: `Corpus.load(path)`", "kwiq-load")
    for build, op in (
        ("nltk-word", "`word_tokenize(doc, preserve_line=True)` + `Text` + `ConcordanceIndex`"),
        ("nltk-wordpunct", "`wordpunct_tokenize(doc)` + `Text` + `ConcordanceIndex`"),
    ):
        d = s.get(build)
        extra = ""
        if d:
            extra = f" (tokenize {fmt_time(d['tokenize_s'])}, index {fmt_time(d['index_s'])})"
        build_row("NLTK", op, build, extra=extra)
    d = s.get("conc")
    extra = f" (writes {d['file_bytes'] / n_bytes:.2f}x text of Parquet)" if d else ""
    build_row("conc", "`Corpus.build_from_files` (blank spaCy `en`)", "conc", extra=extra)
    build_row("conc", "`Corpus.load(path)`", "conc-load")
    add("")

    # Memory
    add("## Memory (from the OS, in the build's own process)")
    add("")
    add("| tool | build | tokens | peak added during build | resident after build |")
    add("|---|---|---|---|---|")
    for build, name in (
        ("kwiq-1", "kwiq, 1 thread"),
        ("kwiq-2", "kwiq, 2 threads"),
        ("kwiq-files", "kwiq, from_files"),
        ("kwiq-load", "kwiq, load"),
        ("nltk-word", "NLTK word_tokenize"),
        ("nltk-wordpunct", "NLTK wordpunct"),
        ("conc", "conc"),
        ("conc-load", "conc, load"),
    ):
        d = s.get(build)
        if not d:
            continue
        tokens = f"{d['tokens']:,}" if d.get("tokens") else ""
        add(
            f"| {name} | {fmt_time(d['build_s'])} | {tokens} | "
            f"{d['peak_bytes'] / 1e6:,.0f} MB ({d['peak_bytes'] / n_bytes:.2f}x text) | "
            f"{d['kept_bytes'] / 1e6:,.0f} MB ({d['kept_bytes'] / n_bytes:.2f}x text) |"
        )
    add("")

    # Queries, in totals
    kq = k1.get("queries", {})
    groups = (("20 words", word_list), ("5 phrases", PHRASES))
    add("## Queries (sum of the per-query medians; per hit = that sum / hits)")
    add("")
    add(
        "Ratio to kwiq: this row's time over the kwiq operation named, on the same "
        "queries. NLTK's `concordance_list` makes every line before it keeps the first "
        "`lines`, so its cost is that of all lines whatever the page."
    )
    add("")
    add(
        "| tool | operation | queries | hits | median (sum) | per query | per hit | ratio to kwiq |"
    )
    add("|---|---|---|---|---|---|---|---|")

    def q_row(tool, op_name, build, op, group, names, ref_op):
        d = s.get(build)
        if not d:
            add(f"| {tool} | {op_name} | {group} | | n/a | | | n/a |")
            return
        tot = query_totals(d["queries"], names, op)
        if tot is None:
            add(f"| {tool} | {op_name} | {group} | | n/a | | | n/a |")
            return
        ratios = []
        for one in (ref_op,) if isinstance(ref_op, str) else ref_op or ():
            ref = query_totals(kq, names, one)
            if ref:
                ratios.append(fmt_ratio(tot[0] / ref[0]) + f" vs {OP_NAMES[one]}")
        ratio = "; ".join(ratios)
        per_hit = fmt_per_hit(tot[0] / tot[1]) if tot[1] else ""
        add(
            f"| {tool} | {op_name} | {group} | {tot[1]:,} | {fmt_time(tot[0])} | "
            f"{fmt_time(tot[0] / len(names))} | {per_hit} | {ratio} |"
        )

    for group, names in groups:
        q_row("kwiq", "count + first 60 lines", "kwiq-1", "count60", group, names, None)
        q_row("kwiq", "all lines as `Line` objects", "kwiq-1", "all", group, names, None)
        q_row("kwiq", "`to_pandas()`", "kwiq-1", "pandas", group, names, None)
        q_row("kwiq", "sort R1 R2 R3 + first 60 lines", "kwiq-1", "sorted60", group, names, None)
        q_row(
            "kwiq (loaded)",
            "count + first 60 lines",
            "kwiq-load",
            "count60",
            group,
            names,
            "count60",
        )
        q_row(
            "NLTK word_tokenize",
            "`concordance_list` (every line)",
            "nltk-word",
            "concordance_list",
            group,
            names,
            ("count60", "all"),
        )
        q_row(
            "NLTK wordpunct",
            "`concordance_list` (every line)",
            "nltk-wordpunct",
            "concordance_list",
            group,
            names,
            "count60",
        )
        q_row("re", "`finditer`: count + first 60 lines", "re", "count60", group, names, "count60")
        q_row(
            "conc",
            "`concordance(q, page_size=60)` (sorted 1R2R3R)",
            "conc",
            "page60",
            group,
            names,
            "sorted60",
        )
    add("")

    # freq and collocates
    add("## Frequency list and collocates")
    add("")
    add("| tool | operation | median | rows | ratio to kwiq |")
    add("|---|---|---|---|---|")
    c = s.get("conc", {})
    for name, kw_call, conc_call in (
        ("freq", "`corpus.freq()`", "`frequencies(page_size=0)`"),
        (
            "collocates",
            f"`corpus.collocates({COLLOCATE_WORD!r})`",
            f"`collocates({COLLOCATE_WORD!r}, page_size=0)`",
        ),
    ):
        kt = k1.get(name + "_s")
        add(
            f"| kwiq | {kw_call} | {fmt_time(kt)} | | "
            f"{'' if kt is not None else 'n/a: not in this kwiq'} |"
        )
        ct = c.get(name + "_s")
        rows = c.get(name + "_rows")
        ratio = fmt_ratio(ct / kt) if (ct and kt) else "n/a"
        add(
            f"| conc | {conc_call} | {fmt_time(ct)} | {rows if rows is not None else ''} | "
            f"{ratio} |"
        )
    if c.get("first_query_s") is not None:
        add(
            f"| conc | first query after the build (reads the token arrays) | "
            f"{fmt_time(c['first_query_s'])} | | |"
        )
    cl = s.get("conc-load", {})
    if cl.get("first_query_s") is not None:
        add(f"| conc | first query after load | {fmt_time(cl['first_query_s'])} | | |")
    add("")

    # Per query
    add("## Per query (medians)")
    add("")
    add(
        "Hits differ between tools because their tokenizers differ. kwiq, NLTK "
        "(`key=str.lower`), conc (lower-case index) and re (`IGNORECASE`) all "
        "match case-insensitively."
    )
    add("")
    add(
        "| query | kwiq hits | kwiq count + 60 | kwiq all lines / hit | kwiq to_pandas / hit | "
        "kwiq sorted 60 | NLTK word hits | NLTK word concordance_list | "
        "NLTK wordpunct concordance_list | re hits | re count + 60 | conc hits | "
        "conc page of 60 |"
    )
    add("|---|---|---|---|---|---|---|---|---|---|---|---|---|")

    def cell(build, q, op, per_hit=False):
        row = s.get(build, {}).get("queries", {}).get(q)
        if not row or op not in row:
            return "n/a"
        if op == "hits":
            return f"{row['hits']:,}"
        if per_hit:
            return f"{row[op] / row['hits'] * 1e6:.2f} µs" if row["hits"] else "-"
        return fmt_time(row[op])

    for q in word_list + PHRASES:
        add(
            f"| {q} | {cell('kwiq-1', q, 'hits')} | {cell('kwiq-1', q, 'count60')} | "
            f"{cell('kwiq-1', q, 'all', True)} | {cell('kwiq-1', q, 'pandas', True)} | "
            f"{cell('kwiq-1', q, 'sorted60')} | {cell('nltk-word', q, 'hits')} | "
            f"{cell('nltk-word', q, 'concordance_list')} | "
            f"{cell('nltk-wordpunct', q, 'concordance_list')} | {cell('re', q, 'hits')} | "
            f"{cell('re', q, 'count60')} | {cell('conc', q, 'hits')} | "
            f"{cell('conc', q, 'page60')} |"
        )
    add("")

    # Targets
    add("## Targets (issue 4; issue 5 for freq and collocates)")
    add("")
    add("| target | measured | status |")
    add("|---|---|---|")
    for target, measured, status in targets(s, res, word_list):
        add(f"| {target} | {measured} | {status} |")
    add("")
    return "\n".join(lines)


OP_NAMES = {
    "count60": "kwiq count + first 60",
    "all": "kwiq all lines",
    "sorted60": "kwiq sorted first 60",
}


def readme_tables(saved: list[dict]) -> str:
    """The README's tables: one column per size, from results .json files."""
    saved = sorted(saved, key=lambda r: r["mb"])
    sums = [summarize(r) for r in saved]
    sizes = [f"{r['mb']:,} MB" for r in saved]
    lines: list[str] = []
    add = lines.append

    def head(first: list[str], columns: list[str]):
        add("| " + " | ".join(first + columns) + " |")
        add("|" + "---|" * (len(first) + len(columns)))

    add("Build: median time, text throughput, and how many times kwiq's 1-thread build time it is.")
    add("")
    head(["tool", "build"], sizes)
    for tool, op, build in (
        ("kwiq", "`Corpus(docs)`, 1 thread", "kwiq-1"),
        ("kwiq", "`Corpus(docs, threads=2)`", "kwiq-2"),
        ("kwiq", "`Corpus.from_files(glob)`", "kwiq-files"),
        ("kwiq", "`Corpus.load(path)`", "kwiq-load"),
        ("NLTK", "`word_tokenize(doc, preserve_line=True)` + `ConcordanceIndex`", "nltk-word"),
        ("NLTK", "`wordpunct_tokenize(doc)` + `ConcordanceIndex`", "nltk-wordpunct"),
        ("conc", "`build_from_files` (blank spaCy `en`)", "conc"),
        ("conc", "`Corpus.load(path)` (lazy)", "conc-load"),
    ):
        cells = []
        for _saved, s in zip(saved, sums):
            d, k = s.get(build), s.get("kwiq-1")
            if not d:
                cells.append("n/a")
                continue
            cell = f"{fmt_time(d['build_s'])}, {d['mbps']:,.1f} MB/s"
            if build != "kwiq-1" and k:
                cell += f", {fmt_ratio(d['build_s'] / k['build_s'])}"
            cells.append(cell)
        add(f"| {tool} | {op} | " + " | ".join(cells) + " |")
    cells = []
    for r, s in zip(saved, sums):
        k = s.get("kwiq-1") or {}
        cells.append(
            f"{fmt_time(k['save_s'])}, file {k['file_bytes'] / r['bytes']:.2f}x text"
            if k.get("save_s") is not None
            else "n/a"
        )
    add("| kwiq | `corpus.save(path)` | " + " | ".join(cells) + " |")
    add("")
    add(
        "Memory, as multiples of the text's UTF-8 size: peak added during the build / "
        "resident after it."
    )
    add("")
    head(["tool"], sizes)
    for tool, build in (
        ("kwiq, 1 thread", "kwiq-1"),
        ("kwiq, 2 threads", "kwiq-2"),
        ("kwiq, load", "kwiq-load"),
        ("NLTK word_tokenize", "nltk-word"),
        ("NLTK wordpunct", "nltk-wordpunct"),
        ("conc", "conc"),
    ):
        cells = []
        for r, s in zip(saved, sums):
            d = s.get(build)
            cells.append(
                f"{d['peak_bytes'] / r['bytes']:.2f}x / {d['kept_bytes'] / r['bytes']:.2f}x"
                if d
                else "n/a"
            )
        add(f"| {tool} | " + " | ".join(cells) + " |")
    add("")
    add(
        "Queries: the sum of the per-query medians over the 20 words and over the 5 "
        "phrases, per hit where it means something, and how many times the kwiq "
        "operation named it is."
    )
    add("")
    cols = [f"{size}, {group}" for size in sizes for group in ("20 words", "5 phrases")]
    head(["tool", "operation", "against kwiq's"], cols)
    rows = (
        ("kwiq", "count + first 60 lines", "kwiq-1", "count60", None),
        ("kwiq", "all lines as `Line` objects", "kwiq-1", "all", None),
        ("kwiq", "`to_pandas()`", "kwiq-1", "pandas", None),
        ("kwiq", "sort R1 R2 R3 + first 60 lines", "kwiq-1", "sorted60", None),
        ("kwiq, loaded", "count + first 60 lines", "kwiq-load", "count60", "count60"),
        ("NLTK word_tokenize", "`concordance_list`", "nltk-word", "concordance_list", "count60"),
        ("NLTK word_tokenize", "`concordance_list`", "nltk-word", "concordance_list", "all"),
        ("NLTK wordpunct", "`concordance_list`", "nltk-wordpunct", "concordance_list", "count60"),
        ("re", "`finditer`, count + first 60 lines", "re", "count60", "count60"),
        ("conc", "`concordance(q, page_size=60)`", "conc", "page60", "sorted60"),
    )
    for tool, op_name, build, op, ref_op in rows:
        cells = []
        for r, s in zip(saved, sums):
            words = [w for w, _ in r["words"]]
            for names in (words, r.get("phrases", PHRASES)):
                d = s.get(build)
                tot = query_totals(d["queries"], names, op) if d else None
                if tot is None:
                    cells.append("n/a")
                    continue
                cell = fmt_time(tot[0])
                if op in ("all", "pandas", "concordance_list") and tot[1]:
                    cell += f", {fmt_per_hit(tot[0] / tot[1])}/hit"
                ref = (
                    query_totals(s["kwiq-1"]["queries"], names, ref_op)
                    if ref_op and "kwiq-1" in s
                    else None
                )
                if ref:
                    cell += f", {fmt_ratio(tot[0] / ref[0])}"
                cells.append(cell)
        against = OP_NAMES[ref_op].replace("kwiq ", "") if ref_op else ""
        add(f"| {tool} | {op_name} | {against} | " + " | ".join(cells) + " |")
    add("")
    head(["tool", "operation"], sizes)
    for tool, op_name, build, key in (
        ("kwiq", "`corpus.freq()`", "kwiq-1", "freq_s"),
        ("conc", "`frequencies(page_size=0)`", "conc", "freq_s"),
        ("kwiq", f"`corpus.collocates({COLLOCATE_WORD!r})`", "kwiq-1", "collocates_s"),
        ("conc", f"`collocates({COLLOCATE_WORD!r}, page_size=0)`", "conc", "collocates_s"),
        (
            "conc",
            "first query after build or load (reads the token arrays)",
            "conc",
            "first_query_s",
        ),
    ):
        cells = [fmt_time((s.get(build) or {}).get(key)) for s in sums]
        add(f"| {tool} | {op_name} | " + " | ".join(cells) + " |")
    add("")
    add("Targets of issue 4 (and issue 5's freq and collocates), as measured:")
    add("")
    head(["target"], sizes)
    per_size = [targets(s, r, [w for w, _ in r["words"]]) for r, s in zip(saved, sums)]
    for i, (label, _, _) in enumerate(per_size[-1]):
        label = label.split(" (target set at")[0]
        cells = [f"{t[i][2]}: {t[i][1]}" if t[i][2] != "n/a" else t[i][1] for t in per_size]
        add(f"| {label} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def verdict(ok) -> str:
    return "n/a" if ok is None else ("met" if ok else "not met")


def targets(s: dict, res: dict, words: list[str]) -> list[tuple[str, str, str]]:
    n_bytes = res["bytes"]
    mb = res["mb"]
    k1, k2, kl = s.get("kwiq-1"), s.get("kwiq-2"), s.get("kwiq-load")
    out = []

    def speedup(build, need, label):
        d = s.get(build)
        if not (k1 and d):
            out.append((label, "n/a", "n/a"))
            return
        r = d["build_s"] / k1["build_s"]
        out.append((label, f"{r:,.1f}x", verdict(r >= need)))

    if k1:
        out.append(
            (
                "1. tokenize + index >= 100 MB/s, 1 thread",
                f"{k1['mbps']:.0f} MB/s",
                verdict(k1["mbps"] >= 100),
            )
        )
    else:
        out.append(("1. tokenize + index >= 100 MB/s, 1 thread", "n/a", "n/a"))
    if k1 and k2:
        r = k1["build_s"] / k2["build_s"]
        out.append(
            ("1. 2 threads >= 1.7x 1 thread", f"{k2['mbps']:.0f} MB/s, {r:.2f}x", verdict(r >= 1.7))
        )
    else:
        out.append(
            (
                "1. 2 threads >= 1.7x 1 thread",
                "n/a: " + res["skipped"].get("kwiq-2", "not run"),
                "n/a",
            )
        )
    speedup("nltk-word", 40, "1. >= 40x NLTK word_tokenize + ConcordanceIndex")
    speedup("nltk-wordpunct", 10, "1. >= 10x wordpunct_tokenize + ConcordanceIndex")
    speedup("conc", 10, "1. >= 10x conc build")
    scope = "" if mb == 100 else f" (target set at 100 MB; this is {mb} MB)"
    if k1:
        kept = k1["kept_bytes"] / n_bytes
        out.append(
            (
                "2. resident memory of the built corpus <= 3x text" + scope,
                f"{kept:.2f}x",
                verdict(kept <= 3),
            )
        )
        peak = k1["peak_bytes"] / n_bytes
        out.append(
            ("2. peak during the build <= 4x text" + scope, f"{peak:.2f}x", verdict(peak <= 4))
        )
        q = k1["queries"]
        single = [(w, q[w]["count60"]) for w in words if w in q]
        worst = max(single, key=lambda wt: wt[1])
        out.append(
            (
                "3. count + first 60 lines, single word, <= 100 µs median" + scope,
                f"worst {fmt_time(worst[1])} ({worst[0]!r}), median "
                f"{fmt_time(statistics.median(t for _, t in single))}",
                verdict(worst[1] <= 100e-6),
            )
        )
        tot = query_totals(q, words, "all")
        if tot:
            heavy = [w for w in words if q[w]["hits"] >= 1000]
            worst_hit = max(q[w]["all"] / q[w]["hits"] for w in heavy) if heavy else None
            per = tot[0] / tot[1]
            out.append(
                (
                    "3. all lines as Python objects <= 0.5 µs per hit" + scope,
                    f"{per * 1e6:.2f} µs over all 20 words; worst "
                    f"{(worst_hit or 0) * 1e6:.2f} µs among words of >= 1,000 hits",
                    verdict(per <= 0.5e-6),
                )
            )
        nl = s.get("nltk-word")
        if nl:
            ratios = [
                (w, nl["queries"][w]["concordance_list"] / q[w]["count60"])
                for w in words
                if w in nl["queries"]
            ]
            met = [w for w, r in ratios if r >= 100]
            below = "; ".join(
                f"{w} {r:,.1f}x ({q[w]['hits']:,} hits, NLTK {nl['queries'][w]['hits']:,})"
                for w, r in ratios
                if r < 100
            )
            out.append(
                (
                    "3. >= 100x NLTK concordance_list on the same word (kwiq count + "
                    "first 60 lines)" + scope,
                    f"{len(met)} of {len(ratios)} words, median "
                    f"{statistics.median(r for _, r in ratios):,.0f}x"
                    + (f"; below: {below}" if below else ""),
                    verdict(len(met) == len(ratios)),
                )
            )
            ratios_all = [
                (w, nl["queries"][w]["concordance_list"] / q[w]["all"])
                for w in words
                if w in nl["queries"] and q[w]["hits"]
            ]
            met_all = [w for w, r in ratios_all if r >= 100]
            out.append(
                (
                    "3. (the same, against kwiq's all lines as objects)",
                    f"{len(met_all)} of {len(ratios_all)} words; median "
                    f"{statistics.median(r for _, r in ratios_all):,.1f}x",
                    verdict(len(met_all) == len(ratios_all)),
                )
            )
        else:
            out.append(("3. >= 100x NLTK concordance_list on the same word", "n/a", "n/a"))
    if k1 and kl:
        r = k1["build_s"] / kl["build_s"]
        out.append(("4. load >= 20x faster than build" + scope, f"{r:,.0f}x", verdict(r >= 20)))
    else:
        out.append(
            (
                "4. load >= 20x faster than build",
                "n/a: " + res["skipped"].get("kwiq-load", "not run"),
                "n/a",
            )
        )
    if k1 and k1.get("file_bytes"):
        r = k1["file_bytes"] / n_bytes
        out.append(("4. saved file <= 2.5x text", f"{r:.2f}x", verdict(r <= 2.5)))
    else:
        out.append(("4. saved file <= 2.5x text", "n/a: no kwiq.Corpus.save", "n/a"))
    if mb >= 1000 and k1:
        peak = k1["peak_bytes"] / n_bytes
        out.append(("5. 1 GB build, peak RSS <= 4x text", f"{peak:.2f}x", verdict(peak <= 4)))
    else:
        out.append(
            ("5. 1 GB build, peak RSS <= 4x text", "n/a: run with --sizes 1000 --allow-1gb", "n/a")
        )
    c = s.get("conc")
    for name, label in (
        ("freq", "issue 5: freq() >= 10x conc frequencies()"),
        ("collocates", "issue 5: collocates() >= 10x conc collocates()"),
    ):
        kt = (k1 or {}).get(name + "_s")
        ct = (c or {}).get(name + "_s")
        if kt and ct:
            out.append((label + scope, f"{ct / kt:,.1f}x", verdict(ct / kt >= 10)))
        else:
            out.append((label, "n/a" + (": not in this kwiq" if not kt else ""), "n/a"))
    return out


def version(name: str) -> str:
    try:
        return importlib.metadata.version(name)
    except importlib.metadata.PackageNotFoundError:
        return "not installed"


def machine_note(res: dict, args) -> str:
    cpu = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    try:
        rev = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=HERE, capture_output=True, text=True
        ).stdout.strip()
    except OSError:
        rev = ""
    return (
        f"Corpus: the benchmark corpus of `../shared/corpus/README.md` cut to "
        f"{min(res['mb'], BASE_MB)} MB"
        + (f" and repeated to {res['mb']} MB" if res["mb"] > BASE_MB else "")
        + f": {res['bytes']:,} bytes of UTF-8 in {res['docs']:,} documents of "
        f"{DOC_CHARS:,} characters. Medians of {args.runs} runs; each build in a fresh "
        f"process. Machine: {cpu}, {os.cpu_count()} cores (shared), Python "
        f"{platform.python_version()}; kwiq {version('kwiq')} (checkout {rev}), nltk "
        f"{version('nltk')}, conc {version('conc')}, spaCy {version('spacy')}, "
        f"polars {version('polars')}, pandas {version('pandas')}."
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0], epilog=CORPUS_HELP)
    parser.add_argument("--mb", type=int, help="one size, in MB (same as --sizes N)")
    parser.add_argument(
        "--sizes",
        default="10",
        help="sizes in MB, comma-separated (10, 100; 1000 needs --allow-1gb)",
    )
    parser.add_argument("--runs", type=int, default=3, help="runs per build and per query")
    parser.add_argument("--allow-1gb", action="store_true", help="allow sizes of 1000 MB and more")
    parser.add_argument(
        "--tools",
        default=None,
        help="comma-separated subset of kwiq,re,nltk,conc (default: all; "
        "kwiq only at 1000 MB and more)",
    )
    parser.add_argument(
        "--workdir",
        default="/tmp/kwiq-bench",
        help="where the documents, saved corpora and the spaCy pipeline go",
    )
    parser.add_argument(
        "--out",
        default=str(HERE / "results"),
        help="folder of the Markdown results ('' to write none)",
    )
    parser.add_argument(
        "--from-json", metavar="JSON", help="only print the tables again from a results .json"
    )
    parser.add_argument(
        "--readme",
        nargs="+",
        metavar="JSON",
        help="only print the README's tables, one column per results .json",
    )
    parser.add_argument(
        "--baseline-python",
        metavar="PYTHON",
        help="also run every kwiq build with this interpreter (whose kwiq "
        "is another build, e.g. the previous commit's), run by run "
        "in turn with this one, and print the two side by side",
    )
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child(json.loads(args.child))))
        return
    if args.readme:
        print(readme_tables([json.loads(Path(p).read_text()) for p in args.readme]))
        return
    if args.from_json:
        saved = json.loads(Path(args.from_json).read_text())
        if saved.get("phrases", PHRASES) != PHRASES:
            parser.error("the .json was made with other phrases")
        args.runs = saved.get("runs") or len(saved["builds"]["kwiq-1"])
        print(report(saved, [tuple(w) for w in saved["words"]], args))
        return
    sizes = [args.mb] if args.mb else [int(x) for x in args.sizes.split(",") if x.strip()]
    if any(mb >= 1000 for mb in sizes) and not args.allow_1gb:
        parser.error("sizes of 1000 MB and more need --allow-1gb")
    if args.runs < 1:
        parser.error("--runs must be at least 1")
    words = pick_words(base_text(min(max(sizes), BASE_MB)))
    log("words (count in the cut): " + ", ".join(f"{w} {c:,}" for w, c in words))
    queries = [w for w, _ in words] + PHRASES
    for mb in sizes:
        if args.tools:
            tools = [t.strip() for t in args.tools.split(",")]
            unknown = set(tools) - set(TOOLS)
            if unknown:
                parser.error(f"unknown tools {sorted(unknown)}; the tools: {list(TOOLS)}")
        else:
            tools = ["kwiq"] if mb >= 1000 else list(TOOLS)
        builds = [b for b in BUILDS if any(b in TOOLS[t] for t in tools)]
        results = measure_size(mb, builds, args, queries)
        text = report(results, words, args)
        if args.baseline_python:
            text += "\n\n" + ab_report(results, [w for w, _ in words])
        print(text, flush=True)
        if args.out:
            out = Path(args.out)
            out.mkdir(parents=True, exist_ok=True)
            path = out / f"{datetime.date.today().isoformat()}-{mb}mb.md"
            path.write_text(text + "\n", encoding="utf-8")
            (out / f"{datetime.date.today().isoformat()}-{mb}mb.json").write_text(
                json.dumps(
                    {
                        "words": words,
                        "phrases": PHRASES,
                        "runs": args.runs,
                        "note": machine_note(results, args),
                        **results,
                    },
                    indent=1,
                )
            )
            log(f"wrote {path}")


if __name__ == "__main__":
    main()
