"""Corpus.from_conllu against the CoNLL-U files themselves: the UD dev sets
of tests/data/ud/ read by the brute-force reader of tests/cql_oracle.py and
by the plain line reading below, and malformed input of every kind."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import kwiq
from cql_oracle import read_conllu

UD = Path(__file__).parent / "data" / "ud"
EN = UD / "en_ewt-ud-dev.conllu"
DE = UD / "de_gsd-ud-dev.conllu"
ATTRIBUTES = ("word", "lemma", "upos", "xpos", "feats", "deprel", "head")


@pytest.fixture(scope="module", params=[EN, DE], ids=["en_ewt", "de_gsd"])
def treebank(request):
    path = request.param
    return path, kwiq.Corpus.from_conllu(path, progress=False), read_conllu(path)


def sentences_of(path: Path) -> list[list[str]]:
    """Each document's sentences' ``# text``, as written."""
    docs: list[list[str]] = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("# newdoc") or (line.startswith("# text =") and not docs):
            docs.append([])
        if line.startswith("# text ="):
            docs[-1].append(line.split("=", 1)[1].strip())
    return docs


def surfaces_of(path: Path) -> list[list[str]]:
    """Each document's tokens' surface text: a multiword token's form for
    each of its words, else the word's form."""
    docs: list[list[str]] = []
    range_last, range_form = 0, ""
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("# newdoc"):
            docs.append([])
        if not line or line.startswith("#"):
            continue
        if not docs:
            docs.append([])
        columns = line.split("\t")
        word_id = columns[0]
        if "-" in word_id:
            range_last, range_form = int(word_id.split("-")[1]), columns[1]
        elif "." not in word_id:
            docs[-1].append(range_form if int(word_id) <= range_last else columns[1])
            if int(word_id) >= range_last:
                range_last = 0
    return docs


def test_token_counts_are_the_integer_id_rows():
    for path, expected in ((EN, 25_147), (DE, 12_480)):
        rows = sum(
            1
            for line in path.read_text(encoding="utf-8").splitlines()
            if line and line.split("\t")[0].isdigit()
        )
        assert rows == expected
        assert kwiq.Corpus.from_conllu(path, progress=False).n_tokens == expected


def test_documents_and_ids(treebank):
    path, corpus, docs = treebank
    assert corpus.n_docs == len(docs)
    if all(doc.id is None for doc in docs):
        assert corpus.ids == (str(path),)  # one document, named as from_files names it
    else:
        assert list(corpus.ids) == [doc.id for doc in docs]


def test_every_attribute_of_every_token(treebank):
    _, corpus, docs = treebank
    assert corpus.attributes == ATTRIBUTES
    for doc_id, doc in zip(corpus.ids, docs):
        for attr in ATTRIBUTES:
            assert corpus.tokens(doc_id, attr) == [token[attr] for token in doc.tokens], attr


def test_sentences_and_paragraphs(treebank):
    _, corpus, docs = treebank
    assert corpus.structures == ("text", "s", "p")
    for doc_id, doc in zip(corpus.ids, docs):
        assert corpus.regions("s", doc_id) == doc.regions["s"]
        assert corpus.regions("p", doc_id) == doc.regions["p"]
        assert corpus.regions("text", doc_id) == [(0, len(doc.tokens))]


def test_each_sentence_line_is_its_text(treebank):
    path, corpus, _ = treebank
    expected = sentences_of(path)
    assert sum(map(len, expected)) == {EN: 2_001, DE: 799}[path]
    for doc_id, sentences in zip(corpus.ids, expected):
        assert corpus.text(doc_id).split("\n") == sentences


def test_every_token_offset_is_its_surface_text(treebank):
    """Every token as a hit: its text[char_start:char_end] is the surface
    token, the whole multiword token for each of its words."""
    path, corpus, _ = treebank
    surfaces = dict(zip(corpus.ids, surfaces_of(path)))
    lines = corpus.kwic("/.+/", window=0)
    assert len(lines) == corpus.n_tokens
    texts = {doc_id: corpus.text(doc_id) for doc_id in corpus.ids}
    for line in lines:
        assert texts[line.doc][line.char_start : line.char_end] == surfaces[line.doc][line.start]
    if path == DE:
        assert any(len(set(words)) != len(words) for words in surfaces.values())


