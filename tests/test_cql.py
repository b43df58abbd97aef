"""CQL in kwiq (issue 11): corpus.kwic(query, syntax="cql").

Hand-written tests, one a construct, with hits worked out by reading the
tokens of small texts (positions are written above each text); then
queries generated from the grammar (cql_generate.py), whose hits kwiq and
the brute-force oracle (cql_oracle.py) must give alike, on the UD dev sets
(Corpus.from_conllu against the oracle's own reader) and on plain text.
"""

import csv
import io
import pickle
import random
import subprocess
import sys
import textwrap

import pytest

import cql_generate
import kwiq
from conftest import DATA
from cql_generate import generate
from cql_oracle import ATTRIBUTES, STRUCTURES, Doc, evaluate, parse, read_conllu, select

#           0   1   2   3  4   5  6 7   8   9  10
ANIMALS = [
    "The cat sat on the mat. The dog sat!",
    #  0 1   2 3    4   5
    "A cat! Cats sat.",
]


@pytest.fixture(scope="module")
def animals():
    return kwiq.Corpus(ANIMALS)


def hits(corpus, query, strategy="longest"):
    """(doc number, start, end) of each line of a CQL query."""
    numbers = {doc_id: n for n, doc_id in enumerate(corpus.ids)}
    return [
        (numbers[line.doc], line.start, line.end)
        for line in corpus.kwic(query, syntax="cql", strategy=strategy)
    ]


# ---------------------------------------------------------------- one a construct


def test_bare_string_is_a_word_regex_matched_whole(animals):
    assert hits(animals, '"cat"') == [(0, 1, 2), (1, 1, 2)]
    # The whole value: "ca" matches no token, "cats?" both forms.
    assert hits(animals, '"ca"') == []
    assert hits(animals, '"[Cc]ats?"') == [(0, 1, 2), (1, 1, 2), (1, 3, 4)]


def test_case_sensitive_unless_c_flag(animals):
    assert hits(animals, '"the"') == [(0, 4, 5)]
    assert hits(animals, '"the"%c') == [(0, 0, 1), (0, 4, 5), (0, 7, 8)]


def test_attribute_tests_and_booleans(animals):
    assert hits(animals, '[word="sat"]') == [(0, 2, 3), (0, 9, 10), (1, 4, 5)]
    # != is the negation of =; punctuation tokens are tokens.
    assert len(hits(animals, '[word!="sat"]', "all")) == 11 + 6 - 3
    assert hits(animals, '[word="cat" | word="dog"]') == [(0, 1, 2), (0, 8, 9), (1, 1, 2)]
    assert hits(animals, '[word="c.*" & word!="cats"]') == [(0, 1, 2), (1, 1, 2)]
    assert hits(animals, '[!(word="[a-z]+") & word!="[.!]"]') == [
        (0, 0, 1),
        (0, 7, 8),
        (1, 0, 1),
        (1, 3, 4),
    ]
    assert hits(animals, '[!word="[a-z]+" & !word="[.!]"]') == hits(
        animals, '[!(word="[a-z]+" | word="[.!]")]'
    )


def test_any_token_and_punctuation(animals):
    assert hits(animals, '"sat" []') == [(0, 2, 4), (0, 9, 11), (1, 4, 6)]
    assert hits(animals, '[] "!"') == [(0, 9, 11), (1, 1, 3)]


def test_sequence_never_crosses_a_document(animals):
    # The "!" ending the first text is not followed by "A".
    assert hits(animals, '"!" "A"') == []
    assert hits(animals, '"mat" "\\." "The"') == [(0, 5, 8)]


def test_groups_and_alternatives(animals):
    assert hits(animals, '("cat" | "dog") "sat"') == [(0, 1, 3), (0, 8, 10)]
    assert hits(animals, '"cat" | "Cats"') == [(0, 1, 2), (1, 1, 2), (1, 3, 4)]
    assert hits(animals, '(("The" "cat") | ("The" "dog")) "sat"') == [(0, 0, 3), (0, 7, 10)]


def test_quantifiers(animals):
    assert hits(animals, '"the"%c []? "sat"') == [(0, 0, 3), (0, 7, 10)]
    assert hits(animals, '"sat" []* "!"') == [(0, 2, 11)]
    assert hits(animals, '"sat" []* "!"', "shortest") == [(0, 9, 11)]
    assert hits(animals, '"cat" []+ "sat"') == [(0, 1, 10), (1, 1, 5)]
    assert hits(animals, '"sat" []{2} "mat"') == [(0, 2, 6)]
    assert hits(animals, '"sat" []{2,} "The"') == [(0, 2, 8)]
    assert hits(animals, '"on" []{1,2} "\\."') == [(0, 3, 7)]
    assert hits(animals, '"on" []{,1} "mat"') == [(0, 3, 6)]
    assert hits(animals, '"on" []{,1} "the"') == [(0, 3, 5)]


