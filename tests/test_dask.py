"""kwiq.dask on a LocalCluster of two worker processes, against one
kwiq.Corpus of the same documents: the same lines in the same order, the
same counts, the same measures (to 1e-12)."""

import io
import os
import pickle
import signal
import threading
import time
from pathlib import Path

import pytest

import kwiq
from conftest import DATA

distributed = pytest.importorskip("distributed")
pd = pytest.importorskip("pandas")
import dask  # noqa: E402
import dask.bag as db  # noqa: E402
import dask.dataframe as dd  # noqa: E402

import kwiq.dask  # noqa: E402

# Every test here starts a LocalCluster of worker processes, or uses one.
pytestmark = pytest.mark.slow

GUTENBERG = DATA / "gutenberg"
BOOKS = str(GUTENBERG / "*.txt")


def two_workers():
    return distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0"
    )


@pytest.fixture(scope="module")
def client():
    with two_workers() as cluster, distributed.Client(cluster) as client:
        yield client


@pytest.fixture(scope="module")
def books():
    return kwiq.Corpus.from_files(BOOKS, progress=False)


@pytest.fixture(scope="module")
def dbooks(client):
    return kwiq.dask.Corpus.from_files(BOOKS, npartitions=4, client=client)


def same_lines(local, single):
    assert isinstance(local, kwiq.Concordance)
    assert len(local) == len(single)
    assert list(local) == list(single)
    # One machine's frame of no lines has float64 columns; only the names count then.
    pd.testing.assert_frame_equal(
        local.to_pandas(),
        single.to_pandas(),
        check_dtype=len(single) > 0,
        check_index_type=len(single) > 0,
    )


def test_partitions_hold_the_corpus(dbooks, books):
    assert dbooks.npartitions == 4
    assert (dbooks.n_docs, dbooks.n_tokens, dbooks.ids) == (books.n_docs, books.n_tokens, books.ids)
    # Each partition lives on a worker and stays there, and the scheduler
    # knows its size (at least its text's), so it runs queries where it is.
    client = dbooks._client
    where = client.who_has(dbooks._parts)
    assert all(len(holders) == 1 for holders in where.values())
    keys = [part.key for part in dbooks._parts]
    sizes = client.run_on_scheduler(
        lambda dask_scheduler: [dask_scheduler.tasks[key].nbytes for key in keys]
    )
    text_bytes = sum(path.stat().st_size for path in GUTENBERG.glob("*.txt"))
    assert sum(sizes) >= text_bytes
    last = books.ids[-1]
    assert dbooks.text(last) == books.text(last)
    with pytest.raises(KeyError):
        dbooks.text("no such book")


QUERIES = [
    ("whale", {}),
    (["peace", "war"], {}),
    ("in spite of", {"window": (2, 7)}),
    ("the * of", {"window": 3}),
    ("/[0-9]+/", {}),
    ("Elizabeth", {"case": True}),
    ("love*", {"width": 30}),
    ("said", {"window": 12, "bound": "sentence"}),
    ("night", {"width": 60, "bound": "paragraph"}),
]


@pytest.mark.parametrize("query, options", QUERIES)
def test_kwic_gives_the_lines_of_one_machine(dbooks, books, query, options):
    frame = dbooks.kwic(query, **options)
    assert isinstance(frame, dd.DataFrame)
    assert frame.npartitions == dbooks.npartitions
    single = books.kwic(query, **options)
    local = frame.compute()
    same_lines(local, single)
    assert str(local) == str(single)
    assert local._repr_html_() == single._repr_html_()
    assert (local.query, local.queries, local.window, local.case) == (
        single.query,
        single.queries,
        single.window,
        single.case,
    )


def test_kwic_frame_is_a_dask_dataframe(dbooks, books):
    frame = dbooks.kwic(["peace", "war"])
    expected = books.kwic(["peace", "war"]).to_pandas()
    assert list(frame.columns) == list(expected.columns)
    counts = frame.groupby("query", observed=True)["match"].count().compute()
    assert counts.to_dict() == expected.groupby("query", observed=True)["match"].count().to_dict()
    # len() counts the hits on the workers and makes no line.
    with distributed.get_task_stream(client=dbooks._client) as tasks:
        assert len(frame) == len(expected)
    ran = {task["key"][0] if isinstance(task["key"], tuple) else task["key"] for task in tasks.data}
    assert ran and all(key.startswith("count_part") for key in ran), ran
    # Partition by partition, in document order.
    parts = [frame.get_partition(i).compute() for i in range(frame.npartitions)]
    pd.testing.assert_frame_equal(pd.concat(parts, ignore_index=True), expected)
    (plain,) = dask.compute(frame)
    pd.testing.assert_frame_equal(plain.reset_index(drop=True), expected)


def test_frequent_word(dbooks, books):
    same_lines(dbooks.kwic("the").compute(), books.kwic("the"))


SORTS = [
    ("R1", "R2"),
    ("L1",),
    ("match", "R1"),
    ("doc",),
    ("position",),
    ("L5", "R5"),
    ("r3", "MATCH", "l2"),
]


@pytest.mark.parametrize("keys", SORTS)
def test_sort_as_one_machine(dbooks, books, keys):
    for query in ("whale", "peace*", "U-2", ["love", "hate"]):
        same_lines(dbooks.kwic(query).compute().sort(*keys), books.kwic(query).sort(*keys))


def test_sort_again_keeps_the_earlier_order_among_ties(dbooks, books):
    local = dbooks.kwic("the", window=2).compute().sort("R1").sort("L1")
    same_lines(local, books.kwic("the", window=2).sort("R1").sort("L1"))