def test_multiword_token_by_hand(tmp_path):
    """German "im" = "in" + "dem": both words match their own forms and
    show the text "im"; the line of "dem" reads as the text does."""
    path = tmp_path / "im.conllu"
    path.write_text(
        "# text = Im Haus.\n"
        "1-2\tIm\t_\t_\t_\t_\t_\t_\t_\t_\n"
        "1\tIn\tin\tADP\tAPPR\t_\t3\tcase\t_\t_\n"
        "2\tdem\tder\tDET\tART\tCase=Dat\t3\tdet\t_\t_\n"
        "3\tHaus\tHaus\tNOUN\tNN\t_\t0\troot\t_\tSpaceAfter=No\n"
        "4\t.\t.\tPUNCT\t$.\t_\t3\tpunct\t_\t_\n\n",
        encoding="utf-8",
    )
    corpus = kwiq.Corpus.from_conllu(path, progress=False)
    doc = corpus.ids[0]
    assert corpus.text(doc) == "Im Haus."
    assert corpus.tokens(doc) == ["In", "dem", "Haus", "."]
    assert corpus.tokens(doc, "lemma") == ["in", "der", "Haus", "."]
    assert corpus.tokens(doc, "feats") == ["", "Case=Dat", "", ""]
    (line,) = corpus.kwic("dem", case=True, window=1)
    assert (line.start, line.end, line.char_start, line.char_end) == (1, 2, 0, 2)
    assert (line.left, line.match, line.right) == ("", "Im", " Haus")
    assert len(corpus.kwic("im")) == 0  # "im" is no word of the corpus


def test_documents_without_ids_in_a_file_of_several(tmp_path):
    path = tmp_path / "two.conllu"
    row = "1\tyes\tyes\tINTJ\tUH\t_\t0\troot\t_\t_\n"
    path.write_text(
        f"# text = yes\n{row}\n# newdoc\n# text = yes\n{row}\n# newdoc id = named\n{row}\n",
        encoding="utf-8",
    )
    corpus = kwiq.Corpus.from_conllu(path, progress=False)
    assert corpus.ids == (f"{path}#1", f"{path}#2", "named")
    assert [corpus.text(doc) for doc in corpus.ids] == ["yes"] * 3


def test_a_directory_reads_its_conllu_files(tmp_path):
    for name in ("b.conllu", "a.conllu"):
        (tmp_path / name).write_text(f"1\t{name[0]}\t_\t_\t_\t_\t_\t_\t_\t_\n\n", encoding="utf-8")
    (tmp_path / "notes.txt").write_text("not CoNLL-U", encoding="utf-8")
    with pytest.warns(kwiq.SkippedFilesWarning, match="notes.txt"):
        corpus = kwiq.Corpus.from_conllu(tmp_path, progress=False)
    assert corpus.ids == ("a.conllu", "b.conllu")
    assert [corpus.tokens(doc) for doc in corpus.ids] == [["a"], ["b"]]


def test_unknown_attribute_and_structure_list_what_there_is():
    corpus = kwiq.Corpus.from_conllu(DE, progress=False)
    with pytest.raises(ValueError, match="no attribute 'pos': the corpus has word, lemma, upos"):
        corpus.tokens(corpus.ids[0], "pos")
    with pytest.raises(ValueError, match="no structure 'sentence': the corpus has text, s, p"):
        corpus.regions("sentence", corpus.ids[0])
    plain = kwiq.Corpus(["Peace."])
    assert plain.attributes == ("word",) and plain.structures == ("text", "s", "p")
    assert plain.tokens(0) == ["Peace", "."]


GOOD = "1\tyes\tyes\tINTJ\tUH\t_\t0\troot\t_\t_\n"

