"""Corpus.from_vrt: VRT files written from the UD dev sets (tests/same_data.py)
give what from_conllu gives on the CoNLL-U, small files checked by hand, and
malformed input of every kind."""

from __future__ import annotations

from pathlib import Path

import pytest

import kwiq
from same_data import VRT_ATTRIBUTES, documents, write_vrt

UD = Path(__file__).parent / "data" / "ud"
EN = UD / "en_ewt-ud-dev.conllu"
DE = UD / "de_gsd-ud-dev.conllu"


@pytest.fixture(scope="module", params=[EN, DE], ids=["en_ewt", "de_gsd"])
def both(request, tmp_path_factory):
    path = request.param
    vrt = write_vrt(path, tmp_path_factory.mktemp("vrt") / (path.stem + ".vrt"))
    return (
        path,
        kwiq.Corpus.from_conllu(path, progress=False),
        kwiq.Corpus.from_vrt(vrt, VRT_ATTRIBUTES, progress=False),
        vrt,
    )


def test_same_documents_tokens_attributes_and_structures(both):
    path, conllu, vrt, vrt_path = both
    assert vrt.n_tokens == conllu.n_tokens == {EN: 25_147, DE: 12_480}[path]
    assert vrt.n_docs == conllu.n_docs
    if path == EN:
        assert vrt.ids == conllu.ids
    else:  # no <text>: one document, named after its file
        assert vrt.ids == (str(vrt_path),)
    assert vrt.attributes == conllu.attributes and vrt.structures == conllu.structures
    for vrt_doc, conllu_doc in zip(vrt.ids, conllu.ids):
        for attr in VRT_ATTRIBUTES:
            assert vrt.tokens(vrt_doc, attr) == conllu.tokens(conllu_doc, attr), attr
        for structure in ("text", "s", "p"):
            assert vrt.regions(structure, vrt_doc) == conllu.regions(structure, conllu_doc)


def test_every_token_offset_is_its_word(both):
    _, _, vrt, _ = both
    lines = vrt.kwic("/.+/", window=0)
    assert len(lines) == vrt.n_tokens
    texts = {doc: vrt.text(doc) for doc in vrt.ids}
    words = {doc: vrt.tokens(doc) for doc in vrt.ids}
    for line in lines:
        assert texts[line.doc][line.char_start : line.char_end] == words[line.doc][line.start]


def test_glue_rebuilds_each_sentence_text(both):
    """Sentences without multiword tokens read as their ``# text``: the
    glue of SpaceAfter=No is honoured, and each sentence is a line."""
    path, _, vrt, _ = both
    texts = [
        line.split("=", 1)[1].strip()
        for line in path.read_text("utf-8").splitlines()
        if line.startswith("# text =")
    ]
    lines = [line for doc in vrt.ids for line in vrt.text(doc).split("\n")]
    assert len(lines) == len(texts)
    has_range = [
        any(
            "-" in row.split("\t")[0]
            for row in block.splitlines()
            if row and not row.startswith("#")
        )
        for block in path.read_text("utf-8").split("\n\n")
        if block.strip()
    ]
    compared = [(line, text) for line, text, mwt in zip(lines, texts, has_range) if not mwt]
    assert len(compared) > 0.8 * len(texts)
    assert [line for line, _ in compared] == [text for _, text in compared]
    sentences = [s for doc in documents(path) for s in doc.sentences]
    assert len(sentences) == len(texts)


def test_queries_find_what_conllu_finds(both):
    _, conllu, vrt, _ = both
    for query in ("the", "der", "/[A-Z].*/", "of the", "/.+/"):
        assert [(line.start, line.end) for line in vrt.kwic(query, window=0)] == [
            (line.start, line.end) for line in conllu.kwic(query, window=0)
        ]


