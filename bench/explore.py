#!/usr/bin/env python3
"""The concordance explorer's model: the time from a change in the widget
(a query typed, a sort position clicked, a page turned) to the page of
rows computed and ready to send, on the Python side, and how much of it
the core takes.

    python bench/explore.py --mb 100 --runs 5

The corpus is bench/compare.py's (../shared/corpus, or $KWIQ_CORPUS, cut
and repeated to --mb MB). The words go from more than 100,000 hits to a
few hundred. For each word and step the widget's trait is set as the
front end sets it (the widget first brought back to the state before the
step, untimed), --runs times, median kept:

- query: ``widget.query = word`` from another query: kwic, the
  documents' count, the page's lines and rows;
- sort: ``widget.sort = ["R1"]`` on that word: the sort, then the page;
- page: ``widget.page = 3`` on the sorted lines, whose documents are
  counted already.

"core" is the same work done by the Concordance methods the model calls
(``kwic``, ``n_docs``, ``sort``, ``page``, making the page's Lines) timed
alone, run after run in turn with the widget; "model" is the rest (rows,
sort-word spans, traits). "message" is the JSON of the result trait as
ipywidgets would send it: its size, and the time to encode it.

With --browser, the same steps are also taken in a real JupyterLab
(tests/jupyter_lab.py's server, Debian's Chromium driven by Playwright,
the corpus built in the notebook's kernel) and timed in the page, from the
keystroke (Enter in the query box, so without the typing pause of
explorer.js's DEBOUNCE_MS) or the click to the rows in the page (the
answer drawn) and to the next frame painted. The browser's share is that
time less the model's and the core's measured here, in this process: an
estimate, as the kernel is another process. Results go to standard output
and to bench/results/<date>-explore-<size>mb.md.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import compare  # noqa: E402  (the corpus)
import kwiq  # noqa: E402

CHROMIUM = "/usr/bin/chromium"
BROWSER_TIMEOUT_MS = 300_000  # building 100 MB in the kernel, on a loaded machine
# One step in the page: the time from the action to the answer drawn (the
# summary names the request it answers, set in the same task as the rows)
# and to the next frame painted.
STEP = """async ([action, target, want]) => {
    const root = document.querySelector('.kwiq-explorer');
    const summary = root.querySelector('.kx-summary');
    const done = () => summary.dataset.state === 'ready' && summary.dataset.query === want.query
        && summary.dataset.sort === want.sort && summary.dataset.page === want.page;
    const answered = new Promise(resolve => {
        const observer = new MutationObserver(() => {
            if (done()) { observer.disconnect(); resolve(performance.now()); }
        });
        observer.observe(summary, {attributes: true});
    });
    const start = performance.now();
    if (action === 'query') {
        const box = root.querySelector('.kx-query');
        box.value = target;
        box.dispatchEvent(new KeyboardEvent('keydown', {key: 'Enter', bubbles: true}));
    } else {
        root.querySelector(target).click();
    }
    const drawn = await answered;
    const painted = await new Promise(resolve => requestAnimationFrame(
        () => setTimeout(() => resolve(performance.now()), 0)));
    return [drawn - start, painted - start];
}"""

# From more than 100,000 hits (at 100 MB) to a few hundred.
WORDS = ["the", "that", "by", "love", "distributed"]
OTHER = "nevertheless"  # the query typed before each timed one


def timed(step) -> float:
    start = time.perf_counter()
    step()
    return time.perf_counter() - start


def measure(corpus: kwiq.Corpus, word: str, runs: int) -> dict:
    widget = corpus.explore(OTHER)
    times: dict[str, list[float]] = {
        name: []
        for name in ("query", "query core", "sort", "sort core", "page", "page core", "encode")
    }

    for _ in range(runs):
        widget.query = OTHER
        widget.sort = []
        times["query"].append(timed(lambda: setattr(widget, "query", word)))
        times["query core"].append(
            timed(lambda: (lambda c: (c.n_docs, list(c.page(1))))(corpus.kwic(word)))
        )
        conc = corpus.kwic(word)
        times["sort"].append(timed(lambda: setattr(widget, "sort", ["R1"])))
        times["sort core"].append(
            timed(lambda: (lambda c: (c.n_docs, list(c.page(1))))(conc.sort("R1")))
        )
        widget.query = OTHER  # the page turned is the first over a new concordance
        widget.query = word
        times["page"].append(timed(lambda: setattr(widget, "page", 3)))
        ranked = conc.sort("R1")
        _ = ranked.n_docs  # counted once per concordance, as the widget's is
        times["page core"].append(timed(lambda: list(ranked.page(3))))
        message = widget.result
        times["encode"].append(timed(lambda: json.dumps(message)))
    row = {name: statistics.median(values) for name, values in times.items()}
    row["lines"] = widget.result["total"]
    row["bytes"] = len(json.dumps(widget.result).encode("utf-8"))
    return row


def in_the_browser(mb: int, runs: int) -> dict:
    """Each word's steps taken in JupyterLab: {word: {step: (to the rows
    drawn, to the frame painted)}}, medians in seconds."""
    sys.path.insert(0, str(HERE.parent / "tests"))
    from playwright import sync_api

    import jupyter_lab

    cell = (
        f"import sys\nsys.path.insert(0, {str(HERE)!r})\nimport compare, kwiq\n"
        f"corpus = kwiq.Corpus(compare.corpus_docs({mb}))\ncorpus.explore({OTHER!r})"
    )
    steps = {
        "query": ("query", None, ""),
        "sort": ("click", '.kx-sortkey[data-key="R1"]', "R1"),
        "page": ("click", ".kx-next", "R1"),
    }
    times: dict = {}
    # Chromium gets no sanitizer runtime that tools/run_sanitized.py preloads.
    env = {name: value for name, value in os.environ.items() if name != "LD_PRELOAD"}
    with (
        tempfile.TemporaryDirectory() as home,
        jupyter_lab.running(Path(home), [cell], BROWSER_TIMEOUT_MS / 1000) as (url, token),
        sync_api.sync_playwright() as playwright,
    ):
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=["--no-sandbox"], env=env
        )
        try:
            page = jupyter_lab.open_notebook(browser, url, token, BROWSER_TIMEOUT_MS)
            page.locator('.kwiq-explorer .kx-summary[data-state="ready"]').wait_for()

            def step(action, target, query, sort, page_number="1"):
                want = {"query": query, "sort": sort, "page": page_number}
                return page.evaluate(STEP, [action, target, want])

            for word in WORDS:
                taken = {name: [] for name in steps}
                for _ in range(runs):
                    taken["query"].append(step("query", word, word, ""))
                    taken["sort"].append(step(*steps["sort"][:2], word, "R1"))
                    taken["page"].append(step(*steps["page"][:2], word, "R1", "2"))
                    step("click", ".kx-unsort", word, "")
                    step("query", OTHER, OTHER, "")
                times[word] = {
                    name: tuple(statistics.median(t[k] for t in values) / 1000 for k in (0, 1))
                    for name, values in taken.items()
                }
        finally:
            browser.close()
    return times


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f}"


def browser_report(rows: dict, browser: dict) -> list[str]:
    out = [
        "",
        "## In JupyterLab, timed in the page",
        "",
        "From the keystroke or click to the rows drawn and to the next frame painted; the "
        "shares of the drawn time: the core's and the model's as measured above, the rest "
        "(the kernel's messages, the server, the browser's drawing) by difference. "
        "Milliseconds, medians.",
        "",
        "| word | lines | step | to rows drawn | to painted | core | model | rest |",
        "|---|---:|---|---:|---:|---:|---:|---:|",
    ]
    for word, row in rows.items():
        for step in ("query", "sort", "page"):
            drawn, painted = browser[word][step]
            core, model = row[f"{step} core"], max(row[step] - row[f"{step} core"], 0.0)
            out.append(
                f"| {word} | {row['lines']:,} | {step} | {ms(drawn)} | {ms(painted)} | "
                f"{ms(core)} | {ms(model)} | {ms(max(drawn - core - model, 0.0))} |"
            )
    return out


def report(rows: dict, args, tokens: int, browser: dict | None) -> str:
    out = [
        f"# The explorer's model, {args.mb} MB: from a change to the page ready to send",
        "",
        f"{datetime.date.today()}, {platform.machine()}, Python {platform.python_version()}, "
        f"kwiq {kwiq.__version__}; {tokens:,} tokens; medians of {args.runs} runs. "
        f"`python bench/explore.py --mb {args.mb} --runs {args.runs}"
        f"{' --browser' if args.browser else ''}`. Milliseconds; "
        "core: the Concordance methods the model calls, timed alone; model: the rest.",
        "",
        "| word | lines | step | total | core | model | message KB | encode |",
        "|---|---:|---|---:|---:|---:|---:|---:|",
    ]
    for word, row in rows.items():
        for step in ("query", "sort", "page"):
            total, core = row[step], row[f"{step} core"]
            out.append(
                f"| {word} | {row['lines']:,} | {step} | {ms(total)} | {ms(core)} | "
                f"{ms(max(total - core, 0.0))} | {row['bytes'] / 1000:.1f} | "
                f"{ms(row['encode'])} |"
            )
    if browser:
        out += browser_report(rows, browser)
    return "\n".join(out) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0], epilog=compare.CORPUS_HELP
    )
    parser.add_argument("--mb", type=int, default=100, help="corpus size in MB (default 100)")
    parser.add_argument("--runs", type=int, default=5, help="runs per step (default 5)")
    parser.add_argument(
        "--browser", action="store_true", help="also time the steps in JupyterLab, in Chromium"
    )
    parser.add_argument("--no-save", action="store_true", help="print only")
    args = parser.parse_args()
    corpus = kwiq.Corpus(compare.corpus_docs(args.mb))
    rows = {word: measure(corpus, word, args.runs) for word in WORDS}
    browser = in_the_browser(args.mb, args.runs) if args.browser else None
    text = report(rows, args, corpus.n_tokens, browser)
    print(text)
    if not args.no_save:
        path = HERE / "results" / f"{datetime.date.today()}-explore-{args.mb}mb.md"
        path.write_text(text, encoding="utf-8")
        print(f"written to {path}")


if __name__ == "__main__":
    main()