# Malformed input: the bytes of a file, the line the error names, and what
# it says. The README's table of malformed input lists the same cases.
MALFORMED = [
    ("nine columns", "# text = a\n1\ta\ta\tX\tX\t_\t0\troot\t_\n\n", 2, "columns"),
    ("eleven columns", "1\ta\ta\tX\tX\t_\t0\troot\t_\t_\t_\n\n", 1, "more columns"),
    ("spaces for tabs", "1 a a X X _ 0 root _ _\n\n", 1, "columns"),
    ("an empty column", "1\ta\t\tX\tX\t_\t0\troot\t_\t_\n\n", 1, "column 3 is empty"),
    ("id zero", "0\ta\ta\tX\tX\t_\t0\troot\t_\t_\n\n", 1, "bad id '0'"),
    ("id not a number", f"{GOOD}x\ta\ta\tX\tX\t_\t0\troot\t_\t_\n\n", 2, "bad id 'x'"),
    (
        "ids out of order",
        f"{GOOD}3\ta\ta\tX\tX\t_\t0\troot\t_\t_\n\n",
        2,
        "word 3 where word 2 comes next",
    ),
    ("a backwards range", "2-1\tab\t_\t_\t_\t_\t_\t_\t_\t_\n\n", 1, "bad id '2-1'"),
    (
        "a range not at the next word",
        f"{GOOD}3-4\tab\t_\t_\t_\t_\t_\t_\t_\t_\n\n",
        2,
        "does not begin at the next word, 2",
    ),
    (
        "a range the sentence does not finish",
        "1-2\tab\t_\t_\t_\t_\t_\t_\t_\t_\n1\ta\ta\tX\tX\t_\t0\troot\t_\t_\n\n",
        3,
        "ends inside multiword token 1-2",
    ),
    (
        "a range inside a range",
        "1-3\tabc\t_\t_\t_\t_\t_\t_\t_\t_\n1\ta\ta\tX\tX\t_\t0\troot\t_\t_\n"
        "2-3\tbc\t_\t_\t_\t_\t_\t_\t_\t_\n\n",
        3,
        "begins before the words",
    ),
    ("a bad empty node", f"{GOOD}1.x\ta\t_\t_\t_\t_\t_\t_\t_\t_\n\n", 2, "bad id '1.x'"),
    ("no blank line after the last sentence", GOOD, 1, "no blank line after it"),
    (
        "# newdoc inside a sentence",
        f"{GOOD}# newdoc id = x\n2\tb\tb\tX\tX\t_\t0\troot\t_\t_\n\n",
        2,
        "# newdoc inside a sentence",
    ),
]


@pytest.mark.parametrize("name, text, line, message", MALFORMED, ids=[m[0] for m in MALFORMED])
def test_malformed_input_names_file_and_line(tmp_path, name, text, line, message):
    path = tmp_path / "bad.conllu"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(kwiq.FormatError) as caught:
        kwiq.Corpus.from_conllu(path, progress=False)
    assert str(caught.value).startswith(f"{path}, line {line}: ")
    assert message in str(caught.value)


def test_bytes_that_are_not_utf8_name_their_line(tmp_path):
    path = tmp_path / "latin1.conllu"
    path.write_bytes(GOOD.encode() + b"\n2\tn\xe4\tx\tX\tX\t_\t0\troot\t_\t_\n\n")
    with pytest.raises(kwiq.FormatError, match=r"latin1.conllu, line 3: invalid UTF-8 at byte"):
        kwiq.Corpus.from_conllu(path, progress=False)


def test_a_later_bad_file_builds_nothing(tmp_path):
    (tmp_path / "a.conllu").write_text(GOOD + "\n", encoding="utf-8")
    (tmp_path / "b.conllu").write_text(GOOD, encoding="utf-8")
    with pytest.raises(kwiq.FormatError, match="b.conllu, line 1"):
        kwiq.Corpus.from_conllu([tmp_path / "a.conllu", tmp_path / "b.conllu"], progress=False)


def test_an_id_given_twice(tmp_path):
    for name in ("a.conllu", "b.conllu"):
        (tmp_path / name).write_text(f"# newdoc id = same\n{GOOD}\n", encoding="utf-8")
    with pytest.raises(kwiq.FormatError, match="'same' is also the id of a document of"):
        kwiq.Corpus.from_conllu(tmp_path, progress=False)


def test_crlf_lines_and_a_byte_order_mark(tmp_path):
    path = tmp_path / "windows.conllu"
    path.write_bytes(
        b"\xef\xbb\xbf# text = yes\r\n" + GOOD.replace("\n", "\r\n").encode() + b"\r\n"
    )
    corpus = kwiq.Corpus.from_conllu(path, progress=False)
    assert corpus.tokens(corpus.ids[0], "deprel") == ["root"]
    assert corpus.text(corpus.ids[0]) == "yes"


