"""Ctrl-C stops every long operation (issue 15): the core asks between
bounded chunks of work whether to stop (kw_cancel, kw_core.h), and the
binding answers from the signal handlers (csrc/python/kwiq_stop.c).

Each operation runs in a subprocess with a timeout, where a thread sends
SIGINT every few milliseconds until the handler has raised once: the
operation must end in KeyboardInterrupt, not in its result, and the process
must then still answer queries as before. How soon it stops is measured by
bench/interrupt.py, which CI runs; no test here times anything.
"""

import subprocess
import sys
import textwrap

import pytest

from kwiq import _core

SCRIPT = textwrap.dedent("""
    import os, signal, sys, threading, time
    import kwiq

    text = " ".join(f"w{i * 7919 % 20011} the, peace" for i in range(700_000))
    corpus = kwiq.Corpus([text], threads=1)
    the = corpus.kwic("the", window=5)
    queries = [f"w{k}" for k in range(40)] + ["the", "peace"]
    many = corpus.kwic(queries)
    expected = len(corpus.kwic("peace"))
    operations = {
        "build": lambda: kwiq.Corpus([text], threads=1),
        "build_threads": lambda: kwiq.Corpus([text[:len(text) // 2], text[len(text) // 2:]],
                                             threads=2),
        "lines": lambda: list(the),
        "sort": lambda: many.sort("r1", "l1", "r2"),
        "collocates": lambda: corpus.collocates(queries, window=5),
        "merge": lambda: corpus.kwic(queries),
        "frame": lambda: the.to_pandas(),
    }
    operation = operations[sys.argv[1]]
    corpus.kwic("w1").to_pandas()  # imports pandas now, which a signal would break

    raised = threading.Event()

    def once(signum, frame):
        if not raised.is_set():
            raised.set()
            raise KeyboardInterrupt

    def send():
        while not raised.wait(0.005):
            os.kill(os.getpid(), signal.SIGINT)

    signal.signal(signal.SIGINT, once)
    threading.Thread(target=send, daemon=True).start()
    try:
        operation()
    except KeyboardInterrupt:
        print("stopped")
    else:
        print("finished")
    raised.set()
    assert len(corpus.kwic("peace")) == expected
    operation()
    print("works")
""")


@pytest.mark.slow
@pytest.mark.parametrize(
    "operation", ["build", "build_threads", "lines", "sort", "collocates", "merge", "frame"]
)
def test_sigint_stops_a_long_operation(operation):
    result = subprocess.run(
        [sys.executable, "-c", SCRIPT, operation], capture_output=True, text=True, timeout=300
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["stopped", "works"]


def test_interrupt_stops_a_builder_and_leaves_it_as_it_was():
    # 100,000 tokens: the core asks after 65,536 of them.
    doc = "word " * 100_000
    builder = _core.Builder()
    builder.add(["first document"])
    builder.interrupt()
    with pytest.raises(KeyboardInterrupt):
        builder.add([doc])
    assert builder.n_docs == 1
    with pytest.raises(KeyboardInterrupt):
        builder.finish()
    assert builder.n_docs == 1  # finish stopped: the builder is still there


def test_interrupted_append_consumes_the_other_builder():
    dst, src = _core.Builder(), _core.Builder()
    dst.add(["a b c"])
    src.add(["x " * 100_000])
    dst.interrupt()
    with pytest.raises(KeyboardInterrupt):
        dst.append(src)
    assert dst.n_docs == 1
    with pytest.raises(ValueError, match="appended or finished"):
        src.n_docs
