"""Saved corpora: Corpus.save and Corpus.load.

A loaded corpus must answer exactly as the built one; the same corpus must
save to the same bytes; a file cut short or with bytes changed must raise
kwiq.FormatError (or, where the change could not matter, load and answer
as before), never crash or hang, which the damage tests check in
subprocesses.
"""

import gc
import json
import math
import os
import random
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

import kwiq
from conftest import LETTER_NAME

# Queries and the layouts of their lines: words, phrases, globs, regexes,
# exact case, lists, every kind of context.
QUERIES = [
    "peace",
    "Cuba",
    "U-2",
    "nuclear catastrophe",
    "the * of",
    "peace*",
    "/[0-9]+/",
    "/.*tion/",
    "Mr .",
    ["peace", "war"],
    "STRASSE",
    "café",
    "和平",
    "»",
    "the",
]
CONTEXTS = [
    dict(),
    dict(window=0),
    dict(window=(3, 1)),
    dict(width=25),
    dict(window=12, bound="sentence"),
    dict(width=60, bound="paragraph"),
    dict(case=True),
]
SORTS = [("R1", "R2"), ("L1",), ("match",), ("doc", "L3")]
TIMEOUT = 120  # a safety net against a hung child, not a timing assertion


def answers(corpus, queries=QUERIES):
    """Everything the tests compare: counts, ids, texts, and lines."""
    result = [corpus.n_docs, corpus.n_tokens, corpus.ids, len(corpus), repr(corpus)]
    result += [corpus.text(doc_id) for doc_id in corpus.ids]
    for query in queries:
        for context in CONTEXTS:
            conc = corpus.kwic(query, **context)
            result.append(list(conc))
        conc = corpus.kwic(query)
        result += [list(conc.sort(*keys)) for keys in SORTS]
    return result


def saved_bytes(corpus, path):
    corpus.save(path)
    return Path(path).read_bytes()


@pytest.fixture(scope="module")
def letter():
    return kwiq.sample()


@pytest.fixture(scope="module")
def mixed():
    """Several documents: scripts, case, an empty one, odd ids."""
    texts = [
        kwiq.sample().text(LETTER_NAME),
        "Die Straße ist lang.\n\nDIE STRASSE IST LANG, sagt sie. Café, cafe\u0301.",
        "",
        "和平 平和 «peace» \u201cpeace\u201d » the end",
        "peace " * 100 + "war.",
    ]
    ids = ["letter", ("de", 2), None, -(2**70), 1.5]
    return kwiq.Corpus(texts, ids=ids)


def test_format_error_is_exported():
    assert issubclass(kwiq.FormatError, ValueError)
    assert "FormatError" in kwiq.__all__
    assert kwiq.FormatError.__module__ == "kwiq"


def test_letter_round_trip(letter, tmp_path):
    path = tmp_path / "letter.kwiq"
    letter.save(path)
    loaded = kwiq.Corpus.load(path)
    assert loaded.ids == (LETTER_NAME,)
    assert len(loaded.kwic("peace")) == 11
    assert answers(loaded) == answers(letter)


def test_mixed_round_trip(mixed, tmp_path):
    loaded = kwiq.Corpus.load(_saved(mixed, tmp_path))
    assert answers(loaded) == answers(mixed)
    assert [type(i) for i in loaded.ids] == [str, tuple, type(None), int, float]
    assert loaded.text(("de", 2)).startswith("Die Straße")