def test_sort_errors_as_one_machine(dbooks):
    local = dbooks.kwic("whale").compute()
    with pytest.raises(ValueError):
        local.sort()
    with pytest.raises(ValueError):
        local.sort("R6")
    with pytest.raises(TypeError):
        local.sort(1)


def test_exports(dbooks, books, tmp_path):
    local, single = dbooks.kwic(["peace", "war"]).compute(), books.kwic(["peace", "war"])
    local.to_csv(tmp_path / "a.csv")
    single.to_csv(tmp_path / "b.csv")
    assert (tmp_path / "a.csv").read_bytes() == (tmp_path / "b.csv").read_bytes()
    local.to_json(tmp_path / "a.json")
    single.to_json(tmp_path / "b.json")
    assert (tmp_path / "a.json").read_bytes() == (tmp_path / "b.json").read_bytes()
    assert local.to_polars().equals(single.to_polars())
    assert list(local[5:9]) == list(single[5:9]) and local[-1] == single[-1]


@pytest.mark.parametrize("options", [{}, {"case": True}, {"punctuation": True}, {"min_count": 7}])
def test_freq(dbooks, books, options):
    pd.testing.assert_frame_equal(
        dbooks.freq(**options), books.freq(**options), check_exact=False, rtol=1e-12
    )


@pytest.mark.parametrize("n, min_count", [(1, 1), (2, 2), (3, 2), (5, 3)])
def test_ngrams(dbooks, books, n, min_count):
    pd.testing.assert_frame_equal(
        dbooks.ngrams(n, min_count=min_count), books.ngrams(n, min_count=min_count)
    )


@pytest.mark.parametrize(
    "query, options",
    [
        ("time", {}),
        ("the", {"window": (3, 2)}),
        ("peace*", {"min_count": 1, "case": True}),
        (["love", "hate"], {"measures": ("ll", "t")}),
        ("the", {"counting": "windows"}),
    ],
)
def test_collocates(dbooks, books, query, options):
    distributed_frame = dbooks.collocates(query, **options)
    single = books.collocates(query, **options)
    pd.testing.assert_frame_equal(distributed_frame, single, check_exact=False, rtol=1e-12)
    assert distributed_frame.attrs == single.attrs


@pytest.mark.parametrize(
    "query, n, options",
    [
        ("the", 2, {}),
        ("in spite", 4, {}),
        ("love*", 3, {"side": "left", "min_count": 2}),
        ("Elizabeth", 2, {"case": True}),
    ],
)
def test_clusters(dbooks, books, query, n, options):
    pd.testing.assert_frame_equal(
        dbooks.clusters(query, n, **options), books.clusters(query, n, **options)
    )


@pytest.mark.parametrize("query", ["whale", ["peace", "war"], "in spite of"])
def test_dispersion(dbooks, books, query):
    pd.testing.assert_frame_equal(
        dbooks.dispersion(query), books.dispersion(query), check_exact=False, rtol=1e-12
    )


@pytest.mark.parametrize(
    "queries, options",
    [
        ("whale", {}),
        (["peace", "war"], {"scale": "absolute"}),
        (["Elizabeth", "Darcy"], {"case": True}),
        ("nonexistentword", {}),
    ],
)
def test_plot_dispersion(dbooks, books, queries, options):
    """The same picture, byte for byte."""
    assert png(dbooks.plot_dispersion(queries, **options)) == png(
        books.plot_dispersion(queries, **options)
    )


def test_plot_dispersion_checks_on_the_client(dbooks):
    with pytest.raises(ValueError, match="scale must be"):
        dbooks.plot_dispersion("whale", scale="log")
    with pytest.raises(ValueError, match="an empty list of queries"):
        dbooks.plot_dispersion([])
    with pytest.raises(kwiq.QueryError):
        dbooks.plot_dispersion(["whale", "/(/"])


def png(figure):
    pytest.importorskip("matplotlib")
    out = io.BytesIO()
    figure.savefig(out, format="png", metadata={"Software": None})
    return out.getvalue()


def test_keyness(client, books):
    files = sorted(str(p) for p in GUTENBERG.glob("*.txt"))
    music = [f for f in files if "Beethoven" in f or "Music" in f or "Sonata" in f]
    rest = [f for f in files if f not in music]
    target = kwiq.dask.Corpus.from_files(music, npartitions=2, client=client)
    reference = kwiq.dask.Corpus.from_files(rest, npartitions=3, client=client)
    single = kwiq.keyness(
        kwiq.Corpus.from_files(music, progress=False), kwiq.Corpus.from_files(rest, progress=False)
    )
    for got in (target.keyness(reference), kwiq.dask.keyness(target, reference)):
        pd.testing.assert_frame_equal(got, single, check_exact=False, rtol=1e-12)
    with_local = kwiq.dask.keyness(target, books, measures=("log_ratio",), case=True)
    pd.testing.assert_frame_equal(
        with_local,
        kwiq.keyness(
            kwiq.Corpus.from_files(music, progress=False), books, measures=("log_ratio",), case=True
        ),
        check_exact=False,
        rtol=1e-12,
    )


def read_utf8(path):
    with open(path, encoding="utf-8") as file:
        return file.read()


