"""Corpus.from_files: which files, in what order, how they are decoded, and
the errors that name a file and a byte offset. The expectations come from
Python itself: files read with Path.read_bytes and decoded with bytes.decode,
given to Corpus(texts)."""

import fnmatch
import os
import pickle
import traceback
import warnings
from pathlib import Path

import pytest

import kwiq
from conftest import DATA
from kwiq import _build, _files

QUERIES = ["the", "peace", "of the", "Mr.", "/[0-9]+/", "* of", "war*", "’", "ß"]

# The files of tests/data that are not UTF-8 (tests/data/README.md), and an
# encoding that reads each.
NOT_UTF8 = {
    "state_union/1954-Eisenhower.txt": "cp1252",
    "state_union/1970-Nixon.txt": "cp1252",
    "state_union/1971-Nixon.txt": "cp1252",
    "state_union/1972-Nixon.txt": "cp1252",
    "state_union/1973-Nixon.txt": "cp1252",
    "state_union/1974-Nixon.txt": "cp1252",
    "inaugural/2005-Bush.txt": "cp1252",
    "genesis/finnish.txt": "latin-1",
    "genesis/french.txt": "latin-1",
    "genesis/german.txt": "latin-1",
    "genesis/swedish.txt": "latin-1",
    "genesis/README": "latin-1",
}


def same(built, expected, queries=QUERIES):
    """Two corpora with the same ids, vocabulary, tokens and lines."""
    assert built.ids == expected.ids
    assert built.n_tokens == expected.n_tokens
    assert built._index.vocabulary(False) == expected._index.vocabulary(False)
    for query in queries:
        ours, theirs = built.kwic(query), expected.kwic(query)
        assert len(ours) == len(theirs), query
        if len(ours) > 20_000:  # the ends of a long concordance
            ours = list(ours[:5_000]) + list(ours[-5_000:])
            theirs = list(theirs[:5_000]) + list(theirs[-5_000:])
        assert list(ours) == list(theirs), query


def python_corpus(paths, encoding="utf-8", errors="strict", ids=None):
    texts = [Path(p).read_bytes().decode(encoding, errors) for p in paths]
    return kwiq.Corpus(texts, ids=[str(p) for p in paths] if ids is None else ids)


@pytest.fixture
def small_runs(monkeypatch):
    monkeypatch.setattr(_build, "MIN_RUN_BYTES", 1)
    monkeypatch.setattr(_build, "BATCH_BYTES", 32 << 10)


# ------------------------------------------------------------------- tests/data


@pytest.mark.parametrize(
    "folder, errors",
    [("gutenberg", "strict"), ("inaugural", "replace"), ("state_union", "replace")],
)
@pytest.mark.parametrize("threads", [1, 2, 3])
def test_folders_as_python_reads_them(folder, errors, threads, small_runs):
    """A directory's *.txt files, named relative to it."""
    root = DATA / folder
    paths = sorted(str(p) for p in root.glob("*.txt"))
    corpus = kwiq.Corpus.from_files(root, errors=errors, threads=threads, progress=False)
    same(corpus, python_corpus(paths, errors=errors, ids=[os.path.relpath(p, root) for p in paths]))


def test_saved_bytes_whatever_the_threads(small_runs, tmp_path):
    root = DATA / "gutenberg"
    files = []
    for threads in (1, 2, 3, 4):
        corpus = kwiq.Corpus.from_files(root, threads=threads, progress=False)
        corpus.save(tmp_path / f"{threads}.kwiq")
        files.append((tmp_path / f"{threads}.kwiq").read_bytes())
    assert all(f == files[0] for f in files[1:])


def test_movie_reviews_glob_and_directory(small_runs):
    root = DATA / "movie_reviews"
    paths = sorted(str(p) for p in root.rglob("*.txt"))
    expected = python_corpus(paths)
    by_glob = kwiq.Corpus.from_files(str(root / "**" / "*.txt"), threads=2, progress=False)
    same(by_glob, expected, ["the", "film", "bad", "good"])
    with pytest.warns(kwiq.SkippedFilesWarning, match=r"^1 file\(s\) .*: \S*/README;"):
        by_dir = kwiq.Corpus.from_files(root, threads=4, progress=False)
    assert by_dir.ids == tuple(os.path.relpath(i, root) for i in by_glob.ids)
    with_readme = kwiq.Corpus.from_files(root, threads=4, progress=False, include="*")
    assert with_readme.ids == ("README",) + by_dir.ids  # "R" < "n"