def write(tmp_path, text: str, name: str = "a.vrt") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_a_small_file_by_hand(tmp_path):
    path = write(
        tmp_path,
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        "<!-- one comment -->\n"
        '<text id="one" year="1990" title="A &amp; B \'q\'">\n'
        '<p>\n<s n="1">\n'
        "Hello\thello\tINTJ\n<g/>\n,\t,\tPUNCT\nworld\tworld\t\n"
        "</s>\n<s>\nBye\tbye\tINTJ\n</s>\n</p>\n</text>\n"
        "<text id='two' year='2001' xml:lang = 'en'>\n\n  \nx\t_\tX\n</text>\n",
    )
    corpus = kwiq.Corpus.from_vrt(path, ["lemma", "upos"], progress=False)
    assert corpus.ids == ("one", "two")
    assert corpus.attributes == ("word", "lemma", "upos")
    assert corpus.text("one") == "Hello, world\nBye"
    assert corpus.tokens("one", "upos") == ["INTJ", "PUNCT", "", "INTJ"]
    assert corpus.tokens("two", "lemma") == ["_"]  # values as written
    assert corpus.regions("s", "one") == [(0, 3), (3, 4)]
    assert corpus.regions("p", "one") == [(0, 4)]
    assert corpus.regions("s", "two") == [] and corpus.text("two") == "x"
    metadata = corpus.metadata
    assert metadata.columns.tolist() == ["year", "title", "xml:lang"]
    assert metadata.loc["one"].tolist()[:2] == ["1990", "A & B 'q'"]
    assert metadata.loc["two", "xml:lang"] == "en"
    assert metadata.loc["two", "year"] == "2001" and metadata.isna().loc["two", "title"]
    (line,) = corpus.kwic("world", window=1)
    assert (line.left, line.match, line.right, line.char_start) == ("Hello, ", "world", " Bye", 7)
    assert (
        kwiq.Corpus.from_vrt(
            path, ["word", "lemma", "upos"], metadata=False, progress=False
        ).metadata.columns.tolist()
        == []
    )


def test_files_without_text_ids_and_a_directory(tmp_path):
    write(tmp_path, "a\n", "b.vrt")
    write(tmp_path, "<text>\nx\n</text>\n<text>\ny\n</text>\n<text id='z'>\n</text>\n", "a.vrt")
    write(tmp_path, "not VRT", "notes.txt")
    with pytest.warns(kwiq.SkippedFilesWarning, match="notes.txt"):
        corpus = kwiq.Corpus.from_vrt(tmp_path, progress=False)
    assert corpus.ids == ("a.vrt#1", "a.vrt#2", "z", "b.vrt")
    assert [corpus.tokens(doc) for doc in corpus.ids] == [["x"], ["y"], [], ["a"]]
    assert corpus.attributes == ("word",) and corpus.metadata.columns.tolist() == []


def test_tokens_that_look_like_markup_and_indented_tags(tmp_path):
    path = write(tmp_path, '  <text id="a">\n<3\n<\n&amp;\n  <g/>\n<<\n </text>\n')
    corpus = kwiq.Corpus.from_vrt(path, progress=False)
    assert corpus.tokens("a") == ["<3", "<", "&amp;", "<<"]
    assert corpus.text("a") == "<3 < &amp;<<"


def test_other_structures_when_named(tmp_path):
    path = write(tmp_path, '<s>\n<ne type="PER">\nAda\nLovelace\n</ne>\nwrote\n</s>\n')
    with pytest.raises(kwiq.FormatError, match="unknown element <ne>"):
        kwiq.Corpus.from_vrt(path, progress=False)
    corpus = kwiq.Corpus.from_vrt(path, structures=["s", "ne"], progress=False)
    doc = corpus.ids[0]
    assert corpus.structures == ("text", "s", "ne")
    assert corpus.regions("ne", doc) == [(0, 2)] and corpus.regions("s", doc) == [(0, 3)]
    assert corpus.text(doc) == "Ada Lovelace wrote"  # only s and p break lines


def test_crlf_lines_and_a_byte_order_mark(tmp_path):
    path = tmp_path / "windows.vrt"
    path.write_bytes(b'\xef\xbb\xbf<text id="w">\r\n<s>\r\nyes\tINTJ\r\n</s>\r\n</text>\r\n')
    corpus = kwiq.Corpus.from_vrt(path, ["upos"], progress=False)
    assert corpus.tokens("w", "upos") == ["INTJ"] and corpus.text("w") == "yes"