def test_from_bag_of_texts(client):
    files = sorted(str(p) for p in GUTENBERG.glob("*.txt"))[:12]
    bag = db.from_sequence(files, npartitions=5).map(read_utf8)  # read on the workers
    corpus = kwiq.dask.Corpus.from_bag(bag, client=client)
    single = kwiq.Corpus([read_utf8(f) for f in files])
    assert corpus.ids == tuple(range(12)) == single.ids
    # Every partition's documents by their place in the whole bag.
    assert [corpus.text(i) for i in corpus.ids] == [single.text(i) for i in single.ids]
    same_lines(corpus.kwic("love").compute(), single.kwic("love"))
    same_lines(corpus.kwic("love").compute().sort("L1"), single.kwic("love").sort("L1"))


def test_from_bag_of_pairs(client):
    files = sorted(str(p) for p in GUTENBERG.glob("*.txt"))[:6]
    bag = db.from_sequence(files, npartitions=3).map(lambda f: (os.path.basename(f), read_utf8(f)))
    corpus = kwiq.dask.Corpus.from_bag(bag, client=client)
    single = kwiq.Corpus([read_utf8(f) for f in files], ids=[os.path.basename(f) for f in files])
    same_lines(corpus.kwic("river").compute(), single.kwic("river"))


def test_from_bag_rejects_repeated_ids_and_mixed_items(client):
    with pytest.raises(ValueError, match="given twice"):
        kwiq.dask.Corpus.from_bag(
            db.from_sequence([("a", "x y"), ("a", "z")], npartitions=2), client=client
        )
    with pytest.raises(TypeError):
        kwiq.dask.Corpus.from_bag(
            db.from_sequence(["x y", ("a", "z")], npartitions=2), client=client
        )


def test_bad_documents_named_by_their_place_in_the_collection(client):
    """A text that is not str, or holds a lone surrogate, raises the error
    one machine gives for the same collection, whatever partition it is in."""
    texts = [f"text number {i}" for i in range(10)]
    for bad in ("bad \ud800 text", None):
        items = texts[:7] + [bad] + texts[8:]
        expected = pytest.raises(TypeError if bad is None else UnicodeEncodeError)
        with expected as single:
            kwiq.Corpus(items)
        # Dask would convert a column of objects to Arrow strings, which
        # cannot hold a lone surrogate: the text is kept as it is given.
        with dask.config.set({"dataframe.convert-string": False}):
            frame = dd.from_pandas(pd.DataFrame({"text": items}, dtype=object), npartitions=3)
        cases = [db.from_sequence(list(zip("abcdefghij", items)), npartitions=3), frame]
        if bad is not None:  # a bag of str and None is refused as mixed items
            cases.append(db.from_sequence(items, npartitions=3))
        for source in cases:
            with pytest.raises(type(single.value)) as distributed_error:
                if isinstance(source, dd.DataFrame):
                    kwiq.dask.Corpus.from_dataframe(source, client=client)
                else:
                    kwiq.dask.Corpus.from_bag(source, client=client)
            message = str(single.value)
            if isinstance(source, db.Bag) and source.take(1, npartitions=-1)[0][0] == "a":
                message = message.replace("(id 7)", "(id 'h')")
            assert str(distributed_error.value) == message


def test_from_dataframe(client):
    files = sorted(GUTENBERG.glob("*.txt"))[:8]
    frame = pd.DataFrame({"name": [f.stem for f in files], "body": [read_utf8(f) for f in files]})
    ddf = dd.from_pandas(frame, npartitions=3)
    single_named = kwiq.Corpus(frame["body"], ids=frame["name"])
    named = kwiq.dask.Corpus.from_dataframe(ddf, text="body", id="name", client=client)
    same_lines(named.kwic("heart").compute(), single_named.kwic("heart"))
    numbered = kwiq.dask.Corpus.from_dataframe(ddf, text="body", client=client)
    assert numbered.ids == tuple(range(8))
    assert [numbered.text(i) for i in range(8)] == frame["body"].tolist()
    same_lines(numbered.kwic("heart").compute(), kwiq.Corpus(frame["body"]).kwic("heart"))
    with pytest.raises(KeyError):
        kwiq.dask.Corpus.from_dataframe(ddf, text="text", client=client)


def book_rows(path):
    """Made-up metadata of a Gutenberg file: its number and the first
    letter of its title."""
    number, title = path.stem.split("-", 1)
    return {"number": int(number), "initial": title[0], "long": len(title) > 20}


def same_meta_lines(local, single, tmp_path):
    same_lines(local, single)
    assert local.meta == single.meta and local[0]._fields == single[0]._fields
    assert local[0].number == single[0].number
    pd.testing.assert_frame_equal(local.to_pandas(), single.to_pandas())
    assert local.to_polars().rows() == single.to_polars().rows()
    local.to_csv(tmp_path / "a.csv")
    single.to_csv(tmp_path / "b.csv")
    assert (tmp_path / "a.csv").read_bytes() == (tmp_path / "b.csv").read_bytes()
    assert local._repr_html_() == single._repr_html_()


def test_metadata_from_a_dataframe(client, tmp_path):
    files = sorted(GUTENBERG.glob("*.txt"))[:9]
    frame = pd.DataFrame([{"name": f.stem, "body": read_utf8(f), **book_rows(f)} for f in files])
    ddf = dd.from_pandas(frame, npartitions=3)
    # The frame as Dask holds it (its str columns may have become
    # string[pyarrow]): metadata keeps the dtypes it is given.
    held = ddf.compute()
    for id in ("name", None):
        corpus = kwiq.dask.Corpus.from_dataframe(ddf, text="body", id=id, client=client)
        single = kwiq.Corpus.from_pandas(held, text="body", id=id)
        pd.testing.assert_frame_equal(corpus.metadata, single.metadata)
        for query in ("heart", ["love", "hate"]):
            same_meta_lines(
                corpus.kwic(query, meta=["number", "initial"]).compute(),
                single.kwic(query, meta=["number", "initial"]),
                tmp_path,
            )
        same_meta_lines(
            corpus.kwic("heart", meta="number").compute().sort("R1", "doc"),
            single.kwic("heart", meta="number").sort("R1", "doc"),
            tmp_path,
        )
    # A saved corpus keeps its metadata.
    corpus.save(tmp_path / "saved")
    loaded = kwiq.dask.Corpus.load(tmp_path / "saved", client=client)
    pd.testing.assert_frame_equal(loaded.metadata, single.metadata)
    same_meta_lines(
        loaded.kwic("heart", meta=["long", "number"]).compute(),
        single.kwic("heart", meta=["long", "number"]),
        tmp_path,
    )