def test_strategies(animals):
    query = '[word="[a-z]+"]+'
    assert hits(animals, query) == [(0, 1, 6), (0, 8, 10), (1, 1, 2), (1, 4, 5)]
    assert hits(animals, query, "shortest") == [
        (0, 1, 2),
        (0, 2, 3),
        (0, 3, 4),
        (0, 4, 5),
        (0, 5, 6),
        (0, 8, 9),
        (0, 9, 10),
        (1, 1, 2),
        (1, 4, 5),
    ]
    assert len(hits(animals, query, "all")) == 15 + 3 + 1 + 1
    with pytest.raises(ValueError, match="strategy"):
        animals.kwic('"cat"', syntax="cql", strategy="standard")


def test_text_anchors_and_within(animals):
    assert hits(animals, "<text> []") == [(0, 0, 1), (1, 0, 1)]
    assert hits(animals, "[] </text>") == [(0, 10, 11), (1, 5, 6)]
    assert hits(animals, "<text> []* </text>") == [(0, 0, 11), (1, 0, 6)]
    assert hits(animals, '"cat" []* within text') == [(0, 1, 11), (1, 1, 6)]


def test_flags_d_and_l():
    corpus = kwiq.Corpus(["München und Munchen, naïve Straße STRASSE a.b a+b"])
    assert hits(corpus, '"Munchen"%d') == [(0, 0, 1), (0, 2, 3)]
    assert hits(corpus, '"naive"%d') == [(0, 4, 5)]
    # Full case folding: "ß" matches "SS".
    assert hits(corpus, '"straße"%c') == [(0, 5, 6), (0, 6, 7)]
    # %l: the value as written, no regex; with %c, folded.
    assert hits(corpus, '"+"%l') == [(0, 11, 12)]
    assert hits(corpus, '"MÜNCHEN"%cl') == [(0, 0, 1)]


def test_quotes_in_strings():
    corpus = kwiq.Corpus(["He said \"no\" and 'yes'."])
    assert hits(corpus, "'\"'") == [(0, 2, 3), (0, 4, 5)]
    assert hits(corpus, '"\\""') == [(0, 2, 3), (0, 4, 5)]
    assert hits(corpus, "''''") == [(0, 6, 7), (0, 8, 9)]


def test_list_of_queries_and_views(animals):
    conc = animals.kwic(['"cat"', '"sat"'], syntax="cql")
    assert [(line.doc, line.start) for line in conc] == [(0, 1), (0, 2), (0, 9), (1, 1), (1, 4)]
    assert hits(animals.subset([1]), '"cat"') == [(0, 1, 2)]


def test_variable_length_hits_sort_and_pickle(animals):
    conc = animals.kwic('[word="[a-z]+"]+', syntax="cql")
    assert [line.match for line in conc.sort("match")] == [
        "cat",
        "cat sat on the mat",
        "dog sat",
        "sat",
    ]
    again = pickle.loads(pickle.dumps(conc))
    assert list(again) == list(conc)


def test_a_loaded_corpus_answers_alike(animals, tmp_path):
    animals.save(tmp_path / "animals.kwiq")
    loaded = kwiq.Corpus.load(tmp_path / "animals.kwiq")
    for query in ('"the"%c []', '[word!="\\."]+', "<text> []{2}", '"sat" []* within text'):
        assert hits(loaded, query) == hits(animals, query)


def test_one_shot_kwic_takes_cql():
    assert [line.match for line in kwiq.kwic(ANIMALS[0], '"the"%c []', syntax="cql")] == [
        "The cat",
        "the mat",
        "The dog",
    ]


def test_long_queries(animals):
    # Long chains of | and & and long sequences are flat, not deep.
    assert hits(animals, "[" + " | ".join(['word="dog"'] * 3000) + "]") == [(0, 8, 9)]
    assert hits(animals, "[" + " & ".join(['word!="dog"'] * 3000) + "]", "all") == hits(
        animals, '[word!="dog"]', "all"
    )
    assert hits(animals, " | ".join(['"dog"'] * 3000)) == [(0, 8, 9)]
    assert hits(animals, " ".join(["[]"] * 3000)) == []