@pytest.mark.parametrize("mmap", [True, False])
def test_save_and_load_keep_everything(treebank, tmp_path, mmap):
    _, corpus, _ = treebank
    path = tmp_path / "ud.kwiq"
    corpus.save(path)
    loaded = kwiq.Corpus.load(path, mmap=mmap)
    assert loaded.ids == corpus.ids
    assert loaded.attributes == corpus.attributes and loaded.structures == corpus.structures
    for doc in corpus.ids[:40]:
        assert loaded.text(doc) == corpus.text(doc)
        for attr in corpus.attributes:
            assert loaded.tokens(doc, attr) == corpus.tokens(doc, attr)
        for structure in corpus.structures:
            assert loaded.regions(structure, doc) == corpus.regions(structure, doc)
    for query in ("/.+/", "the", "der", "/[A-Z].*/"):
        assert list(loaded.kwic(query, window=4)) == list(corpus.kwic(query, window=4))
    again = tmp_path / "again.kwiq"
    loaded.save(again)
    assert again.read_bytes() == path.read_bytes()


def test_pickled_annotated_corpus(treebank):
    import pickle

    _, corpus, _ = treebank
    copy = pickle.loads(pickle.dumps(corpus))
    doc = corpus.ids[-1]
    assert copy.tokens(doc, "upos") == corpus.tokens(doc, "upos")
    assert list(copy.kwic("/.+/", window=2)) == list(corpus.kwic("/.+/", window=2))


@pytest.mark.parametrize("width", [1, 4, 12])
def test_width_contexts_count_characters_not_words_of_multiword_tokens(width):
    """Each side holds the whole tokens that fit in ``width`` characters (the
    words of a multiword token share theirs): an oracle from every token's
    own span, on German with its "im" and "zum"."""
    corpus = kwiq.Corpus.from_conllu(DE, progress=False)
    doc = corpus.ids[0]
    text = corpus.text(doc)
    spans = [(line.char_start, line.char_end) for line in corpus.kwic("/.+/", window=0)]
    for line in corpus.kwic("/.+/", width=width):
        first, last = line.start, line.end - 1
        start, end = spans[first][0], spans[last][1]
        left = min((s for s, _ in spans[:first] if s >= start - width), default=start)
        right = max(
            (e for s, e in spans[last + 1 : last + 1 + 4 * width] if e <= end + width), default=end
        )
        # Lines show each run of white space as one space.
        assert line.left == re.sub(r"\s+", " ", text[left:start])
        assert line.right == re.sub(r"\s+", " ", text[end:right])


def test_saved_view_keeps_its_documents_annotation(treebank, tmp_path):
    """A view saves its documents' tokens, attributes and structures, not
    its texts tokenized anew: each document reads back as in the corpus."""
    _, corpus, _ = treebank
    chosen = corpus.ids[::3] if len(corpus) > 1 else corpus.ids
    view = corpus.subset(chosen)
    path = tmp_path / "view.kwiq"
    view.save(path)
    loaded = kwiq.Corpus.load(path)
    assert list(loaded.ids) == list(chosen)
    assert loaded.attributes == corpus.attributes and loaded.structures == corpus.structures
    for doc in chosen:
        assert loaded.text(doc) == corpus.text(doc)
        for attr in corpus.attributes:
            assert loaded.tokens(doc, attr) == corpus.tokens(doc, attr)
        for structure in corpus.structures:
            assert loaded.regions(structure, doc) == corpus.regions(structure, doc)
    for query in ('[upos="NOUN"] within s', "<s> []{2}", '[lemma="be|sein"] []? [upos="ADJ"]'):
        assert list(loaded.kwic(query, syntax="cql")) == list(view.kwic(query, syntax="cql"))


def test_saved_view_is_the_file_of_its_documents_alone(tmp_path):
    """The oracle: the same documents cut out of the CoNLL-U file and read
    on their own save to the same bytes as the view of them."""
    corpus = kwiq.Corpus.from_conllu(EN, progress=False)
    chosen = set(corpus.ids[1::4])
    kept, keep = [], False
    for line in EN.read_text(encoding="utf-8").splitlines(keepends=True):
        if line.startswith("# newdoc id ="):
            keep = line.split("=", 1)[1].strip() in chosen
        if keep:
            kept.append(line)
    alone = tmp_path / "alone.conllu"
    alone.write_text("".join(kept), encoding="utf-8")
    corpus.subset(sorted(chosen, key=corpus.ids.index)).save(tmp_path / "view.kwiq")
    kwiq.Corpus.from_conllu(alone, progress=False).save(tmp_path / "alone.kwiq")
    assert (tmp_path / "view.kwiq").read_bytes() == (tmp_path / "alone.kwiq").read_bytes()