def test_gutenberg_round_trip(gutenberg_text, tmp_path):
    chapters = [c for c in gutenberg_text.split("\nChapter ") if c.strip()]
    assert len(chapters) > 50
    ids = [f"chapter {i}" for i in range(len(chapters))]
    corpus = kwiq.Corpus(chapters, ids=ids)
    loaded = kwiq.Corpus.load(_saved(corpus, tmp_path))
    queries = [
        "Elizabeth",
        "Mr. Darcy",
        "pride",
        "the * of",
        "/[A-Z][a-z]+shire/",
        "marr*",
        "said she",
        ["Jane", "Bingley"],
    ]
    assert answers(loaded, queries) == answers(corpus, queries)
    # Every word of the vocabulary finds the same hits.
    words = {token for token in kwiq.tokenize(gutenberg_text[:200_000]) if token.isalnum()}
    for word in sorted(words):
        assert [(line.doc, line.start) for line in loaded.kwic(word, window=0)] == [
            (line.doc, line.start) for line in corpus.kwic(word, window=0)
        ], word


def test_counts_of_a_loaded_corpus(gutenberg_text, tmp_path):
    """Counting reads the token stream at the width the file keeps it."""
    pd = pytest.importorskip("pandas")
    chapters = [c for c in gutenberg_text.split("\nChapter ") if c.strip()]
    corpus = kwiq.Corpus(chapters)
    loaded = kwiq.Corpus.load(_saved(corpus, tmp_path))
    for method, args in [
        ("freq", ()),
        ("ngrams", (3,)),
        ("collocates", ("Elizabeth",)),
        ("clusters", ("Mr", 3)),
        ("dispersion", ("Darcy",)),
    ]:
        pd.testing.assert_frame_equal(
            getattr(loaded, method)(*args), getattr(corpus, method)(*args), obj=method
        )
    pd.testing.assert_frame_equal(
        kwiq.keyness(loaded, kwiq.sample()), kwiq.keyness(corpus, kwiq.sample())
    )


def _saved(corpus, tmp_path, name="corpus.kwiq"):
    path = tmp_path / name
    corpus.save(path)
    return path


def test_the_same_bytes_every_time(mixed, tmp_path):
    first = saved_bytes(mixed, tmp_path / "a.kwiq")
    assert saved_bytes(mixed, tmp_path / "b.kwiq") == first
    # A corpus built again from the same input, and a loaded one.
    rebuilt = kwiq.Corpus([mixed.text(i) for i in mixed.ids], ids=mixed.ids)
    assert saved_bytes(rebuilt, tmp_path / "c.kwiq") == first
    loaded = kwiq.Corpus.load(tmp_path / "a.kwiq")
    assert saved_bytes(loaded, tmp_path / "d.kwiq") == first
    assert saved_bytes(kwiq.Corpus.load(tmp_path / "d.kwiq"), tmp_path / "e.kwiq") == first
    assert len(first) % 64 == 0 and first[:8] == b"\x89KWIQ\r\n\x1a"


def test_file_size(letter, tmp_path):
    text_bytes = len(letter.text(LETTER_NAME).encode("utf-8"))
    size = len(saved_bytes(letter, tmp_path / "letter.kwiq"))
    # A small corpus pays for its hash tables; see README for large ones.
    assert text_bytes < size < 8 * text_bytes


@pytest.mark.parametrize(
    "ids",
    [
        None,
        ["a", "b", "c"],
        [
            0,
            1,
            2**63,
        ],
        [-1, 10**30, -(2**63)],
        [True, False, None],
        [0.5, -0.0, 1e300],
        [math.inf, -math.inf, float("nan")],
        [(), ("a", (1, (None, 2.5))), ("a",)],
        ["\udc80 lone surrogate", "é", "\U0001f600"],
        [1, "1", (1,)],
    ],
)
def test_ids_round_trip(tmp_path, ids):
    corpus = kwiq.Corpus(["one", "two", "three"], ids=ids)
    loaded = kwiq.Corpus.load(_saved(corpus, tmp_path))
    want, got = corpus.ids, loaded.ids
    assert [repr(x) for x in got] == [repr(x) for x in want]
    assert [type(x) for x in got] == [type(x) for x in want]
    for doc_id, text in zip(got, ["one", "two", "three"]):
        if doc_id == doc_id:  # nan is no key of its own
            assert loaded.text(doc_id) == text


class Custom:
    def __hash__(self):
        return 1