def test_case_argument_is_refused_with_cql(animals):
    for case in (True, False):
        with pytest.raises(ValueError, match="%c"):
            animals.kwic('"cat"', syntax="cql", case=case)
    with pytest.raises(ValueError, match="syntax"):
        animals.kwic("cat", syntax="CQP")
    # The plain language is unchanged.
    assert len(animals.kwic("cat")) == 2
    assert len(animals.kwic("the", case=True)) == 1


def test_counts_take_cql(animals):
    pytest.importorskip("pandas")
    # "the"%c [] finds The cat, the mat, The dog: clusters of 3 tokens.
    clusters = animals.clusters('"the"%c []', 3, syntax="cql")
    assert dict(zip(clusters["cluster"], clusters["count"])) == {"the cat sat": 1, "the dog sat": 1}
    dispersion = animals.dispersion('"sat" []', syntax="cql")
    assert list(dispersion["position"]) == [2, 9, 4]
    collocates = animals.collocates('"cat"', 1, syntax="cql", min_count=1, measures=[])
    # Windows count words: right of "cat!" is "Cats".
    assert dict(zip(collocates["word"], collocates["observed"])) == {
        "the": 1,
        "sat": 1,
        "a": 1,
        "cats": 1,
    }
    with pytest.raises(ValueError, match="%c"):
        animals.dispersion('"sat"', syntax="cql", case=True)


@pytest.mark.parametrize(
    "query, position, problem",
    [
        ('"cat', 0, "unterminated string"),
        ('[lemma="cat"]', 1, "unknown attribute 'lemma' (this corpus has word)"),
        ('"cat" within ne', 13, "unknown structure 'ne' (this corpus has text, s, p)"),
        ('<ne> "cat"', 0, "unknown structure 'ne'"),
        ('"cat"%x', 5, "unknown flag %x"),
        ('"(cat"', 0, "bad regex"),
        ('"cat"{3,1}', 5, "the minimum exceeds the maximum"),
        ('"cat"{,}', 5, "needs a bound"),
        ('[word="cat"', 11, "expected ']'"),
        ('[word "cat"]', 6, "expected = or !="),
        ('"cat" )', 6, "unexpected"),
        ("", 0, "expected a token"),
        ('"a" | ', 6, "expected a token"),
        ('"cat" # "dog"', 6, "unexpected character '#'"),
        ("[]{20000}", 3, "repeat count"),
        ('("a"{99}){200}', 0, "steps"),
        ("(" * 61 + '"a"' + ")" * 61, 60, "nested more than 60 deep"),
        ("[" + "!" * 61 + 'word="a"]', 61, "nested more than 60 deep"),
    ],
)
def test_malformed_queries(animals, query, position, problem):
    with pytest.raises(kwiq.QueryError) as caught:
        animals.kwic(query, syntax="cql")
    assert caught.value.position == position
    assert problem in caught.value.problem


def kwiq_command(*args):
    return subprocess.run(
        [sys.executable, "-m", "kwiq", *args], capture_output=True, text=True, timeout=120
    )


def test_command_line_takes_cql(tmp_path):
    (tmp_path / "animals.txt").write_text(ANIMALS[0], encoding="utf-8")
    found = kwiq_command("--cql", "-f", "csv", '"the"%c []', str(tmp_path / "animals.txt"))
    assert found.returncode == 0, found.stderr
    assert [row["match"] for row in csv.DictReader(io.StringIO(found.stdout))] == [
        "The cat",
        "the mat",
        "The dog",
    ]
    shortest = kwiq_command(
        "--cql",
        "--strategy",
        "shortest",
        "-f",
        "csv",
        '[word!="\\."]+',
        str(tmp_path / "animals.txt"),
    )
    assert len(shortest.stdout.splitlines()) == 1 + 10
    for args, problem in (
        (["--cql", "--case"], "%c"),
        (["--strategy", "all"], "--cql"),
        (["--cql"], "unknown attribute"),
    ):
        query = '[lemma="x"]' if problem == "unknown attribute" else '"cat"'
        failed = kwiq_command(*args, query, str(tmp_path / "animals.txt"))
        assert failed.returncode == 2 and problem in failed.stderr


INTERRUPTED = textwrap.dedent("""
    import os, signal, threading
    import kwiq

    # One document of 200,000 tokens: []+ runs from each start to its end,
    # some 2 * 10**10 states in all, unless Ctrl-C stops it.
    corpus = kwiq.Corpus(["a b " * 100_000])
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
        len(corpus.kwic("[]+", syntax="cql"))
    except KeyboardInterrupt:
        print("stopped")
    print(len(corpus.kwic('"a" "b"', syntax="cql")))
""")