def test_metadata_from_files(client, books, tmp_path):
    files = sorted(GUTENBERG.glob("*.txt"))
    by_function = kwiq.dask.Corpus.from_files(
        BOOKS, metadata=book_rows, npartitions=3, client=client
    )
    by_rows = kwiq.dask.Corpus.from_files(
        BOOKS, metadata=[book_rows(f) for f in files], npartitions=4, client=client
    )
    single = kwiq.Corpus.from_files(BOOKS, metadata=book_rows, progress=False)
    for corpus in (by_function, by_rows):
        pd.testing.assert_frame_equal(corpus.metadata, single.metadata)
        same_meta_lines(
            corpus.kwic("whale", meta=["number", "initial"]).compute(),
            single.kwic("whale", meta=["number", "initial"]),
            tmp_path,
        )
    # Errors as one machine gives them, on the client.
    with pytest.raises(ValueError, match="unknown metadata column 'colour'"):
        by_rows.kwic("whale", meta="colour")
    with pytest.raises(ValueError, match="the corpus has no metadata"):
        kwiq.dask.Corpus.from_files(BOOKS, npartitions=2, client=client).kwic("whale", meta="x")
    with pytest.raises(ValueError, match="one row per document"):
        kwiq.dask.Corpus.from_files(BOOKS, metadata=[{"a": 1}], client=client)


@pytest.fixture(scope="module")
def dmeta(client):
    return kwiq.dask.Corpus.from_files(BOOKS, metadata=book_rows, npartitions=3, client=client)


@pytest.fixture(scope="module")
def meta_books():
    return kwiq.Corpus.from_files(BOOKS, metadata=book_rows, progress=False)


def views(corpus):
    """The same views of a kwiq.dask.Corpus or a kwiq.Corpus of the same
    documents, by metadata, by mask and by ids, and a view of a view."""
    ids = corpus.ids
    by_initial = corpus.where(initial=["T", "A", "M"])
    return {
        "where": by_initial,
        "where two columns": corpus.where(long=True, number=[84, 1342, 2701, 11, 76]),
        "mask": corpus.subset([i % 3 != 1 for i in range(len(ids))]),
        "ids": corpus.subset([ids[5], ids[0], ids[-1], ids[5]]),
        "view of a view": by_initial.subset([i % 2 == 0 for i in range(len(by_initial.ids))]),
        "no documents": corpus.where(initial="no such letter"),
    }


def test_views_answer_as_one_machine(dmeta, meta_books, tmp_path):
    distributed_views, single_views = views(dmeta), views(meta_books)
    for name, single in single_views.items():
        view = distributed_views[name]
        assert (view.ids, view.n_docs, view.n_tokens) == (
            single.ids,
            single.n_docs,
            single.n_tokens,
        ), name
        pd.testing.assert_frame_equal(view.metadata, single.metadata, check_index_type=False)
        if not single.ids:
            assert len(view.kwic("the").compute()) == 0
            continue
        assert view.text(single.ids[-1]) == single.text(single.ids[-1])
        for query in ("whale", ["love", "hate"], "in spite of"):
            same_lines(view.kwic(query, meta="number").compute(), single.kwic(query, meta="number"))
            for keys in (("R1", "L1"), ("doc",), ("position",)):
                same_lines(view.kwic(query).compute().sort(*keys), single.kwic(query).sort(*keys))
        pd.testing.assert_frame_equal(view.freq(), single.freq())
        pd.testing.assert_frame_equal(
            view.ngrams(2, min_count=3).head(200), single.ngrams(2, min_count=3).head(200)
        )
        pd.testing.assert_frame_equal(view.clusters("the", 2), single.clusters("the", 2))
        pd.testing.assert_frame_equal(
            view.collocates("time"), single.collocates("time"), check_exact=False, rtol=1e-12
        )
        pd.testing.assert_frame_equal(view.dispersion("love"), single.dispersion("love"))
        assert png(view.plot_dispersion(["love", "war"])) == png(
            single.plot_dispersion(["love", "war"])
        )
        pd.testing.assert_frame_equal(
            kwiq.dask.keyness(view, dmeta),
            kwiq.keyness(single, meta_books),
            check_exact=False,
            rtol=1e-12,
        )
    # A saved view is a corpus of its documents.
    distributed_views["mask"].save(tmp_path / "view")
    loaded = kwiq.dask.Corpus.load(tmp_path / "view", client=dmeta._client)
    assert loaded.ids == single_views["mask"].ids
    same_lines(loaded.kwic("whale").compute(), single_views["mask"].kwic("whale"))


def test_views_check_on_the_client(dmeta, dbooks):
    with pytest.raises(ValueError, match="unknown metadata column 'colour'"):
        dmeta.where(colour="red")
    with pytest.raises(ValueError, match="the corpus has no metadata"):
        dbooks.where(initial="T")
    with pytest.raises(ValueError, match="a mask of 2 bools"):
        dmeta.subset([True, False])
    with pytest.raises(KeyError, match="no document with id 'nope'"):
        dmeta.subset(["nope"])
    with pytest.raises(TypeError):
        dmeta.subset("a single id")