def test_save_and_load_keep_everything(both, tmp_path):
    _, _, vrt, _ = both
    path = tmp_path / "vrt.kwiq"
    vrt.save(path)
    loaded = kwiq.Corpus.load(path)
    doc = vrt.ids[-1]
    assert loaded.tokens(doc, "lemma") == vrt.tokens(doc, "lemma")
    assert loaded.regions("p", doc) == vrt.regions("p", doc)
    assert list(loaded.kwic("/.+/", window=2)) == list(vrt.kwic("/.+/", window=2))


@pytest.mark.parametrize(
    "attrs, structures, error",
    [
        (["lemma", "word"], ("s",), ValueError),
        (["word", "word"], ("s",), ValueError),
        (["word", "lemma", "lemma"], ("s",), ValueError),
        (["word", ""], ("s",), ValueError),
        ("word", ("s",), TypeError),
        (["word"], ("text",), ValueError),
        (["word"], ("g",), ValueError),
        (["word"], ("a b",), ValueError),
        (["word"], "s", TypeError),
    ],
)
def test_bad_names(tmp_path, attrs, structures, error):
    path = write(tmp_path, "a\n")
    with pytest.raises(error):
        kwiq.Corpus.from_vrt(path, attrs, structures=structures, progress=False)


def test_word_may_be_named_first(tmp_path):
    path = write(tmp_path, "a\tb\n")
    for attrs in (["lemma"], ["word", "lemma"], ("word", "lemma")):
        corpus = kwiq.Corpus.from_vrt(path, attrs, progress=False)
        assert corpus.attributes == ("word", "lemma")
        assert corpus.tokens(corpus.ids[0], "lemma") == ["b"]


# Malformed input: the file, the line the error names and what it says, read
# with attributes word, lemma. The README's table of malformed input lists
# the same cases.
TOKEN = "a\tb\n"
MALFORMED = [
    ("too few attributes", f"{TOKEN}a\n", 2, "too few attributes: 1, not the 2 named"),
    ("too many attributes", f"<s>\n{TOKEN}a\tb\tc\n</s>\n", 3, "too many attributes: 3"),
    ("an empty word", "\tb\n", 1, "word (its first column) is empty"),
    (
        "tags that do not nest",
        f"<p>\n<s>\n{TOKEN}</p>\n</s>\n",
        4,
        "</p> does not nest: the <s> opened on line 2",
    ),
    ("an unknown closing tag", f"<s>\n{TOKEN}</x>\n</s>\n", 3, "unknown element <x>"),
    ("a closing tag of no open element", f"{TOKEN}</s>\n", 2, "</s> closes no open <s>"),
    (
        "an element left open",
        f"<text>\n<s>\n{TOKEN}</text>\n",
        4,
        "</text> does not nest: the <s> opened on line 2",
    ),
    ("a <text> not closed", f"<text>\n{TOKEN}", 2, "<text> opened on line 1 is not closed"),
    ("a <s> inside a <s>", f"<s>\n{TOKEN}<s>\n", 3, "<s> inside the <s> opened on line 1"),
    ("a <text> inside a <text>", "<text>\n<text>\n", 2, "<text> inside the <text>"),
    ("a token outside <text>", f"<text>\n</text>\n{TOKEN}", 3, "a token outside <text>"),
    ("a <text> after tokens outside one", f"{TOKEN}<text>\n", 2, "<text> after tokens"),
    ("a malformed tag", f"<s\n{TOKEN}", 1, "a malformed tag"),
    ("an attribute without quotes", "<text id=x>\n</text>\n", 1, "a malformed tag <text>"),
    ("a closing tag with attributes", '<s>\n</s n="1">\n', 2, "a malformed tag <s>"),
    ("an open <g>", f"{TOKEN}<g>\n{TOKEN}", 2, "<g> is written <g/>"),
    ("a self-closing <s/>", "<s/>\n", 1, "only <g/> closes itself"),
]