def test_ctrl_c_stops_a_long_query():
    result = subprocess.run(
        [sys.executable, "-c", INTERRUPTED], capture_output=True, text=True, timeout=300
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["stopped", "100000"]


@pytest.fixture(scope="module")
def ewt():
    return kwiq.Corpus.from_conllu(DATA / "ud" / "en_ewt-ud-dev.conllu")


# Each count read off the CoNLL-U with awk over its token rows ($1 an
# integer), the previous row forgotten at "# newdoc" (a document's end) or
# at a blank line (a sentence's end) as the query asks.
@pytest.mark.parametrize(
    "query, count, awk",
    [
        ('[lemma="go"] [upos="ADP"]', 34, 'prev=="go" && $4=="ADP", reset at newdoc'),
        ('[upos="ADJ"] [upos="NOUN"]', 952, 'prev=="ADJ" && $4=="NOUN", reset at newdoc'),
        ('[upos="ADJ"] [upos="NOUN"] within s', 951, "the same, reset at blank lines"),
        ('[upos="PUNCT"] </s>', 1610, "the last row of a sentence has upos PUNCT"),
        ('[feats=""]', 7830, '$6=="_"'),
        ("<s> []* </s>", 2001, "grep -c '^# sent_id'"),
        ("<p> []", 750, "one paragraph a # newpar, and the first of each document"),
        ('<s> [upos="PRON"] []* </s>', 497, '$1=="1" && $4=="PRON"'),
    ],
)
def test_annotated_counts_read_off_the_conllu(ewt, query, count, awk):
    assert len(ewt.kwic(query, syntax="cql")) == count


def test_whole_sentences_are_hits(ewt):
    # <s> []* </s> pairs its anchors: each hit is one sentence, whole.
    sentences = ewt.kwic("<s> []* </s>", syntax="cql")
    regions = [
        (doc_id, start, end) for doc_id in ewt.ids for start, end in ewt.regions("s", doc_id)
    ]
    assert [(line.doc, line.start, line.end) for line in sentences] == regions


# ---------------------------------------------------------------- against the oracle


def plain_pair(texts):
    """A kwiq corpus of plain texts, and the same tokens as the oracle's
    documents: the attribute word, the structure text."""
    corpus = kwiq.Corpus(texts)
    docs = []
    for doc_id in corpus.ids:
        words = kwiq.tokenize(corpus.text(doc_id))
        docs.append(Doc(doc_id, [{"word": w} for w in words], {"text": [(0, len(words))]}))
    return corpus, docs


def paragraphs(paths):
    """The paragraphs of text files, each a document: short documents keep
    the oracle quick on queries bound by ``within text``."""
    return [
        paragraph
        for path in paths
        for paragraph in path.read_text(encoding="utf-8").split("\n\n")
        if paragraph.strip()
    ]


def annotated(docs):
    """Whether docs have every attribute and structure the generator draws from."""
    return set(ATTRIBUTES) <= set(docs[0].tokens[0]) and set(STRUCTURES) <= set(docs[0].regions)


def generated(docs, n, seed, monkeypatch):
    """n queries from cql_generate on docs. On docs of word and text only,
    the generator is given word as its only attribute and s and p as
    copies of text, and the queries name text for them."""
    if annotated(docs):
        return list(generate(random.Random(seed), docs, n))
    monkeypatch.setattr(cql_generate, "ATTRIBUTE_WEIGHTS", {"word": 1})
    seen = [
        Doc(
            d.id,
            [{a: t["word"] for a in ATTRIBUTES} for t in d.tokens],
            {x: d.regions["text"] for x in STRUCTURES},
        )
        for d in docs
    ]
    renamed = []
    for query in generate(random.Random(seed), seen, n):
        for x in "sp":
            query = query.replace(f"<{x}>", "<text>").replace(f"</{x}>", "</text>")
            query = query.replace(f" within {x}", " within text")
        renamed.append(query)
    return renamed


def compare(corpus, docs, queries):
    """Each query's hits by kwiq and by the oracle, under every strategy;
    returns the queries that differ, with both answers."""
    attributes, structures = tuple(docs[0].tokens[0]), tuple(docs[0].regions)
    differ = []
    for query in queries:
        every = evaluate(docs, parse(query, attributes, structures), "all")
        for strategy in ("longest", "shortest", "all"):
            expected = select(every, strategy)
            found = hits(corpus, query, strategy)
            if found != expected:
                differ.append((query, strategy, found[:5], expected[:5]))
    return differ


def conllu_pair(name):
    """A corpus read by Corpus.from_conllu, and the oracle's documents of
    the same file (read_conllu)."""
    path = DATA / "ud" / name
    return kwiq.Corpus.from_conllu(path), read_conllu(path)


INAUGURAL = sorted((DATA / "inaugural").glob("*.txt"))


def test_generated_queries_agree_with_the_oracle(monkeypatch):
    corpus, docs = conllu_pair("en_ewt-ud-dev.conllu")
    queries = generated(docs, 100, 11, monkeypatch)
    assert compare(corpus, docs, queries) == []
    # The queries find something: most were seeded from the text.
    assert sum(bool(hits(corpus, q)) for q in queries) > 60


def test_generated_queries_on_plain_text_agree_with_the_oracle(monkeypatch):
    corpus, docs = plain_pair(paragraphs(INAUGURAL[:2]))
    queries = generated(docs, 50, 13, monkeypatch)
    assert compare(corpus, docs, queries) == []


# Queries of the forms the core runs without its automaton (kw_cql.c,
# form_of: A X{m,n} B, and <X> A []* </X>), and near misses of them.
FORMS = [
    '"the" []{0,3} "of"',
    '[upos="ADJ"]+ [upos="NOUN"] within s',
    '[upos="ADJ"]+ [upos="NOUN"]',
    '<s> [upos="PRON"] []* </s>',
    "<p> [] []* </p>",
    '<s> [upos="PRON"] []* </s> within p',
    '[upos="DET"] []{2,} [upos="NOUN"]',
    '[upos="DET"] [] [upos="NOUN"] within s',
    '[upos="DET"] [upos="NOUN"]',
    '[upos="ADV"]* [upos="VERB"]',
    '[] [upos="ADJ"]{0,} [upos="PUNCT"]',
    '[upos="DET"] []{0,2} [] within s',
    '[upos="NOUN"] [upos="NOUN"]* [upos="NOUN"]',
    '[upos="ADJ"] [upos="ADJ"]{2} [upos="NOUN"]',
    "<s> []* </s>",
    '<s> [upos="PRON"] []+ </s>',
    '<s> [upos="PRON"] []* </p>',
]


def test_forms_agree_with_the_oracle():
    corpus, docs = conllu_pair("en_ewt-ud-dev.conllu")
    assert compare(corpus, docs, FORMS) == []
    assert all(hits(corpus, query) for query in FORMS)


def scan_arrays(corpus, query, strategy, threads):
    """(positions, lengths) of a CQL query's hits found by a scan (its
    hints left out: every position a start) on ``threads`` threads."""
    from kwiq._cql import STRATEGIES, Layer, compile_query

    index = corpus._index_view.index
    code, tests, bools, cond_start, _, within, n_strict, code_of, _ = compile_query(
        query, Layer(index)
    ).args(STRATEGIES[strategy], threads)
    found = kwiq._core.cql_find(
        index, code, tests, bools, cond_start, [], within, n_strict, code_of, threads
    )
    return found.arrays()[:2]


@pytest.mark.parametrize("name", ["en_ewt-ud-dev.conllu", "de_gsd-ud-dev.conllu"])
def test_scans_on_threads_find_what_one_thread_finds(monkeypatch, name):
    """A scan cut into parts over the corpus's positions (csrc/core/kw_cql.h,
    kw_cql_find_with) gives the hits of one thread, in the same order: over
    generated queries, and queries with a hit at (nearly) every position,
    more than a part holds at first."""
    corpus, docs = conllu_pair(name)
    queries = (
        generated(docs, 120, 14, monkeypatch)
        + FORMS
        + ["[]", "[]{1,3}", '[upos!="NOUN"]+ within s', "[]+ </s> within s"]
    )
    for query in queries:
        for strategy in ("longest", "shortest", "all"):
            one = scan_arrays(corpus, query, strategy, 1)
            assert one == hits_arrays(corpus, query, strategy), (query, strategy)
            for threads in (2, 3):
                assert scan_arrays(corpus, query, strategy, threads) == one, (
                    query,
                    strategy,
                    threads,
                )


def hits_arrays(corpus, query, strategy):
    """(positions, lengths) of a query's hits as Corpus.kwic finds them."""
    from kwiq._cql import STRATEGIES

    return corpus._index_view.cql_hits([query], STRATEGIES[strategy]).arrays()[:2]


@pytest.mark.slow
@pytest.mark.parametrize("name", ["en_ewt-ud-dev.conllu", "de_gsd-ud-dev.conllu"])
def test_many_generated_queries_agree_with_the_oracle(monkeypatch, name):
    """Issue 11's 1,000 generated queries: 500 on each treebank (the oracle,
    brute force in Python, takes most of the time), under every strategy."""
    corpus, docs = conllu_pair(name)
    queries = generated(docs, 500, 12, monkeypatch)
    assert compare(corpus, docs, queries) == []