@pytest.mark.parametrize("bad", [b"bytes", frozenset({1}), Custom(), ("ok", b"not"), 1j])
def test_ids_that_cannot_be_saved(tmp_path, bad):
    corpus = kwiq.Corpus(["one", "two"], ids=["fine", bad])
    path = tmp_path / "corpus.kwiq"
    with pytest.raises(TypeError, match="id 1"):
        corpus.save(path)
    assert not path.exists()
    path.write_bytes(b"keep me")
    with pytest.raises(TypeError):
        corpus.save(path)
    assert path.read_bytes() == b"keep me"
    assert os.listdir(tmp_path) == ["corpus.kwiq"]  # no temporary file left


def test_ids_of_subclasses_cannot_be_saved(tmp_path):
    class Name(str):
        pass

    corpus = kwiq.Corpus(["one"], ids=[Name("x")])
    with pytest.raises(TypeError, match="Name"):
        corpus.save(tmp_path / "corpus.kwiq")


def test_not_a_corpus(tmp_path, letter):
    cases = {
        "text.kwiq": b"not kwiq's magic number" + b"\n" * 100,
        "empty.kwiq": b"",
        "magic-only.kwiq": b"\x89KWIQ\r\n\x1a",
    }
    for name, data in cases.items():
        (tmp_path / name).write_bytes(data)
        with pytest.raises(kwiq.FormatError) as error:
            kwiq.Corpus.load(tmp_path / name)
        assert name in str(error.value)
    good = saved_bytes(letter, tmp_path / "good.kwiq")
    (tmp_path / "cut.kwiq").write_bytes(good[:-1000])
    with pytest.raises(kwiq.FormatError, match="truncated"):
        kwiq.Corpus.load(tmp_path / "cut.kwiq")
    (tmp_path / "long.kwiq").write_bytes(good + b"\0" * 64)
    with pytest.raises(kwiq.FormatError, match="added"):
        kwiq.Corpus.load(tmp_path / "long.kwiq")
    newer = bytearray(good)
    newer[8] = 3
    (tmp_path / "newer.kwiq").write_bytes(newer)
    with pytest.raises(kwiq.FormatError, match="version 3.*newer"):
        kwiq.Corpus.load(tmp_path / "newer.kwiq")
    damaged = bytearray(good)
    damaged[-200] ^= 0x20  # in the postings
    (tmp_path / "damaged.kwiq").write_bytes(damaged)
    with pytest.raises(kwiq.FormatError, match="section post: damaged"):
        kwiq.Corpus.load(tmp_path / "damaged.kwiq")
    with pytest.raises(FileNotFoundError):
        kwiq.Corpus.load(tmp_path / "missing.kwiq")
    with pytest.raises(IsADirectoryError):
        kwiq.Corpus.load(tmp_path)


def test_blob_checked_after_its_checksum(tmp_path, letter):
    """Ids the core's checksum accepts but that are not ours: FormatError."""
    good = saved_bytes(letter, tmp_path / "good.kwiq")
    for blob in [
        b"not json",
        b"[1]",
        b'{"kwiq ids": 1, "ids": ["a", "b"]}',
        b'{"kwiq ids": 1, "ids": [{"set": []}]}',
        b'{"kwiq ids": 9, "range": 1}',
        b'{"kwiq ids": 1, "range": 2}',
        b"[" * 100000,
    ]:
        data = _with_blob(good, blob)
        (tmp_path / "odd.kwiq").write_bytes(data)
        with pytest.raises(kwiq.FormatError, match="odd.kwiq: section blob"):
            kwiq.Corpus.load(tmp_path / "odd.kwiq")


def _with_blob(data, blob):
    """The saved bytes of ``data`` with another blob, laid out and sealed as
    the format says (csrc/core/kw_file.c), through a corpus saved with it."""
    import kwiq._core as core

    mapping = bytes(data)
    index, _ = core.load(mapping)

    class Sink:
        def __init__(self):
            self.parts = []

        def write(self, view):
            self.parts.append(bytes(view))
            return len(view)

    sink = Sink()
    index.save(sink, blob)
    return b"".join(sink.parts)