def test_save_and_load(dbooks, books, client, tmp_path):
    dbooks.save(tmp_path / "books")
    names = sorted(p.name for p in (tmp_path / "books").iterdir())
    assert names == ["manifest.json"] + [f"part-{i:05d}.kwiq" for i in range(4)]
    loaded = kwiq.dask.Corpus.load(tmp_path / "books", client=client)
    assert loaded.ids == books.ids and loaded.npartitions == 4
    same_lines(loaded.kwic("whale").compute().sort("R1"), books.kwic("whale").sort("R1"))
    pd.testing.assert_frame_equal(loaded.freq(), books.freq())
    # Every partition file is a saved kwiq.Corpus of its own.
    part = kwiq.Corpus.load(tmp_path / "books" / "part-00000.kwiq")
    assert part.ids == books.ids[: part.n_docs]
    with pytest.raises(kwiq.FormatError):
        kwiq.dask.Corpus.load(tmp_path, client=client)


def test_a_partition_survives_pickling(dbooks, books):
    """The scheduler pickles a partition to move or spill it."""

    def round_trip(part):
        again = pickle.loads(pickle.dumps(part))
        return list(again.corpus.kwic("whale")), again.corpus.ids

    lines, ids = dbooks._client.submit(round_trip, dbooks._parts[1]).result()
    single = kwiq.Corpus([books.text(i) for i in ids], ids=ids)
    assert lines == list(single.kwic("whale")) and lines


def test_errors_are_raised_on_the_client(dbooks):
    def tasks():
        return dbooks._client.run_on_scheduler(lambda dask_scheduler: set(dask_scheduler.tasks))

    before = tasks()
    with pytest.raises(kwiq.QueryError):
        dbooks.kwic("/unclosed").compute()
    with pytest.raises(kwiq.QueryError):
        dbooks.collocates("/unclosed")
    assert tasks() <= before  # nothing was submitted
    with pytest.raises(kwiq.QueryError):
        dbooks.kwic("/unclosed")
    with pytest.raises(kwiq.QueryError):
        dbooks.kwic("   ")
    with pytest.raises(TypeError):
        dbooks.kwic(b"whale")
    with pytest.raises(ValueError):
        dbooks.kwic("whale", window=-1)
    with pytest.raises(ValueError):
        dbooks.kwic("whale", bound="page")
    with pytest.raises(kwiq.QueryError):
        dbooks.collocates("/(/")
    with pytest.raises(ValueError):
        dbooks.collocates("whale", measures=("nope",))
    with pytest.raises(ValueError):
        dbooks.ngrams(9)
    with pytest.raises(TypeError):
        kwiq.dask.keyness(dbooks, "not a corpus")


def test_decoding_error_names_the_file(client):
    folder = DATA / "state_union"
    with pytest.raises(kwiq.FileDecodeError) as single:
        kwiq.Corpus.from_files(folder, progress=False)
    with pytest.raises(kwiq.FileDecodeError) as got:
        kwiq.dask.Corpus.from_files(folder, npartitions=4, client=client)
    # Several files are cp1252 in several partitions: the first is named.
    assert str(got.value) == str(single.value)
    assert got.value.path.endswith("1954-Eisenhower.txt")
    assert (got.value.path, got.value.start) == (single.value.path, single.value.start)
    corpus = kwiq.dask.Corpus.from_files(folder, encoding="cp1252", npartitions=4, client=client)
    same_lines(
        corpus.kwic("freedom").compute(),
        kwiq.Corpus.from_files(folder, encoding="cp1252", progress=False).kwic("freedom"),
    )


def test_a_list_of_encodings_as_one_corpus_reads_it(client):
    folder = DATA / "state_union"
    encodings = ["utf-8", "cp1252"]
    corpus = kwiq.dask.Corpus.from_files(folder, encoding=encodings, npartitions=4, client=client)
    single = kwiq.Corpus.from_files(folder, encoding=encodings, progress=False)
    pd.testing.assert_frame_equal(corpus.metadata, single.metadata)
    same_lines(
        corpus.kwic("freedom", meta="encoding").compute(), single.kwic("freedom", meta="encoding")
    )


def test_worker_killed_during_a_query(books):
    """A worker dies (SIGKILL) while the query runs on it: its nanny starts
    a new one, the scheduler rebuilds the partitions it held and runs the
    query again there, and the lines are those of one machine."""
    expected = books.kwic("the")
    with two_workers() as cluster, distributed.Client(cluster) as client:
        corpus = kwiq.dask.Corpus.from_files(BOOKS, npartitions=4, client=client)
        pids = client.run(os.getpid)
        frame = corpus.kwic("the")
        killed = []

        def kill_a_worker_running_the_query():
            deadline = time.monotonic() + 120
            while time.monotonic() < deadline and not killed:
                for worker, keys in client.processing().items():
                    if any("kwic_part" in str(key) for key in keys):
                        os.kill(pids[worker], signal.SIGKILL)
                        killed.append(pids[worker])
                        break
                time.sleep(0.002)

        killer = threading.Thread(target=kill_a_worker_running_the_query)
        killer.start()
        local = frame.compute()
        killer.join()
        assert killed, "no query task was seen running"
        assert killed[0] not in client.run(os.getpid).values()
        same_lines(local, expected)
        # The rebuilt partitions answer later queries too.
        same_lines(corpus.kwic("whale").compute(), books.kwic("whale"))