@pytest.mark.parametrize("name, encoding", sorted(NOT_UTF8.items()))
def test_not_utf8_named_exactly(name, encoding):
    path = DATA / name
    data = path.read_bytes()
    with pytest.raises(UnicodeDecodeError) as python:
        data.decode("utf-8")
    offset = python.value.start
    for threads in (1, 2):
        with pytest.raises(kwiq.FileDecodeError) as caught:
            kwiq.Corpus.from_files(path, threads=threads, progress=False)
        error = caught.value
        assert isinstance(error, UnicodeDecodeError)
        assert (error.path, error.start, error.end, error.reason) == (
            str(path),
            offset,
            python.value.end,
            python.value.reason,
        )
        # the bytes around the bad ones, not the whole file
        assert error.object_start == max(offset - _files.DECODE_CONTEXT, 0)
        assert error.object == data[error.object_start : error.end + _files.DECODE_CONTEXT]
        assert str(error).startswith(
            f"{path}: cannot decode byte 0x{data[offset]:02x} at byte offset {offset} as utf-8"
        )
    for how in ({"errors": "replace"}, {"encoding": encoding}):
        corpus = kwiq.Corpus.from_files(path, progress=False, **how)
        text = data.decode(how.get("encoding", "utf-8"), how.get("errors", "strict"))
        assert corpus.text(str(path)) == text
        same(corpus, kwiq.Corpus([text], ids=[str(path)]))


def test_first_bad_file_in_corpus_order_whatever_the_threads(small_runs):
    """state_union holds six files that are not UTF-8; the first, 1954,
    is the one reported, however the runs are cut."""
    root = DATA / "state_union"
    for threads in (1, 2, 3, 5, 8):
        with pytest.raises(kwiq.FileDecodeError) as caught:
            kwiq.Corpus.from_files(root, threads=threads, progress=False)
        assert Path(caught.value.path).name == "1954-Eisenhower.txt"


# ------------------------------------------------------------------ made files


@pytest.fixture
def tree(tmp_path):
    """a/1.txt a/b/2.txt a/b/c/3.md a-b/4.txt a/.hidden a/.git/x.txt z.txt"""
    files = {
        "a/1.txt": "one text",
        "a/b/2.txt": "two texts",
        "a/b/c/3.md": "three",
        "a-b/4.txt": "four",
        "a/.hidden": "hidden",
        "a/.git/x.txt": "hidden too",
        "z.txt": "zed",
    }
    for name, text in files.items():
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return tmp_path


def names(corpus, root):
    return [os.path.relpath(i, root) for i in corpus.ids]


def test_directory_sorted_by_components_without_hidden_files(tree):
    with pytest.warns(kwiq.SkippedFilesWarning, match="1 file"):
        corpus = kwiq.Corpus.from_files(tree, progress=False)
    # "a" sorts before "a-b" as a component, though "a/" > "a-" as strings;
    # ids relative to the directory, *.txt only by default
    assert list(corpus.ids) == ["a/1.txt", "a/b/2.txt", "a-b/4.txt", "z.txt"]
    assert corpus.text("a/b/2.txt") == "two texts"
    every = kwiq.Corpus.from_files(tree, progress=False, include="*")
    assert list(every.ids) == ["a/1.txt", "a/b/2.txt", "a/b/c/3.md", "a-b/4.txt", "z.txt"]


def test_globs(tree):
    every = kwiq.Corpus.from_files(str(tree / "**"), progress=False)
    assert names(every, tree) == list(kwiq.Corpus.from_files(tree, include="*", progress=False).ids)
    txt = kwiq.Corpus.from_files(str(tree / "**" / "*.txt"), progress=False)
    assert names(txt, tree) == ["a/1.txt", "a/b/2.txt", "a-b/4.txt", "z.txt"]
    top = kwiq.Corpus.from_files(str(tree / "*"), progress=False)  # files only
    assert names(top, tree) == ["z.txt"]
    with pytest.raises(FileNotFoundError, match="no file matches"):
        kwiq.Corpus.from_files(str(tree / "**" / "*.csv"))


