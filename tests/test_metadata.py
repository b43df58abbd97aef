"""Metadata, views over some documents (subset, where) and metadata on
concordance lines.

The oracle for a view is a Corpus built from the view's documents alone
(same ids, same metadata): every operation must answer the same, lines
field by field (ids and in-document positions are the same in both) and
counts and measures to 1e-9.
"""

import copy
import io
import json
import pickle

import pytest

import kwiq
from conftest import DATA
from kwiq import _concordance

pd = pytest.importorskip("pandas")
np = pytest.importorskip("numpy")

BOOKS = [
    "35-The-Time-Machine.txt",
    "84-Frankenstein.txt",
    "1661-The-Adventures-of-Sherlock-Holmes.txt",
    "23-Narrative-of-the-Life-of-Frederick-Douglass-an-American-Slav.txt",
    "972-The-Devil-s-Dictionary.txt",
    "76-Adventures-of-Huckleberry-Finn.txt",
]
# Made-up metadata for the books, in BOOKS order.
AUTHORS = ["Wells", "Shelley", "Doyle", "Douglass", "Bierce", "Twain"]
YEARS = [1895, 1818, 1892, 1845, 1906, 1884]
KINDS = ["novel", "novel", "stories", "memoir", "dictionary", "novel"]


def letter_docs(letter_text):
    """The letter cut into its paragraphs, with made-up metadata."""
    paragraphs = [p for p in letter_text.split("\n\n") if p.strip()]
    ids = [f"p{i:02d}" for i in range(len(paragraphs))]
    meta = [
        {
            "part": ["opening", "middle", "closing"][min(2, 3 * i // len(paragraphs))],
            "even": i % 2 == 0,
            "n": i,
        }
        for i in range(len(paragraphs))
    ]
    return paragraphs, ids, meta


@pytest.fixture(scope="module")
def letter_corpus(letter_text):
    texts, ids, meta = letter_docs(letter_text)
    return kwiq.Corpus(texts, ids, meta)


@pytest.fixture(scope="module")
def books():
    folder = DATA / "gutenberg"
    texts = [(folder / name).read_text(encoding="utf-8") for name in BOOKS]
    meta = pd.DataFrame(
        {
            "author": AUTHORS,
            "year": YEARS,
            "kind": KINDS,
            "score": [0.5, 1.25, float("nan"), 2.0, 3.5, 4.0],
        }
    )
    return kwiq.Corpus(texts, [name[:-4] for name in BOOKS], meta)


def alone(view):
    """The oracle: a Corpus built from the view's documents alone."""
    return kwiq.Corpus(
        [view.text(doc) for doc in view.ids], list(view.ids), view.metadata.reset_index(drop=True)
    )


def assert_frames_equal(got, expected):
    pd.testing.assert_frame_equal(got, expected, check_exact=False, rtol=1e-9, atol=0)


def assert_same(view, oracle, query, other_query, meta):
    """Every operation on the view answers as on the oracle."""
    assert len(view) == len(oracle) == view.n_docs == oracle.n_docs
    assert view.ids == oracle.ids
    assert view.n_tokens == oracle.n_tokens
    pd.testing.assert_frame_equal(view.metadata, oracle.metadata)
    for doc in view.ids:
        assert view.text(doc) == oracle.text(doc)
    for q in (query, [query, other_query], "peace*", "/^wh(at|ich)$/", "of the"):
        got, expected = view.kwic(q, meta=meta), oracle.kwic(q, meta=meta)
        assert list(got) == list(expected)
        assert [line._fields for line in got[:3]] == [line._fields for line in expected[:3]]
        assert list(got.sort("R1", "L1")) == list(expected.sort("R1", "L1"))
        pd.testing.assert_frame_equal(got.to_pandas(), expected.to_pandas())
        assert list(view.kwic(q, width=30, bound="sentence")) == list(
            oracle.kwic(q, width=30, bound="sentence")
        )
    for case in (False, True):
        for punctuation in (False, True):
            assert_frames_equal(
                view.freq(case=case, punctuation=punctuation),
                oracle.freq(case=case, punctuation=punctuation),
            )
    assert_frames_equal(view.freq(min_count=3), oracle.freq(min_count=3))
    for n in (1, 2, 3):
        assert_frames_equal(view.ngrams(n), oracle.ngrams(n))
    for side in ("left", "right"):
        assert_frames_equal(view.clusters(query, 3, side), oracle.clusters(query, 3, side))
    got, expected = view.collocates(query, min_count=1), oracle.collocates(query, min_count=1)
    assert_frames_equal(got, expected)
    assert got.attrs == expected.attrs
    assert_frames_equal(
        view.collocates(query, window=(2, 4)), oracle.collocates(query, window=(2, 4))
    )
    assert_frames_equal(
        view.dispersion([query, other_query]), oracle.dispersion([query, other_query])
    )
    assert png(view.plot_dispersion([query, other_query])) == png(
        oracle.plot_dispersion([query, other_query])
    )


def png(figure):
    pytest.importorskip("matplotlib")
    out = io.BytesIO()
    figure.savefig(out, format="png", metadata={"Software": None})
    return out.getvalue()


def test_views_of_the_letter_answer_as_corpora_of_their_documents(letter_corpus):
    corpus = letter_corpus
    n = corpus.n_docs
    assert n > 6
    views = [
        corpus.where(part="middle"),
        corpus.where(part=["opening", "closing"], even=True),
        corpus.subset([i % 3 != 1 for i in range(n)]),
        corpus.subset(["p03", "p01", "p05", "p01"]),
        corpus.where(even=False).subset(np.arange(len(corpus.where(even=False))) < 4),
        corpus.subset(np.ones(n, dtype=bool)),
    ]
    assert views[3].ids == ("p01", "p03", "p05")  # corpus order, once each
    assert views[4].ids == tuple(f"p{i:02d}" for i in (1, 3, 5, 7))
    for view in views:
        assert_same(view, alone(view), "peace", "war", ["part", "n"])


def test_views_of_books_answer_as_corpora_of_their_documents(books):
    views = [
        books.where(kind="novel"),
        books.where(year=[1845, 1892, 1906]),
        books.where(kind={"novel", "memoir"}).where(author=("Shelley", "Douglass")),
        books.subset(books.metadata["year"].to_numpy() > 1880),
        books.subset(["84-Frankenstein"]),
    ]
    assert views[0].ids == (
        "35-The-Time-Machine",
        "84-Frankenstein",
        "76-Adventures-of-Huckleberry-Finn",
    )
    assert views[2].ids == (
        "84-Frankenstein",
        "23-Narrative-of-the-Life-of-Frederick-Douglass-an-American-Slav",
    )
    for view in views:
        assert_same(view, alone(view), "time", "man", ["author", "year"])


def test_keyness_between_views_and_corpora(books):
    novels, others = books.where(kind="novel"), books.where(kind=["memoir", "stories"])
    novels_alone, others_alone = alone(novels), alone(others)
    assert_frames_equal(
        kwiq.Corpus.keyness(novels, others), kwiq.Corpus.keyness(novels_alone, others_alone)
    )
    assert_frames_equal(novels.keyness(books), novels_alone.keyness(books))
    assert_frames_equal(books.keyness(others), books.keyness(others_alone))


def test_a_view_counts_only_its_documents(books):
    """Against Counter over the view's own kwic hits and freq rows: the
    counts of a view are not the whole corpus's."""
    view = books.where(author="Wells")
    whole = books.freq().set_index("word")
    mine = view.freq().set_index("word")
    assert mine.loc["time", "count"] == len(view.kwic("time"))
    assert mine.loc["time", "count"] < whole.loc["time", "count"]
    assert (mine["docs"] == 1).all()
    assert view.collocates("time").attrs["N"] == int(mine["count"].sum())


def test_metadata_property(letter_corpus, books):
    frame = books.metadata
    assert list(frame.columns) == ["author", "year", "kind", "score"]
    assert frame.index.name == "doc" and tuple(frame.index) == books.ids
    assert frame.loc["84-Frankenstein", "year"] == 1818
    assert frame["year"].dtype == np.int64
    frame.loc["84-Frankenstein", "year"] = 0  # a copy: the corpus keeps its own
    assert books.metadata.loc["84-Frankenstein", "year"] == 1818
    assert letter_corpus.metadata["even"].tolist()[:3] == [True, False, True]
    plain = kwiq.Corpus(["a b", "c"], ids=[("x", 1), ("y", 2)])
    assert plain.metadata.shape == (2, 0)
    assert list(plain.metadata.index) == [("x", 1), ("y", 2)]
    # A list of dicts: keys are columns, a missing key is missing: <NA> in a
    # column of ints, which stays of ints (pandas' nullable Int64).
    ragged = kwiq.Corpus(["a", "b"], metadata=[{"x": 1}, {"y": "z"}])
    assert list(ragged.metadata.columns) == ["x", "y"]
    assert ragged.metadata["x"].dtype == "Int64"
    assert ragged.metadata.loc[1, "x"] is pd.NA and ragged.metadata.loc[1, "y"] == "z"
    # A DataFrame's own index is not used: row i is document i.
    shifted = pd.DataFrame({"x": [10, 20]}, index=[7, 3])
    assert kwiq.Corpus(["a", "b"], metadata=shifted).metadata["x"].tolist() == [10, 20]


def test_bad_metadata():
    with pytest.raises(ValueError, match="3 rows for 2 documents"):
        kwiq.Corpus(["a", "b"], metadata=[{}, {}, {}])
    with pytest.raises(ValueError, match="1 rows for 2 documents"):
        kwiq.Corpus(["a", "b"], metadata=pd.DataFrame({"x": [1]}))
    with pytest.raises(TypeError, match="not dict"):
        kwiq.Corpus(["a", "b"], metadata={"x": [1, 2]})
    with pytest.raises(TypeError, match="not str"):
        kwiq.Corpus(["a", "b"], metadata="xy")
    with pytest.raises(TypeError, match="row 1 is list"):
        kwiq.Corpus(["a", "b"], metadata=[{"x": 1}, [2]])
    with pytest.raises(TypeError, match="must be str"):
        kwiq.Corpus(["a"], metadata=pd.DataFrame({0: [1]}))
    with pytest.raises(TypeError, match="not int"):
        kwiq.Corpus(["a"], metadata=5)


def test_from_pandas():
    df = pd.DataFrame(
        {
            "body": ["Peace now.", "War then.", "Peace again, peace."],
            "name": ["a", "b", "c"],
            "year": [1, 2, 3],
        }
    )
    corpus = kwiq.Corpus.from_pandas(df, text="body", id="name")
    assert corpus.ids == ("a", "b", "c")
    assert list(corpus.metadata.columns) == ["year"]
    assert corpus.where(year=[1, 3]).ids == ("a", "c")
    assert len(corpus.where(year=[1, 3]).kwic("peace")) == 3
    plain = kwiq.Corpus.from_pandas(df.rename(columns={"body": "text"}))
    assert plain.ids == (0, 1, 2) and list(plain.metadata.columns) == ["name", "year"]
    with pytest.raises(ValueError, match="text='text' is not a column"):
        kwiq.Corpus.from_pandas(df)
    with pytest.raises(ValueError, match="id='nope' is not a column"):
        kwiq.Corpus.from_pandas(df, text="body", id="nope")
    with pytest.raises(TypeError, match="DataFrame"):
        kwiq.Corpus.from_pandas([{"text": "a"}])


def test_from_files_with_metadata(tmp_path):
    for name, text in (("1990-a.txt", "peace here"), ("2001-b.txt", "war and peace")):
        (tmp_path / name).write_text(text, encoding="utf-8")
    corpus = kwiq.Corpus.from_files(
        tmp_path, ids="name", progress=False, metadata=lambda path: {"year": int(path.name[:4])}
    )
    assert corpus.metadata["year"].to_dict() == {"1990-a.txt": 1990, "2001-b.txt": 2001}
    assert [line.doc for line in corpus.where(year=2001).kwic("peace")] == ["2001-b.txt"]
    listed = kwiq.Corpus.from_files(
        tmp_path, ids="name", progress=False, metadata=[{"k": "x"}, {"k": "y"}]
    )
    assert listed.metadata["k"].tolist() == ["x", "y"]
    with pytest.raises(ValueError, match="1 rows for 2 documents"):
        kwiq.Corpus.from_files(tmp_path, progress=False, metadata=[{"k": "x"}])


def test_subset_and_where_arguments(letter_corpus):
    corpus = letter_corpus
    n = corpus.n_docs
    assert corpus.subset([]).n_docs == 0
    assert corpus.subset([]).freq().empty and len(corpus.subset([]).kwic("peace")) == 0
    assert corpus.subset(pd.Series([True] * n)).ids == corpus.ids
    assert corpus.where().ids == corpus.ids
    with pytest.raises(ValueError, match="a mask of 2 bools for"):
        corpus.subset([True, False])
    with pytest.raises(KeyError, match="no document with id 'nope'"):
        corpus.subset(["nope"])
    view = corpus.where(part="middle")
    outside = corpus.where(part="opening").ids[0]
    with pytest.raises(KeyError, match="not in this view"):
        view.subset([outside])
    with pytest.raises(KeyError, match="not in this view"):
        view.text(outside)
    with pytest.raises(TypeError, match="single str"):
        corpus.subset("p01")
    with pytest.raises(ValueError, match="unknown metadata column 'author'.*'part'"):
        corpus.where(author="x")
    with pytest.raises(ValueError, match="no metadata"):
        kwiq.Corpus(["a"]).where(x=1)
    assert "a view of" in repr(view) and f"{view.n_docs} documents" in repr(view)
    # None: a missing value.
    holes = kwiq.Corpus(["a", "b", "c"], metadata=[{"x": 1}, {}, {"x": 3}])
    assert holes.where(x=None).ids == (1,)
    # Any collection but a str is "one of these": a range, a set, an array.
    years = kwiq.Corpus(["a", "b", "c"], metadata=[{"y": 1990}, {"y": 1991}, {"y": 1992}])
    assert years.where(y=range(1990, 1992)).ids == (0, 1)
    assert years.where(y={1992}).ids == (2,)
    assert years.where(y=np.array([1991, 1992])).ids == (1, 2)
    assert holes.where(x=[1, 3]).ids == (0, 2)


def test_kwic_meta_lines_and_exports(books, tmp_path):
    concordance = books.where(kind="novel").kwic("time machine", meta=["author", "year"])
    assert len(concordance) > 0 and concordance.meta == ("author", "year")
    by_id = books.metadata
    for line in concordance:
        assert isinstance(line, kwiq.Line)
        assert line._fields == kwiq.Line._fields + ("author", "year")
        assert (line.author, line.year) == (
            by_id.loc[line.doc, "author"],
            by_id.loc[line.doc, "year"],
        )
        assert line[:8] == tuple(getattr(line, f) for f in kwiq.Line._fields)
    plain = books.where(kind="novel").kwic("time machine")
    assert [line[:8] for line in concordance] == list(plain)
    assert concordance.sort("R1")[0].author == "Wells"
    frame = concordance.to_pandas()
    assert list(frame.columns) == list(kwiq.Line._fields) + ["author", "year", "query"]
    assert frame["year"].dtype == np.int64
    assert frame["author"].tolist() == [by_id.loc[d, "author"] for d in frame["doc"]]
    polars = pytest.importorskip("polars")
    pframe = concordance.to_polars()
    assert pframe.columns == frame.columns.tolist()
    assert (
        pframe["year"].dtype == polars.Int64 and pframe["year"].to_list() == frame["year"].tolist()
    )
    concordance.to_csv(tmp_path / "lines.csv")
    header, first = (tmp_path / "lines.csv").read_text(encoding="utf-8").splitlines()[:2]
    assert header == ",".join(kwiq.Line._fields + ("author", "year", "query"))
    assert first.endswith(",Wells,1895,time machine")
    concordance.to_json(tmp_path / "lines.json")
    rows = json.loads((tmp_path / "lines.json").read_text(encoding="utf-8"))
    assert rows[0]["author"] == "Wells" and rows[0]["year"] == 1895
    assert len(rows) == len(concordance)
    page = concordance._repr_html_()
    assert page.count('class="kwiq-meta"') == 2 * min(len(concordance), 60)
    assert ">Wells</div>" in page and ">1895</div>" in page
    # Lines with metadata pickle, to the same class, and deep-copy.
    assert pickle.loads(pickle.dumps(list(concordance))) == list(concordance)
    again = pickle.loads(pickle.dumps(concordance[0]))
    assert type(again) is type(concordance[0]) and again.author == "Wells"
    assert copy.deepcopy(concordance[0]) == concordance[0]
    # As in another process, where no line has had these columns yet.
    frozen = pickle.dumps(concordance[0])
    _concordance.meta_line_type.cache_clear()
    fresh = pickle.loads(frozen)
    assert isinstance(fresh, kwiq.Line) and fresh._fields == concordance[0]._fields
    assert fresh == concordance[0] and fresh.year == 1895
    # Meta on a corpus holding every document, and a single column by name.
    assert {line.kind for line in books.kwic("whale", meta="kind")} <= set(KINDS)


def test_kwic_meta_errors(books):
    with pytest.raises(ValueError, match="unknown metadata column 'colour' in meta"):
        books.kwic("time", meta=["colour"])
    with pytest.raises(ValueError, match="no metadata"):
        kwiq.Corpus(["a"]).kwic("a", meta="x")
    odd = kwiq.Corpus(["a", "b"], metadata=[{"pub year": 1, "doc": 2}, {"pub year": 3, "doc": 4}])
    with pytest.raises(ValueError, match="identifiers"):
        odd.kwic("a", meta="pub year")
    with pytest.raises(ValueError, match="concordance column"):
        odd.kwic("a", meta="doc")
    with pytest.raises(TypeError):
        books.kwic("time", meta=[1])


def test_metadata_survives_save_and_load(books, tmp_path):
    path = tmp_path / "books.kwiq"
    books.save(path)
    loaded = kwiq.Corpus.load(path)
    pd.testing.assert_frame_equal(loaded.metadata, books.metadata)
    assert list(loaded.where(kind="novel").kwic("time", meta="year")) == list(
        books.where(kind="novel").kwic("time", meta="year")
    )
    # dtypes are kept, a category included.
    frame = pd.DataFrame(
        {
            "c": pd.Categorical(["x", "y", "x"]),
            "b": [True, False, True],
            "t": [("a", 1), None, ("b", 2)],
            "f": [1.5, float("nan"), 2**0.5],
            "big": [2**70, 0, -1],
        }
    )
    small = kwiq.Corpus(["one", "two", "three"], metadata=frame)
    small.save(tmp_path / "small.kwiq")
    pd.testing.assert_frame_equal(
        kwiq.Corpus.load(tmp_path / "small.kwiq").metadata, small.metadata
    )


def test_saving_a_view_writes_its_documents_alone(books, tmp_path):
    view = books.where(kind=["memoir", "dictionary"])
    view.save(tmp_path / "view.kwiq")
    loaded = kwiq.Corpus.load(tmp_path / "view.kwiq")
    assert loaded.ids == view.ids and loaded.n_docs == 2
    pd.testing.assert_frame_equal(loaded.metadata, view.metadata)
    assert_frames_equal(loaded.freq(), view.freq())
    alone(view).save(tmp_path / "alone.kwiq")
    assert (tmp_path / "view.kwiq").read_bytes() == (tmp_path / "alone.kwiq").read_bytes()


def test_saved_metadata_is_checked(tmp_path):
    corpus = kwiq.Corpus(["peace", "war"], metadata=[{"year": 1961}, {"year": 1962}])
    path = tmp_path / "c.kwiq"
    corpus.save(path)
    data = bytearray(path.read_bytes())
    at = data.index(b"1962")
    data[at + 3] = ord("3")
    damaged = tmp_path / "damaged.kwiq"
    damaged.write_bytes(bytes(data))
    with pytest.raises(kwiq.FormatError, match="blob"):
        kwiq.Corpus.load(damaged)
    # A corpus without metadata writes no metadata, and loads without.
    kwiq.Corpus(["peace"]).save(tmp_path / "plain.kwiq")
    assert b"metadata" not in (tmp_path / "plain.kwiq").read_bytes()
    assert kwiq.Corpus.load(tmp_path / "plain.kwiq").metadata.shape == (1, 0)
    # Values a saved corpus cannot keep: TypeError, and no file.
    stamped = kwiq.Corpus(["a"], metadata=[{"when": pd.Timestamp("2020-01-01")}])
    with pytest.raises(TypeError, match="metadata column 'when' row 0"):
        stamped.save(tmp_path / "stamped.kwiq")
    assert not (tmp_path / "stamped.kwiq").exists()


def test_freq_keeps_its_table_but_hands_out_copies(letter_corpus):
    first = letter_corpus.freq()
    expected = first.copy()
    first.loc[0, "count"] = -1
    first["word"] = "changed"
    pd.testing.assert_frame_equal(letter_corpus.freq(), expected)
    top = letter_corpus.freq(min_count=5)
    assert (top["count"] >= 5).all() and len(top) == int((expected["count"] >= 5).sum())
    pd.testing.assert_frame_equal(top, expected.iloc[: len(top)])


def test_the_core_checks_document_masks(letter_corpus):
    index = letter_corpus._index
    n = letter_corpus.n_docs
    hits = letter_corpus.kwic("peace")._hits
    for bad in (b"", bytes(n + 1)):
        with pytest.raises(ValueError, match="document mask"):
            index.freq(False, bad)
        with pytest.raises(ValueError, match="document mask"):
            index.ngrams(2, 1, bad)
        with pytest.raises(ValueError, match="document mask"):
            index.hits_in_docs(hits, bad)
    with pytest.raises(TypeError):
        index.hits_in_docs(hits, None)
    with pytest.raises(TypeError):
        index.freq(False, 5)
    other = kwiq.Corpus(["peace"])
    with pytest.raises(ValueError, match="another index"):
        other._index.hits_in_docs(hits, b"\x01")
    # Every byte that is not 0 chooses its document; the mask is not kept.
    first = letter_corpus.ids.index(letter_corpus.kwic("peace")[0].doc)
    mask = bytearray(n)
    mask[first] = 7
    kept = index.hits_in_docs(hits, mask)
    mask[first] = 0
    expected = [
        line for line in letter_corpus.kwic("peace") if line.doc == letter_corpus.ids[first]
    ]
    assert 0 < len(kept) == len(expected) < len(hits)


def test_ints_with_missing_values_stay_ints(tmp_path):
    """Rows of dicts whose ints are missing in some rows: a nullable Int64
    column, as pandas makes of the values with dtype="Int64", not floats;
    kept by save and load, chosen by where."""
    rows = [
        {"year": 1811, "n": 2**62},
        {"title": "x"},
        {"year": None, "n": 3},
        {"year": 1813, "big": 2**70},
        {"big": None},
    ]
    corpus = kwiq.Corpus(["a"] * 5, metadata=rows)
    expected = pd.array([1811, None, None, 1813, None], dtype="Int64")
    assert corpus.metadata["year"].dtype == "Int64"
    pd.testing.assert_extension_array_equal(corpus.metadata["year"].array, expected)
    assert corpus.metadata["n"].tolist() == [2**62, pd.NA, 3, pd.NA, pd.NA]
    assert corpus.metadata["big"].dtype == object  # beyond Int64: Python ints
    corpus.save(tmp_path / "x.kwiq")
    loaded = kwiq.Corpus.load(tmp_path / "x.kwiq")
    pd.testing.assert_frame_equal(loaded.metadata, corpus.metadata)
    assert loaded.where(year=1813).ids == (3,) and loaded.where(year=None).ids == (1, 2, 4)
    assert [line.year for line in loaded.kwic("a", meta="year")] == [1811] + [pd.NA] * 2 + [
        1813,
        pd.NA,
    ]
    # a DataFrame given keeps the dtypes it has
    frame = pd.DataFrame({"year": [1.0, None, 3.0, 4.0, 5.0]})
    assert kwiq.Corpus(["a"] * 5, metadata=frame).metadata["year"].dtype == "float64"