@pytest.mark.parametrize("name, text, line, message", MALFORMED, ids=[m[0] for m in MALFORMED])
def test_malformed_input_names_file_and_line(tmp_path, name, text, line, message):
    path = write(tmp_path, text, "bad.vrt")
    with pytest.raises(kwiq.FormatError) as caught:
        kwiq.Corpus.from_vrt(path, ["lemma"], progress=False)
    assert str(caught.value).startswith(f"{path}, line {line}: ")
    assert message in str(caught.value)


def test_bytes_that_are_not_utf8_name_their_line(tmp_path):
    path = tmp_path / "latin1.vrt"
    path.write_bytes(b"<s>\nyes\n</s>\n<s>\nn\xe4\n</s>\n")
    with pytest.raises(kwiq.FormatError, match=r"latin1.vrt, line 5: invalid UTF-8 at byte 18"):
        kwiq.Corpus.from_vrt(path, progress=False)


def test_an_attribute_given_twice_and_an_id_given_twice(tmp_path):
    path = write(tmp_path, '<text id="a" id="b">\n</text>\n')
    with pytest.raises(kwiq.FormatError, match="document 1 gives 'id' twice"):
        kwiq.Corpus.from_vrt(path, progress=False)
    path = write(tmp_path, '<text id="a">\n</text>\n<text id="a">\n</text>\n')
    with pytest.raises(kwiq.FormatError, match="'a' is also the id of a document of"):
        kwiq.Corpus.from_vrt(path, progress=False)


def test_a_later_bad_file_builds_nothing(tmp_path):
    good, bad = write(tmp_path, TOKEN, "a.vrt"), write(tmp_path, f"<s>\n{TOKEN}", "b.vrt")
    with pytest.raises(kwiq.FormatError, match="b.vrt, line 2: the <s> opened on line 1"):
        kwiq.Corpus.from_vrt([good, bad], ["lemma"], progress=False)


def test_interrupt_stops_reading_and_adds_nothing_more():
    """Builder.interrupt() (as Ctrl-C) stops add_vrt within its polling
    interval; the documents before the one being read stay."""
    from kwiq import _core

    builder = _core.Builder()
    builder.annotate([], ["s", "p"])
    builder.add_vrt(b"<text id='first'>\na\n</text>\n")
    builder.interrupt()
    with pytest.raises(KeyboardInterrupt):
        builder.add_vrt(b"<text id='long'>\n" + b"word\n" * 200_000 + b"</text>\n")
    assert builder.n_docs == 1


def test_damaged_files_raise_format_error_or_read(tmp_path):
    """Lines of a good file dropped, doubled, swapped or cut at random:
    each read either gives a corpus whose offsets are its words, or
    FormatError naming the file and a line, never anything else."""
    import random

    good = (
        '<text id="a" n="1">\n<p>\n<s>\nIch\tich\n<g/>\n,\t,\nja\tja\n</s>\n</p>\n'
        '</text>\n<text id="b">\n<s>\nnein\tnein\n</s>\n</text>\n'
    ).splitlines(True)
    rng = random.Random(11)
    outcomes = {"read": 0, "refused": 0}
    for round_ in range(300):
        lines = list(good)
        for _ in range(rng.randint(1, 3)):
            k = rng.randrange(len(lines))
            what = rng.choice(["drop", "double", "swap", "cut"])
            if what == "drop":
                del lines[k]
            elif what == "double":
                lines.insert(k, lines[k])
            elif what == "swap":
                j = rng.randrange(len(lines))
                lines[k], lines[j] = lines[j], lines[k]
            else:
                lines[k] = lines[k][: rng.randrange(len(lines[k]) + 1)]
        path = write(tmp_path, "".join(lines), f"r{round_}.vrt")
        try:
            corpus = kwiq.Corpus.from_vrt(path, ["lemma"], progress=False)
        except kwiq.FormatError as error:
            assert str(error).startswith(str(path)), error
            outcomes["refused"] += 1
            continue
        outcomes["read"] += 1
        for line in corpus.kwic("/.+/", window=0):
            assert (
                corpus.text(line.doc)[line.char_start : line.char_end]
                == corpus.tokens(line.doc)[line.start]
            )
    assert outcomes["read"] > 10 and outcomes["refused"] > 100