def test_lists_keep_their_order(tree):
    corpus = kwiq.Corpus.from_files(
        [tree / "z.txt", str(tree / "a" / "b"), Path(tree / "a-b" / "4.txt")],
        progress=False,
        include=["*.txt", "*.md"],
    )
    assert corpus.ids == (str(tree / "z.txt"), "2.txt", "c/3.md", str(tree / "a-b" / "4.txt"))


def test_missing_and_empty(tree):
    with pytest.raises(FileNotFoundError) as caught:
        kwiq.Corpus.from_files([tree / "z.txt", tree / "nowhere.txt"])
    assert caught.value.filename == str(tree / "nowhere.txt")
    (tree / "empty").mkdir()
    with pytest.raises(FileNotFoundError, match=r"no file matching \*\.txt in the directory"):
        kwiq.Corpus.from_files(tree / "empty")
    with pytest.raises(TypeError):
        kwiq.Corpus.from_files(b"bytes/path")
    with pytest.raises(TypeError):
        kwiq.Corpus.from_files([tree / "z.txt", 3])


def test_ids(tree):
    paths = [tree / "z.txt", tree / "a" / "1.txt"]
    assert kwiq.Corpus.from_files(paths, ids="path").ids == tuple(map(str, paths))
    assert kwiq.Corpus.from_files(paths, ids="name").ids == ("z.txt", "1.txt")
    assert kwiq.Corpus.from_files(paths, ids="index").ids == (0, 1)
    by_stem = kwiq.Corpus.from_files(paths, ids=lambda p: p.stem)
    assert by_stem.ids == ("z", "1") and by_stem.text("1") == "one text"
    (tree / "b").mkdir()
    (tree / "b" / "z.txt").write_text("another zed", encoding="utf-8")
    with pytest.raises(ValueError, match="twice"):
        kwiq.Corpus.from_files([tree / "z.txt", tree / "b"], ids="name")
    for bad in ("stem", None, 3):
        with pytest.raises(ValueError, match="ids must be"):
            kwiq.Corpus.from_files(paths, ids=bad)


def test_codecs(tmp_path):
    path = tmp_path / "t.txt"
    path.write_bytes("\ufeffStraße ‘quoted’\r\nnext".encode("utf-8"))
    raw = kwiq.Corpus.from_files(path, progress=False)  # bytes straight to the core
    decoded = kwiq.Corpus.from_files(path, errors="replace", progress=False)  # through Python
    # the bytes as they are: the BOM is a character (as in Python's "utf-8"),
    # and line ends are not translated
    assert raw.text(str(path)) == decoded.text(str(path)) == path.read_bytes().decode()
    same(raw, decoded, ["straße", "quoted", "’"])
    sig = kwiq.Corpus.from_files(path, encoding="utf-8-sig", progress=False)
    assert sig.text(str(path)).startswith("Straße")
    utf16 = tmp_path / "u.txt"
    utf16.write_text("peace in UTF-16", encoding="utf-16")
    assert len(kwiq.Corpus.from_files(utf16, encoding="utf-16").kwic("peace")) == 1
    with pytest.raises(LookupError):
        kwiq.Corpus.from_files(path, encoding="no-such-codec")
    with pytest.raises(LookupError):
        kwiq.Corpus.from_files(path, errors="no-such-handler")
    with pytest.raises(TypeError):
        kwiq.Corpus.from_files(path, encoding=None)


def test_decoding_errors_of_other_codecs(tmp_path):
    path = tmp_path / "ascii.txt"
    path.write_bytes(b"plain \xe9 text")
    with pytest.raises(kwiq.FileDecodeError) as caught:
        kwiq.Corpus.from_files(path, encoding="ascii")
    assert (caught.value.path, caught.value.start, caught.value.encoding) == (str(path), 6, "ascii")
    assert f"{path}: cannot decode byte 0xe9 at byte offset 6 as ascii" in str(caught.value)
    # a handler that makes lone surrogates: the file is named
    with pytest.raises(UnicodeEncodeError, match="ascii.txt"):
        kwiq.Corpus.from_files(path, encoding="ascii", errors="surrogateescape")
    assert kwiq.Corpus.from_files(path, encoding="ascii", errors="ignore").n_tokens == 2