def test_concordance_outlives_loaded_corpus(letter, tmp_path):
    path = _saved(letter, tmp_path)
    corpus = kwiq.Corpus.load(path)
    conc = corpus.kwic("peace")
    want = list(letter.kwic("peace"))
    del corpus
    gc.collect()
    assert list(conc) == want
    assert list(conc.sort("R1")) == list(letter.kwic("peace").sort("R1"))


@pytest.mark.skipif(not Path("/proc/self/maps").exists(), reason="needs /proc/self/maps")
def test_mapping_released_with_the_corpus(letter, tmp_path):
    path = _saved(letter, tmp_path, "released.kwiq")

    def mapped():
        return str(path) in Path("/proc/self/maps").read_text()

    corpus = kwiq.Corpus.load(path)
    conc = corpus.kwic("peace")
    assert mapped()
    del corpus
    gc.collect()
    assert mapped()  # the concordance still reads it
    del conc
    gc.collect()
    assert not mapped()


@pytest.mark.skipif(not Path("/proc/self/fd").exists(), reason="needs /proc/self/fd")
def test_loads_leave_nothing_behind(letter, tmp_path):
    path = _saved(letter, tmp_path, "many.kwiq")
    (tmp_path / "bad.kwiq").write_bytes(path.read_bytes()[:-64])
    fds = len(os.listdir("/proc/self/fd"))
    for _ in range(100):
        corpus = kwiq.Corpus.load(path)
        assert len(corpus.kwic("peace*")) == 14
        with pytest.raises(kwiq.FormatError):
            kwiq.Corpus.load(tmp_path / "bad.kwiq")
    del corpus
    gc.collect()
    assert len(os.listdir("/proc/self/fd")) == fds
    maps = Path("/proc/self/maps").read_text()
    assert "many.kwiq" not in maps and "bad.kwiq" not in maps


def test_save_over_the_loaded_file(letter, mixed, tmp_path):
    path = _saved(letter, tmp_path)
    loaded = kwiq.Corpus.load(path)
    mixed.save(path)  # a new file takes the name; the old one stays mapped
    assert answers(loaded) == answers(letter)
    assert kwiq.Corpus.load(path).ids == mixed.ids
    assert sorted(os.listdir(tmp_path)) == ["corpus.kwiq"]


def test_save_takes_str_and_pathlike(letter, tmp_path):
    letter.save(str(tmp_path / "a.kwiq"))
    letter.save(tmp_path / "b.kwiq")
    assert kwiq.Corpus.load(str(tmp_path / "b.kwiq")).ids == (LETTER_NAME,)
    with pytest.raises(FileNotFoundError):
        letter.save(tmp_path / "no" / "such" / "dir.kwiq")


def test_load_from_bytes_is_read_in_place(letter, tmp_path):
    import kwiq._core as core

    data = saved_bytes(letter, tmp_path / "x.kwiq")
    index, blob = core.load(data)
    assert (index.n_docs, index.n_tokens) == (1, letter.n_tokens)
    assert json.loads(blob) == {"kwiq ids": 1, "ids": [LETTER_NAME]}
    with pytest.raises(ValueError, match="aligned"):
        core.load(memoryview(b"1234" + data)[4:])
    with pytest.raises(TypeError):
        core.load("not bytes")


# ------------------------------------------------------------ damaged files