# ---- annotated corpora (CoNLL-U, VRT) and CQL ----

UD = DATA / "ud"
EN, DE = UD / "en_ewt-ud-dev.conllu", UD / "de_gsd-ud-dev.conllu"


def cut_at_newdoc(path, folder, pieces):
    """The CoNLL-U file at path cut into ``pieces`` files at ``# newdoc`` lines."""
    text = path.read_text(encoding="utf-8")
    docs = text.split("# newdoc")
    docs = [docs[0] + "# newdoc" + docs[1]] + ["# newdoc" + d for d in docs[2:]]
    size = -(-len(docs) // pieces)
    files = []
    for k in range(pieces):
        out = folder / f"{path.stem}-{k}.conllu"
        out.write_text("".join(docs[k * size : (k + 1) * size]), encoding="utf-8")
        files.append(str(out))
    return files


@pytest.fixture(scope="module")
def ud_files(tmp_path_factory):
    """The English dev set cut into four files (318 documents with ids) and
    the German one whole (one document, named by its path)."""
    return cut_at_newdoc(EN, tmp_path_factory.mktemp("ud"), 4) + [str(DE)]


@pytest.fixture(scope="module")
def treebanks(ud_files):
    return kwiq.Corpus.from_conllu(ud_files, progress=False)


@pytest.fixture(scope="module")
def dtreebanks(client, ud_files):
    return kwiq.dask.Corpus.from_conllu(ud_files, npartitions=4, client=client)


def test_conllu_partitions_hold_the_treebanks(dtreebanks, treebanks, ud_files):
    assert 1 < dtreebanks.npartitions <= 4  # runs of whole files of about equal size
    assert (dtreebanks.n_docs, dtreebanks.n_tokens, dtreebanks.ids) == (
        treebanks.n_docs,
        treebanks.n_tokens,
        treebanks.ids,
    )
    assert treebanks.n_tokens == 25_147 + 12_480
    assert ud_files[-1] in dtreebanks.ids  # the German file's one document, by its path
    assert (dtreebanks.attributes, dtreebanks.structures) == (
        treebanks.attributes,
        treebanks.structures,
    )
    for doc in (treebanks.ids[0], treebanks.ids[200], ud_files[-1]):
        assert dtreebanks.text(doc) == treebanks.text(doc)


CQL = [
    ('[upos="ADJ"]+ [upos="NOUN"] within s', {}),
    ('[upos="ADJ"]+ [upos="NOUN"]', {"strategy": "shortest", "window": (2, 3)}),
    ('[upos="DET"] []{0,2} [upos="NOUN"]', {"strategy": "all"}),
    ('[lemma="go"] [upos="ADP"]', {"show": ["lemma", "upos"]}),
    ('"the"%c [upos!="NOUN" & upos!="ADJ"]', {"bound": "sentence"}),
    ('<s> [upos="PRON"]', {"show": "xpos", "width": 40}),
    ('[word="[A-Z].*" & upos="PROPN"]{2,} within s', {}),
    (['[lemma="be"]', '[lemma="sein"]'], {"window": 3}),
    ('[deprel="root"] [] </s>', {"bound": "paragraph"}),
]


@pytest.mark.parametrize("query, options", CQL)
def test_cql_lines_as_one_machine(dtreebanks, treebanks, query, options):
    single = treebanks.kwic(query, syntax="cql", **options)
    assert len(single)
    frame = dtreebanks.kwic(query, syntax="cql", **options)
    assert len(frame) == len(single)
    local = frame.compute()
    same_lines(local, single)
    assert str(local) == str(single)
    assert local.show == single.show


def test_plain_queries_on_annotated_partitions(dtreebanks, treebanks):
    for query, options in (("the", {}), ("haus*", {"show": "upos"}), ("in the", {"case": True})):
        same_lines(dtreebanks.kwic(query, **options).compute(), treebanks.kwic(query, **options))


ANNOTATED_SORTS = [
    ("R1/upos", "L1"),
    (("match", "lemma"), "R1"),
    ("L2/deprel", "R2/lemma"),
    ("match",),
    ("doc", "R1/xpos"),
    ("L5/feats", "position"),
]


@pytest.mark.parametrize("keys", ANNOTATED_SORTS)
def test_attribute_sort_keys_as_one_machine(dtreebanks, treebanks, keys):
    for query in ('[upos="ADJ"]+ [upos="NOUN"] within s', '[lemma="have"]', "[]{3} within s"):
        local = dtreebanks.kwic(query, syntax="cql").compute().sort(*keys)
        single = treebanks.kwic(query, syntax="cql").sort(*keys)
        same_lines(local, single)
        assert local.sort_keys == single.sort_keys


@pytest.mark.parametrize("attr", ["word", "lemma", "upos", "feats"])
def test_counts_of_attributes(dtreebanks, treebanks, attr):
    for options in ({}, {"punctuation": True}, {"min_count": 3}):
        pd.testing.assert_frame_equal(
            dtreebanks.freq(attr=attr, **options),
            treebanks.freq(attr=attr, **options),
            check_exact=False,
            rtol=1e-12,
        )
    for n, min_count in ((1, 1), (2, 2), (3, 2)):
        pd.testing.assert_frame_equal(
            dtreebanks.ngrams(n, min_count, attr=attr), treebanks.ngrams(n, min_count, attr=attr)
        )
    for query, n, options in (
        ('[upos="DET"]', 3, {}),
        ('[lemma="be"]', 2, {"side": "left"}),
        ('[upos="ADJ"]+', 4, {"strategy": "all", "min_count": 2}),
    ):
        pd.testing.assert_frame_equal(
            dtreebanks.clusters(query, n, syntax="cql", attr=attr, **options),
            treebanks.clusters(query, n, syntax="cql", attr=attr, **options),
        )


@pytest.mark.parametrize(
    "query, options",
    [
        ('[lemma="go"]', {"attr": "lemma"}),
        ('[upos="NOUN"]', {"attr": "upos", "window": (1, 0)}),
        ('[lemma="make"]', {"counting": "windows", "attr": "deprel", "min_count": 1}),
        ('"the"%c', {}),
        ('[upos="ADJ"]+ [upos="NOUN"]', {"strategy": "shortest", "attr": "xpos"}),
    ],
)
def test_collocates_of_cql_and_attributes(dtreebanks, treebanks, query, options):
    got = dtreebanks.collocates(query, syntax="cql", **options)
    single = treebanks.collocates(query, syntax="cql", **options)
    assert len(single)
    pd.testing.assert_frame_equal(got, single, check_exact=False, rtol=1e-12)
    assert got.attrs == single.attrs


def test_keyness_of_attributes(client, dtreebanks, treebanks, ud_files):
    english = kwiq.dask.Corpus.from_conllu(ud_files[:2], npartitions=2, client=client)
    single = kwiq.keyness(
        kwiq.Corpus.from_conllu(ud_files[:2], progress=False), treebanks, attr="upos"
    )
    pd.testing.assert_frame_equal(
        english.keyness(dtreebanks, attr="upos"), single, check_exact=False, rtol=1e-12
    )
    pd.testing.assert_frame_equal(
        kwiq.dask.keyness(english, treebanks, attr="upos"), single, check_exact=False, rtol=1e-12
    )


@pytest.mark.parametrize(
    "query, options",
    [
        ('[lemma="be"]', {}),
        (['[upos="INTJ"]', '[lemma="und"]'], {"strategy": "all"}),
        ('[upos="ADJ"]+ within s', {"strategy": "shortest"}),
    ],
)
def test_dispersion_of_cql(dtreebanks, treebanks, query, options):
    pd.testing.assert_frame_equal(
        dtreebanks.dispersion(query, syntax="cql", **options),
        treebanks.dispersion(query, syntax="cql", **options),
        check_exact=False,
        rtol=1e-12,
    )
    assert png(dtreebanks.plot_dispersion(query, syntax="cql", **options)) == png(
        treebanks.plot_dispersion(query, syntax="cql", **options)
    )


def raised(call):
    """The exception call raises, or None."""
    try:
        call()
    except Exception as error:  # noqa: BLE001 - compared with one machine's
        return error
    return None


@pytest.mark.parametrize(
    "call",
    [
        lambda c: c.kwic('[upos="NOUN"', syntax="cql"),
        lambda c: c.kwic('[pos="NOUN"]', syntax="cql"),
        lambda c: c.kwic('[upos="NOUN"] within sentence', syntax="cql"),
        lambda c: c.kwic('[lemma="("]', syntax="cql"),
        lambda c: c.kwic('[upos="NOUN"]', syntax="cql", case=True),
        lambda c: c.kwic('[upos="NOUN"]', syntax="cql", strategy="greedy"),
        lambda c: c.kwic("the", strategy="shortest"),
        lambda c: c.kwic("the", syntax="cqp"),
        lambda c: c.kwic("the", show=["pos"]),
        lambda c: c.freq(attr="pos"),
        lambda c: c.ngrams(2, attr="ner"),
        lambda c: c.clusters('[lemma="be"]', 2, syntax="cql", attr="pos"),
        lambda c: c.collocates('[lemma="be"', syntax="cql"),
        lambda c: c.collocates('[lemma="be"]', syntax="cql", attr=3),
        lambda c: c.dispersion('[lemma="be"] within x', syntax="cql"),
        lambda c: c.plot_dispersion(['[lemma="be"]', '[lemm="be"]'], syntax="cql"),
        lambda c: c.keyness(c, attr="pos"),
    ],
)
def test_cql_errors_on_the_client_as_one_machine(dtreebanks, treebanks, call):
    def tasks():
        return dtreebanks._client.run_on_scheduler(lambda dask_scheduler: set(dask_scheduler.tasks))

    before = tasks()
    got, single = raised(lambda: call(dtreebanks)), raised(lambda: call(treebanks))
    assert single is not None
    assert (type(got), str(got)) == (type(single), str(single))
    if isinstance(single, kwiq.QueryError):
        assert got.position == single.position
    assert tasks() <= before  # nothing was submitted


def test_sort_key_errors_as_one_machine(dtreebanks, treebanks):
    local = dtreebanks.kwic('[lemma="have"]', syntax="cql").compute()
    single = treebanks.kwic('[lemma="have"]', syntax="cql")
    for keys in (("R1/pos",), ("doc/upos",), (("R1", 2),), ("R7/lemma",)):
        got, expected = (
            raised(lambda k=keys: local.sort(*k)),
            raised(lambda k=keys: single.sort(*k)),
        )
        assert expected is not None
        assert (type(got), str(got)) == (type(expected), str(expected))


def test_save_and_load_annotated(dtreebanks, treebanks, client, tmp_path):
    dtreebanks.save(tmp_path / "ud")
    loaded = kwiq.dask.Corpus.load(tmp_path / "ud", client=client)
    assert (loaded.ids, loaded.attributes, loaded.structures) == (
        treebanks.ids,
        treebanks.attributes,
        treebanks.structures,
    )
    query = '[upos="ADJ"]+ [upos="NOUN"] within s'
    same_lines(
        loaded.kwic(query, syntax="cql", show="lemma").compute().sort("R1/upos"),
        treebanks.kwic(query, syntax="cql", show="lemma").sort("R1/upos"),
    )
    pd.testing.assert_frame_equal(loaded.freq(attr="lemma"), treebanks.freq(attr="lemma"))


def test_bad_conllu_as_one_machine(client, ud_files, tmp_path):
    bad = tmp_path / "bad.conllu"
    bad.write_text("# text = a b\n1\ta\n\n", encoding="utf-8")
    twice = tmp_path / "twice.conllu"
    twice.write_text(open(ud_files[1], encoding="utf-8").read(), encoding="utf-8")
    for files in ([ud_files[0], str(bad)], [ud_files[1], ud_files[2], str(twice)]):
        got = raised(lambda f=files: kwiq.dask.Corpus.from_conllu(f, npartitions=2, client=client))
        single = raised(lambda f=files: kwiq.Corpus.from_conllu(f, progress=False))
        assert isinstance(single, kwiq.FormatError)
        assert (type(got), str(got)) == (type(single), str(single))
    with pytest.raises(ValueError, match="CoNLL-U gives no attribute"):
        kwiq.dask.Corpus.from_conllu(ud_files, attrs=["lemma", "pos"], client=client)


@pytest.fixture(scope="module")
def vrt_files(ud_files, tmp_path_factory):
    """The treebanks as VRT files, each English document's <text> given a
    metadata attribute in the first two files only (so that the other
    partitions' documents have none), a year in the last English file."""
    from same_data import write_vrt

    folder = tmp_path_factory.mktemp("vrt")
    files = []
    for k, path in enumerate(ud_files):
        out = write_vrt(Path(path), folder / (Path(path).stem + ".vrt"))
        text = out.read_text(encoding="utf-8")
        if k < 2:
            text = text.replace("<text id=", f'<text genre="part {k}" id=')
        elif k == 3:
            text = text.replace("<text id=", '<text year="2026" id=')
        out.write_text(text, encoding="utf-8")
        files.append(str(out))
    return files


def test_vrt_partitions_as_one_machine(client, vrt_files):
    from same_data import VRT_ATTRIBUTES

    single = kwiq.Corpus.from_vrt(vrt_files, VRT_ATTRIBUTES, progress=False)
    dvrt = kwiq.dask.Corpus.from_vrt(vrt_files, VRT_ATTRIBUTES, npartitions=4, client=client)
    assert 1 < dvrt.npartitions <= 4
    assert (dvrt.ids, dvrt.attributes, dvrt.structures) == (
        single.ids,
        single.attributes,
        single.structures,
    )
    pd.testing.assert_frame_equal(dvrt.metadata, single.metadata)
    assert set(single.metadata.columns) == {"genre", "year"}
    query = '[upos="NOUN"] [upos="ADP"] within s'
    same_lines(
        dvrt.kwic(query, syntax="cql", meta=["genre", "year"]).compute(),
        single.kwic(query, syntax="cql", meta=["genre", "year"]),
    )
    same_lines(
        dvrt.where(genre="part 1").kwic(query, syntax="cql").compute().sort("L1/lemma"),
        single.where(genre="part 1").kwic(query, syntax="cql").sort("L1/lemma"),
    )
    bare = kwiq.dask.Corpus.from_vrt(
        vrt_files, VRT_ATTRIBUTES, metadata=False, structures=["p", "s"], client=client
    )
    assert bare.metadata.columns.empty and bare.structures == ("text", "p", "s")
    with pytest.raises(ValueError, match="twice"):
        kwiq.dask.Corpus.from_vrt(vrt_files, ["lemma", "lemma"], client=client)


def test_conllu_directory_names_its_files_as_one_machine(client):
    """A directory's files are named relative to it, as ids too; the files
    it leaves out are named in a warning pointing at the caller; attrs=
    keeps those asked for, in that order."""
    with pytest.warns(kwiq.SkippedFilesWarning) as warned:
        dud = kwiq.dask.Corpus.from_conllu(str(UD), attrs=["upos", "lemma"], client=client)
    assert warned[0].filename == __file__
    with pytest.warns(kwiq.SkippedFilesWarning):
        single = kwiq.Corpus.from_conllu(str(UD), attrs=["upos", "lemma"], progress=False)
    assert dud.ids == single.ids and "de_gsd-ud-dev.conllu" in dud.ids
    assert dud.attributes == single.attributes == ("word", "upos", "lemma")
    same_lines(
        dud.kwic('[lemma="sein"]', syntax="cql", show="upos").compute(),
        single.kwic('[lemma="sein"]', syntax="cql", show="upos"),
    )


def test_an_annotated_partition_survives_pickling(dtreebanks, treebanks):
    def round_trip(part):
        again = pickle.loads(pickle.dumps(part))
        return (
            again.corpus.attributes,
            again.corpus.ids,
            list(again.corpus.kwic('[upos="ADJ"] [lemma="time"]', syntax="cql")),
        )

    # A view travels as its documents saved alone, their annotation too.
    view = dtreebanks.subset([doc for k, doc in enumerate(dtreebanks.ids) if k % 2])
    for part in (dtreebanks._parts[0], view._parts[0]):
        attributes, ids, lines = dtreebanks._client.submit(round_trip, part).result()
        assert attributes == treebanks.attributes
        single = treebanks.subset(ids).kwic('[upos="ADJ"] [lemma="time"]', syntax="cql")
        assert lines == list(single) and lines