def test_utf8_errors_at_the_edges(tmp_path):
    cases = {
        b"\xff": 0,
        b"ok\xc3": 2,
        b"ok \xe2\x82": 3,
        b"\xed\xa0\x80 surrogate": 0,
        b"\xc0\xaf overlong": 0,
        "é".encode() * 5 + b"\x80": 10,
    }
    for k, (data, offset) in enumerate(cases.items()):
        path = tmp_path / f"{k}.txt"
        path.write_bytes(data)
        with pytest.raises(kwiq.FileDecodeError) as caught:
            kwiq.Corpus.from_files(path)
        with pytest.raises(UnicodeDecodeError) as python:
            data.decode("utf-8")
        assert caught.value.start == offset == python.value.start, data
        assert caught.value.reason == python.value.reason


def test_files_are_read_as_they_are_built(tmp_path, monkeypatch):
    """Streaming: a file is read when its batch comes, so a bad file stops
    the reading of the files after it."""
    monkeypatch.setattr(_build, "BATCH_BYTES", 100)
    paths = []
    for k in range(50):
        path = tmp_path / f"{k:02}.txt"
        path.write_bytes(b"x" * 60 if k != 5 else b"bad \xff" + b"x" * 55)
        paths.append(path)
    opened = []
    real = _files.reader

    def counting(files, *args):
        load = real(files, *args)

        def tracked(i):
            opened.append(i)
            return load(i)

        return tracked

    monkeypatch.setattr(_files, "reader", counting)
    with pytest.raises(kwiq.FileDecodeError):
        kwiq.Corpus.from_files(paths, threads=1)
    assert opened == list(range(6))  # batches of two files: 0-1, 2-3, 4-5


def test_progress_bar_only_after_a_second(tmp_path, capsys, monkeypatch):
    """The bar is tqdm's, asked to wait a second: shown (to 100%) when that
    wait is over, nothing when the build ends first. The wait is set here
    to nothing or to a day, so no build has to last a second."""
    import tqdm

    path = tmp_path / "t.txt"
    path.write_text("a short build " * 100, encoding="utf-8")
    real = tqdm.tqdm
    delays = []

    def bar_waiting(seconds):
        def make(*args, delay, **kwargs):
            delays.append(delay)
            return real(*args, delay=seconds, **kwargs)

        return make

    monkeypatch.setattr(tqdm, "tqdm", bar_waiting(86_400))
    kwiq.Corpus.from_files(path)
    assert capsys.readouterr().err == ""
    monkeypatch.setattr(tqdm, "tqdm", bar_waiting(0))
    kwiq.Corpus.from_files(path)
    err = capsys.readouterr().err
    assert "kwiq" in err and "100%" in err
    kwiq.Corpus.from_files(path, progress=False)
    assert capsys.readouterr().err == ""
    assert delays == [1, 1]


# ----------------------------------------------------------- reading folders


def test_a_directory_reads_txt_and_says_what_it_left_out(tmp_path):
    """The oracle: the names fnmatch gives for *.txt, and the others."""
    names = ["README", "notes.md", "a.txt", "b.txt", "data.csv", "zz.tsv"]
    for name in names:
        (tmp_path / name).write_text(f"text of {name}", encoding="utf-8")
    txt = sorted(n for n in names if fnmatch.fnmatch(n, "*.txt"))
    others = sorted(str(tmp_path / n) for n in names if n not in txt)
    with pytest.warns(kwiq.SkippedFilesWarning) as caught:
        corpus = kwiq.Corpus.from_files(tmp_path, progress=False)
    assert list(corpus.ids) == txt
    [warning] = caught
    assert str(warning.message) == (
        f"4 file(s) not matching *.txt left out: {', '.join(others[:3])}, ...; "
        'include="*" reads every file'
    )
    assert warning.filename == __file__  # shown at the caller's line, in a notebook too
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert list(kwiq.Corpus.from_files(tmp_path, include="*", progress=False).ids) == sorted(
            names
        )
    with pytest.warns(kwiq.SkippedFilesWarning, match="^4 file"):
        assert list(
            kwiq.Corpus.from_files(tmp_path, include=["*.md", "READ*"], progress=False).ids
        ) == ["README", "notes.md"]
    with pytest.raises(FileNotFoundError, match=r"no file matching \*\.xml in the directory"):
        kwiq.Corpus.from_files(tmp_path, include="*.xml")
    for bad in ([], [""], 3, [b"*.txt"]):
        with pytest.raises(TypeError, match="include must be"):
            kwiq.Corpus.from_files(tmp_path, include=bad)