CHILD = textwrap.dedent("""
    import json, sys
    import kwiq

    def answers(corpus):
        out = [corpus.n_docs, corpus.n_tokens, corpus.ids]
        for query in ["peace", "the * of", "/[0-9]+/", "STRASSE", "pe*"]:
            conc = corpus.kwic(query, window=(4, 2))
            out.append([tuple(line) for line in conc])
            out.append([tuple(line) for line in conc.sort("R1", "L1")])
            out.append([tuple(line) for line in corpus.kwic(query, width=30, bound="sentence")])
        return repr(out)

    with open(sys.argv[1]) as file:
        job = json.load(file)
    original = open(job["path"], "rb").read()
    expected = answers(kwiq.Corpus.load(job["path"]))
    print("ready", flush=True)
    for kind, position, flip in job["cases"]:
        data = bytearray(original[:position] if kind == "cut" else original)
        if kind == "flip":
            data[position] ^= flip
        with open(job["scratch"], "wb") as file:
            file.write(data)
        try:
            corpus = kwiq.Corpus.load(job["scratch"])
        except kwiq.FormatError:
            print("refused", kind, position, flush=True)
            continue
        same = answers(corpus) == expected
        del corpus
        print("same" if same else "DIFFERENT", kind, position, flush=True)
    print("done", flush=True)
""")


N_CUTS, N_FLIPS = 200, 1_000
N_WORKERS = 4


def _cases(size, seed=1962):
    rng = random.Random(seed)
    cuts = {0, 1, 7, 8, 15, 16, 63, 64, 703, 704, size - 64, size - 1}
    while len(cuts) < N_CUTS:
        cuts.add(rng.randrange(size))
    flips = {}  # position: the bits to flip there
    # Single bits in the header and table, then any bits anywhere.
    while len(flips) < 100:
        flips.setdefault(rng.randrange(704), 1 << rng.randrange(8))
    while len(flips) < N_FLIPS:
        flips.setdefault(rng.randrange(size), rng.randrange(1, 256))
    return [("cut", c, 0) for c in sorted(cuts)] + [
        ("flip", p, f) for p, f in sorted(flips.items())
    ]


def _run_workers(path, cases, tmp_path):
    """Outcome of each case, from N_WORKERS children that each load their
    share in turn. A child that dies by a signal or hangs fails the test,
    naming the case it was on."""
    procs = []
    for k in range(N_WORKERS):
        batch = cases[k::N_WORKERS]
        job = tmp_path / f"job{k}.json"
        job.write_text(
            json.dumps(
                {"path": str(path), "cases": batch, "scratch": str(tmp_path / f"scratch{k}.kwiq")}
            )
        )
        proc = subprocess.Popen(
            [sys.executable, "-c", CHILD, str(job)],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        procs.append((proc, batch))
    outcomes = {}
    for proc, batch in procs:
        try:
            out, err = proc.communicate(timeout=TIMEOUT)
        except subprocess.TimeoutExpired:
            proc.kill()
            out, err = proc.communicate()
            done = len(out.splitlines()) - 1
            pytest.fail(
                f"a child hung on case {batch[done] if done < len(batch) else '?'}; "
                f"its last lines: {out.splitlines()[-3:]}"
            )
        lines = out.splitlines()
        if proc.returncode != 0:
            done = max(len(lines) - 1, 0)
            pytest.fail(
                f"child died (status {proc.returncode}) on case "
                f"{batch[done] if done < len(batch) else '?'}; {err[-2000:]}"
            )
        assert lines[0] == "ready" and lines[-1] == "done", (lines[:2], lines[-2:], err)
        for line in lines[1:-1]:
            outcome, kind, position = line.split()
            outcomes[kind, int(position)] = outcome
    return outcomes


def test_damaged_files_refused_in_subprocesses(mixed, tmp_path):
    path = _saved(mixed, tmp_path)
    cases = _cases(path.stat().st_size)
    assert len(cases) == N_CUTS + N_FLIPS
    outcomes = _run_workers(path, cases, tmp_path)
    assert len(outcomes) == len(cases)
    assert set(outcomes.values()) <= {"refused", "same"}, [
        key for key, outcome in outcomes.items() if outcome not in ("refused", "same")
    ]
    # A cut is always refused; so is any changed byte, padding included
    # (kwiq checks that padding is zero).
    assert all(outcome == "refused" for (kind, _), outcome in outcomes.items())