def test_a_list_of_encodings_is_tried_in_order(small_runs, tmp_path):
    """state_union: UTF-8 files and six cp1252 ones; each file decoded as
    Python decodes it, by the first encoding that decodes it strictly."""
    root = DATA / "state_union"
    paths = sorted(root.glob("*.txt"))
    used = []
    for path in paths:
        try:
            path.read_bytes().decode("utf-8")
            used.append("utf-8")
        except UnicodeDecodeError:
            used.append("cp1252")
    assert used.count("cp1252") == 6
    for threads in (1, 3):
        corpus = kwiq.Corpus.from_files(
            root, encoding=["utf-8", "cp1252"], threads=threads, progress=False
        )
        same(
            corpus,
            kwiq.Corpus(
                [p.read_bytes().decode(e) for p, e in zip(paths, used)], ids=[p.name for p in paths]
            ),
        )
        assert corpus.metadata["encoding"].tolist() == used
    # the last takes errors; a single encoding adds no column
    ascii_first = kwiq.Corpus.from_files(
        root / "1954-Eisenhower.txt", encoding=("ascii", "utf-8"), errors="replace"
    )
    assert ascii_first.metadata["encoding"].tolist() == ["utf-8"]
    assert "\ufffd" in ascii_first.text(str(root / "1954-Eisenhower.txt"))
    assert (
        "encoding"
        not in kwiq.Corpus.from_files(DATA / "gutenberg" / "35-The-Time-Machine.txt").metadata
    )
    (tmp_path / "undefined.txt").write_bytes(b"a \x81 b")  # 0x81: no cp1252 character
    with pytest.raises(kwiq.FileDecodeError, match="byte 0x81 at byte offset 2 as cp1252"):
        kwiq.Corpus.from_files(tmp_path / "undefined.txt", encoding=["utf-8", "cp1252"])
    with pytest.raises(ValueError, match="metadata column 'encoding'"):
        kwiq.Corpus.from_files(paths[:1], encoding=["utf-8"], metadata=[{"encoding": "x"}])
    for bad in ([], [1], {"utf-8"}):
        with pytest.raises(TypeError, match="encoding must be"):
            kwiq.Corpus.from_files(paths[:1], encoding=bad)


def test_a_decode_error_is_small_suggests_a_fix_and_starts_at_the_call(tmp_path):
    data = b"plain text " * 200_000 + b"\xe9t\xe9 " + b"more text " * 200_000
    (tmp_path / "big.txt").write_bytes(data)
    offset = data.index(b"\xe9")
    with pytest.raises(kwiq.FileDecodeError) as caught:
        kwiq.Corpus.from_files(tmp_path / "big.txt", progress=False)
    error = caught.value
    assert (error.start, error.end) == (offset, offset + 1)
    assert len(error.object) <= 2 * _files.DECODE_CONTEXT + 1
    assert error.object == data[error.object_start : error.end + _files.DECODE_CONTEXT]
    assert "encoding=" in str(error) and 'errors="replace"' in str(error)
    # The traceback: this test's frame, then only the call it made.
    frames = [frame.f_code for frame, _ in traceback.walk_tb(caught.tb)]
    assert [code.co_name for code in frames] == [
        "test_a_decode_error_is_small_suggests_a_fix_and_starts_at_the_call",
        "from_files",
    ]
    assert (error.__context__, error.__cause__) == (None, None)
    # Without its traceback (tblib, which dask installs, pickles the frames
    # too, and this test's frame holds the data).
    error = error.with_traceback(None)
    assert len(pickle.dumps(error)) < 1000
    assert str(pickle.loads(pickle.dumps(error))) == str(error)


@pytest.mark.parametrize("handler", ["namereplace", "xmlcharrefreplace"])
def test_error_handlers_that_cannot_decode_are_refused_first(handler, monkeypatch):
    with pytest.raises(TypeError):  # the oracle: Python's codec cannot decode with it
        b"\xff".decode("utf-8", handler)
    monkeypatch.setattr(_files, "expand", None)  # no file is looked for
    with pytest.raises(ValueError, match=f"errors='{handler}' only encodes"):
        kwiq.Corpus.from_files("anything.txt", errors=handler)


def test_backslashreplace_decodes(tmp_path):
    (tmp_path / "a.txt").write_bytes(b"caf\xe9 au lait")
    corpus = kwiq.Corpus.from_files(tmp_path, errors="backslashreplace")
    assert corpus.text("a.txt") == b"caf\xe9 au lait".decode("utf-8", "backslashreplace")
