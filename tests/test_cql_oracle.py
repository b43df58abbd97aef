"""The CQL oracle (cql_oracle.py) pinned to hits read off the CoNLL-U files.

Every expected count and span below was established from the files, not
from the oracle: with grep on the CoNLL-U (``grep -cP '^\\d+\\tfür\\t'``) or
with awk over its token rows, counting positions within each document
(a ``# newdoc`` line resets them) and reading sentence ids and token IDs.
Spans are written as the file shows them: (sent_id, first ID, last ID) of
a hit inside one sentence, (sent_id, first ID, sent_id, last ID) across
two.
"""

import random
import re
from bisect import bisect_left, bisect_right
from itertools import accumulate
from pathlib import Path

import pytest

from cql_generate import generate
from cql_oracle import (
    Alt,
    Anchor,
    And,
    CQLError,
    Not,
    Or,
    Repeat,
    Seq,
    Token,
    ValueTest,
    evaluate,
    parse,
    read_conllu,
    select,
)

DATA = Path(__file__).parent / "data" / "ud"
NOMINATIONS = "weblog-blogspot.com_nominations_20041117172713_ENG_20041117_172713-"


@pytest.fixture(scope="module")
def en():
    return read_conllu(DATA / "en_ewt-ud-dev.conllu")


@pytest.fixture(scope="module")
def de():
    return read_conllu(DATA / "de_gsd-ud-dev.conllu")


def located(docs, hits):
    """``hits`` as the CoNLL-U shows them (see the module docstring)."""
    spans = []
    for doc_index, start, end in hits:
        doc = docs[doc_index]
        for (first, last), sent_id in zip(doc.regions["s"], doc.sent_ids):
            if first <= start < last:
                opening = (sent_id, start - first + 1)
            if first < end <= last:
                closing = (sent_id, end - first)
        spans.append(opening + closing[1:] if opening[0] == closing[0] else opening + closing)
    return spans


def count(docs, query, strategy="longest"):
    return len(evaluate(docs, query, strategy))


# ---------------------------------------------------------------- reader


def test_reader_counts_words_sentences_paragraphs_documents(en, de):
    # grep -cP '^\d+\t' (integer IDs), grep -c '^# sent_id', '^# newdoc', '^# newpar'.
    assert sum(len(doc.tokens) for doc in en) == 25147
    assert sum(len(doc.tokens) for doc in de) == 12480
    assert sum(len(doc.regions["s"]) for doc in en) == 2001
    assert sum(len(doc.regions["s"]) for doc in de) == 799
    assert (len(en), len(de)) == (318, 1)
    assert sum(len(doc.regions["p"]) for doc in en) == 750
    # No # newdoc and no # newpar: one document without id, one paragraph.
    assert de[0].id is None and de[0].regions["p"] == [(0, 12480)]
    assert en[0].id == "weblog-blogspot.com_nominations_20041117172713_ENG_20041117_172713"
    for doc in en + de:
        for name in ("s", "p", "text"):
            # Each structure's regions cover the document's tokens in order.
            assert [end for _, end in doc.regions[name][:-1]] == [
                start for start, _ in doc.regions[name][1:]
            ]
            assert doc.regions[name][0][0] == 0 and doc.regions[name][-1][1] == len(doc.tokens)


def test_reader_attributes_of_first_token(en, de):
    # The first row of each file.
    assert en[0].tokens[0] == {
        "word": "From",
        "lemma": "from",
        "upos": "ADP",
        "xpos": "IN",
        "feats": "",
        "deprel": "case",
        "head": "3",
    }
    assert de[0].tokens[1] == {
        "word": "ist",
        "lemma": "sein",
        "upos": "AUX",
        "xpos": "VAFIN",
        "deprel": "cop",
        "feats": "Mood=Ind|Number=Sing|Person=3|Tense=Pres|VerbForm=Fin",
        "head": "5",
    }


def test_reader_missing_values_are_empty_and_underscore_forms_kept(en):
    # 26 rows have LEMMA _ (all goeswith), 7,830 FEATS _; three forms are
    # runs of underscores (SYM), lemma the same.
    assert count(en, '[lemma=""]') == 26
    assert count(en, '[feats=""]') == 7830
    assert located(en, evaluate(en, '[word="_+" & lemma="_+"]')) == [
        ("email-enronsent26_02-0026", 1, 1),
        ("email-enronsent08_01-0026", 1, 1),
        (
            "newsgroup-groups.google.com_CaptSpasticsJokes_4c06327c7fb39291_ENG_20050727_125600-0003",
            1,
            1,
        ),
    ]


def test_reader_rules_on_a_made_up_file(tmp_path):
    path = tmp_path / "small.conllu"
    path.write_text(
        "# sent_id = a\n"
        "1-2\tzum\t_\t_\t_\t_\t_\t_\t_\t_\n"
        "1\tzu\tzu\tADP\tAPPR\t_\t3\tcase\t_\t_\n"
        "2\tdem\tder\tDET\tART\t_\t3\tdet\t_\t_\n"
        "2.1\tgap\tgap\tX\tX\t_\t_\t_\t3:dep\t_\n"
        "3\t_\t_\tPUNCT\tNFP\t_\t0\troot\t_\t_\n"
        "\n"
        "# newpar\n"
        "# sent_id = b\n"
        "1\tgoes\t_\tX\tX\t_\t0\troot\t_\t_\n"
        "\n",
        encoding="utf-8",
    )
    [doc] = read_conllu(path)
    assert doc.id is None and doc.sent_ids == ["a", "b"]
    assert [t["word"] for t in doc.tokens] == ["zu", "dem", "_", "goes"]
    # An underscore token keeps its form and lemma; elsewhere _ is "".
    assert [t["lemma"] for t in doc.tokens] == ["zu", "der", "_", ""]
    assert doc.tokens[0]["feats"] == ""
    assert doc.regions == {"s": [(0, 3), (3, 4)], "p": [(0, 3), (3, 4)], "text": [(0, 4)]}


@pytest.mark.parametrize(
    "text, problem",
    [
        ("1\tword\n\n", "2 columns"),
        ("x\tw\tw\tX\tX\t_\t0\troot\t_\t_\n\n", "bad ID"),
        ("1\tw\tw\tX\tX\t_\t0\troot\t_\t_\n", "no closing blank line"),
    ],
)
def test_reader_rejects_malformed_input(tmp_path, text, problem):
    path = tmp_path / "bad.conllu"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ValueError, match=problem):
        read_conllu(path)


# ---------------------------------------------------------------- token constraints


def test_attribute_equals_regex_matches_whole_value(en):
    # awk '$LEMMA=="go"': 68 rows.
    assert count(en, '[lemma="go"]') == 68
    # A bare string is [word=...]: the 8 rows with FORM Bush.
    assert evaluate(en, '"Bush"') == evaluate(en, '[word="Bush"]')
    assert located(en, evaluate(en, '"Bush"')) == [
        (NOMINATIONS + "0002", 2, 2),
        (NOMINATIONS + "0003", 1, 1),
        (NOMINATIONS + "0005", 1, 1),
        ("weblog-blogspot.com_tacitusproject_20040712123425_ENG_20040712_123425-0002", 17, 17),
        ("weblog-blogspot.com_tacitusproject_20040712123425_ENG_20040712_123425-0003", 9, 9),
        ("weblog-juancole.com_juancole_20040404101100_ENG_20040404_101100-0013", 13, 13),
        ("weblog-juancole.com_juancole_20040404101100_ENG_20040404_101100-0013", 29, 29),
        (
            "newsgroup-groups.google.com_hiddennook_0bfb82789af9c3c5_ENG_20050309_232400-0002",
            10,
            10,
        ),
    ]
    # "." is any one-character form (4,081 rows: grep -cP '^\d+\t[^\t]\t',
    # four of them £ “ ” ♥), "\." the full stop (1,140).
    assert count(en, '"."') == 4081
    assert count(en, r'"\."') == 1140


def test_not_equals_is_the_negation(en):
    # 25,147 words, 859 of them "the".
    assert count(en, '[word!="the"]') == 25147 - 859


def test_flag_c_folds_case(en, de):
    # the 859, The 119, THE 3.
    assert count(en, '"the"%c') == 981
    # Full case folding: "MUSS" finds muss (6) and muß (9); without %c neither.
    assert count(de, '"MUSS"%c') == 15
    assert count(de, '"muss"%cl') == 15
    assert count(de, '"muss"') == 6
    # über 26, Über 2.
    assert count(de, '"ÜBER"%c') == 28


def test_flag_d_ignores_diacritics(en, de):
    # The only accented English words: Déjà and Cécile, once each.
    assert located(en, evaluate(en, '"Deja"%d | "Cecile"%d')) == [
        ("weblog-blogspot.com_thelameduck_20041119192207_ENG_20041119_192207-0016", 9, 9),
        ("reviews-154113-0002", 1, 1),
    ]
    assert count(en, '"Deja" | "Cecile"') == 0
    # für 79, Für 12 (grep -cP '^\d+\tfür\t'); no form "fur", and "f.r" only für.
    assert count(de, '"fur"%d') == 79
    assert count(de, '"fur"%cd') == 91
    assert count(de, '"f.r"') == 79
    assert count(de, '"fur"') == 0


def test_flag_l_is_literal(en):
    # "." literally: the 1,140 full stops, not every one-character form.
    assert count(en, '"."%l') == 1140
    assert count(en, '[word="."%l]') == 1140


def test_strings_quotes_and_backslashes(en):
    # FORM " in 160 rows, FORM ' in 21.
    for query in ("[word='\"']", r'[word="\""]', '[word=""""]', "[word='\"'%l]"):
        assert count(en, query) == 160, query
    for query in ('[word="\'"]', "[word=''''%l]", r"[word='\'']"):
        assert count(en, query) == 21, query
    # The form \\ (two backslashes), answers-20110909115731AAl3uzs_ans-0004 ID 1:
    # a regex needs four, a literal keeps the string as written.
    for query in (r'[word="\\\\"]', r'[word="\\"%l]'):
        assert located(en, evaluate(en, query)) == [
            ("answers-20110909115731AAl3uzs_ans-0004", 1, 1)
        ]


def test_and_or_not_and_parentheses(en):
    # awk: lemma be and UPOS AUX 929 (of 983 be); PROPN 1,867, NUM 383.
    assert count(en, '[lemma="be" & upos="AUX"]') == 929
    assert count(en, '[upos="PROPN" | upos="NUM"]') == 2250
    # 3,075 PUNCT.
    assert count(en, '[!upos="PUNCT"]') == 25147 - 3075
    assert count(en, '[upos!="PUNCT"]') == 25147 - 3075
    # & binds tighter than |: VERB, or AUX with lemma have (2,875);
    # parenthesised, VERB or AUX with lemma have (331).
    assert count(en, '[upos="VERB" | upos="AUX" & lemma="have"]') == 2875
    assert count(en, '[(upos="VERB" | upos="AUX") & lemma="have"]') == 331
    assert count(en, '[lemma="have" & !(upos!="VERB" & upos!="AUX")]') == 331


def test_any_token_and_sequences(en):
    assert count(en, "[]") == 25147
    # "of" X "of" within a document: 4 (awk over three-row windows).
    assert count(en, '"of" [] "of"') == 4
    # "New" "York": 2 pairs; "United" "States": 4.
    assert located(en, evaluate(en, '"New" "York"')) == [
        ("email-enronsent30_02-0026", 14, 15),
        ("newsgroup-groups.google.com_marketplace_e019a6deff0a1c7f_ENG_20050922_024300-0002", 1, 2),
    ]


def test_groups_with_alternatives(en):
    united_states = [
        ("weblog-juancole.com_juancole_20041120060600_ENG_20041120_060600-0009", 11, 12),
        ("weblog-blogspot.com_alaindewitt_20060827093500_ENG_20060827_093500-0003", 2, 3),
        ("weblog-juancole.com_juancole_20040404101100_ENG_20040404_101100-0002", 30, 31),
        ("email-enronsent30_02-0026", 14, 15),
        (
            "newsgroup-groups.google.com_KatrinaAlliance_5aa2d7f53b76354f_ENG_20051125_134100-0002",
            7,
            8,
        ),
        ("newsgroup-groups.google.com_marketplace_e019a6deff0a1c7f_ENG_20050922_024300-0002", 1, 2),
    ]
    for query in ('("New" "York" | "United" "States")', '"United" "States" | "New" "York"'):
        assert located(en, evaluate(en, query)) == united_states


# ---------------------------------------------------------------- quantifiers, strategies


def test_quantifiers_on_tokens(en):
    # awk over UPOS within each document: 4,210 NOUN in 3,699 runs, 458 of
    # them two or more long, 511 pairs of neighbouring NOUNs.
    noun = '[upos="NOUN"]'
    assert count(en, noun + "+") == 3699
    assert count(en, noun + "+", "shortest") == 4210
    assert count(en, noun + "*") == 3699  # its empty matches are no hits
    assert count(en, noun + "?") == 4210
    assert count(en, noun + "{2}") == 511
    assert count(en, noun + "{2}", "shortest") == 511
    assert count(en, noun + "{2,}") == 458
    assert count(en, noun + "{2,}", "shortest") == 511
    # Runs of one NOUN (3,699 - 458) and every pair in longer runs (511).
    assert count(en, noun + "{,2}") == 3699 - 458 + 511
    assert count(en, noun + "{1,2}") == 3699 - 458 + 511
    assert count(en, noun + "{,2}", "shortest") == 4210


def test_longest_and_shortest(en):
    # Every NOUN: after a DET (1,101 times) the longest match takes it along,
    # the shortest never does.
    hits = evaluate(en, '[upos="DET"]? [upos="NOUN"]')
    assert len(hits) == 4210 and sum(end - start == 2 for _, start, end in hits) == 1101
    assert all(
        end - start == 1
        for _, start, end in evaluate(en, '[upos="DET"]? [upos="NOUN"]', "shortest")
    )
    # Bush ... nominated in the nominations weblog: Bush at IDs 0002:2,
    # 0003:1, 0005:1, "nominated" at 0002:5, 0003:2, 0005:3.
    query = '[lemma="Bush"] []* [lemma="nominate"]'
    assert located(en, evaluate(en, query)) == [(NOMINATIONS + "0002", 2, NOMINATIONS + "0005", 3)]
    assert evaluate(en, query) == evaluate(en, query, "longest")
    shortest = [
        (NOMINATIONS + "0002", 2, 5),
        (NOMINATIONS + "0003", 1, 2),
        (NOMINATIONS + "0005", 1, 3),
    ]
    assert located(en, evaluate(en, query, "shortest")) == shortest
    assert located(en, evaluate(en, query + " within s")) == shortest
    assert len(evaluate(en, query, "all")) == 6


def test_quantifiers_on_groups(en):
    # DET NOUN DET NOUN: 5 windows; DET NOUN pairs: 1,101, of which 1,096
    # do not follow another pair.
    assert located(en, evaluate(en, '([upos="DET"] [upos="NOUN"]){2}'))[:2] == [
        ("weblog-juancole.com_juancole_20040114085100_ENG_20040114_085100-0002", 18, 21),
        ("weblog-typepad.com_ripples_20050410122300_ENG_20050410_122300-0024", 17, 20),
    ]
    assert count(en, '([upos="DET"] [upos="NOUN"]){2}') == 5
    assert count(en, '([upos="DET"] [upos="NOUN"])+') == 1096
    assert count(en, '([upos="DET"] [upos="NOUN"])+', "shortest") == 1101
    # very/really before an ADJ: 57 ADJ, once "really really terrified".
    hits = evaluate(en, '("very" | "really"){1,2} [upos="ADJ"]')
    assert len(hits) == 57
    assert [span for span in located(en, hits) if span[2] - span[1] == 2] == [
        ("answers-20111108105022AA0Q5wb_ans-0002", 11, 13)
    ]


# ---------------------------------------------------------------- structures


def test_anchors(en):
    assert count(en, "<s> []") == 2001
    assert count(en, "[] </s>") == 2001
    assert count(en, "<p> []") == 750
    assert count(en, "[] </p>") == 750
    assert count(en, "<text> []") == 318
    assert count(en, "[] </text>") == 318
    # "The" at ID 1: 102 sentences, 10 of them first in their document,
    # where no sentence ends before (a match never looks outside it).
    assert count(en, '<s> "The"') == 102
    assert count(en, '<text> "The"') == 10
    assert count(en, '</s> "The"') == 92
    # A full stop that ends a sentence: 1,105; followed by a sentence that
    # opens with "The": 67; "?" ending a paragraph: 88.
    assert count(en, r'"\." </s>') == 1105
    assert count(en, r'"\." </s> <s> "The"') == 67
    assert count(en, r'"\?" </p>') == 88
    assert count(en, "<s> </s>") == 0


def test_paired_anchors_keep_to_one_region(en):
    # 100 sentences of one word, 369 of at most three; <s> ... </s> never
    # spans two sentences, nor <p> ... </p> two paragraphs.
    assert count(en, "<s> [] </s>") == 100
    assert count(en, "<s> []{1,3} </s>") == 369
    assert evaluate(en, "<s> []+ </s>") == [
        (d, start, end) for d, doc in enumerate(en) for start, end in doc.regions["s"]
    ]
    assert evaluate(en, "<p> []+ </p>") == [
        (d, start, end) for d, doc in enumerate(en) for start, end in doc.regions["p"]
    ]


def test_within(en):
    # An ADJ before a NOUN: 952 in the documents, one across sentences and
    # paragraphs: reviews-009389-0001 is the one word "gone", and the next
    # sentence, a new paragraph, opens with "library".
    query = '[upos="ADJ"]+ [upos="NOUN"]'
    across = ("reviews-009389-0001", 1, "reviews-009389-0002", 1)
    assert count(en, query) == 952
    assert across in located(en, evaluate(en, query))
    assert count(en, query + " within s") == 951
    assert count(en, query + " within p") == 951
    assert count(en, query + " within text") == 952


def test_multiword_tokens_are_their_words(de):
    # 26 range rows "zum" over "zu" + "dem", and no other "zu" "dem".
    assert count(de, '"zu" "dem"') == 26
    assert count(de, '"zum"') == 0
    assert located(de, evaluate(de, '"zu" "dem"'))[-1] == ("dev-s776", 32, 33)


# ---------------------------------------------------------------- errors


@pytest.mark.parametrize(
    "query, position",
    [
        ('[word="x"', 9),
        ('"abc', 0),
        ('[foo="x"]', 1),
        ("<np> []", 0),
        ('"a"{3,1}', 3),
        ('"a"{,}', 3),
        ('"a"%x', 3),
        ('[word="("]', 6),
        ("()", 1),
        ('"a" within sentence', 11),
        ('"a" |', 5),
        ('[word~"a"]', 5),
        ('[word="a" &]', 11),
        ('"a" "b" within', 14),
        ("", 0),
        ('"a"+*', 4),
    ],
)
def test_malformed_queries(query, position):
    with pytest.raises(CQLError) as raised:
        parse(query)
    assert isinstance(raised.value, ValueError)
    assert raised.value.position == position


def test_unknown_strategy(en):
    with pytest.raises(ValueError, match="standard"):
        evaluate(en, '"a"', "standard")


# ---------------------------------------------------------------- generated queries


class Spans:
    """All matching spans of one query, to ask whether another span
    strictly contains one (or lies strictly inside it)."""

    def __init__(self, spans):
        self.by_doc = {}
        for doc, start, end in spans:
            self.by_doc.setdefault(doc, {}).setdefault(start, []).append(end)
        self.tables = {}
        for doc, ends in self.by_doc.items():
            starts = sorted(ends)
            widest = list(accumulate((max(ends[s]) for s in starts), max))
            narrowest = list(accumulate((min(ends[s]) for s in reversed(starts)), min))[::-1]
            self.tables[doc] = starts, widest, narrowest

    def contained(self, doc, start, end) -> bool:
        """Whether another span has start' <= start and end' >= end."""
        starts, widest, _ = self.tables[doc]
        before = bisect_left(starts, start)
        return (before > 0 and widest[before - 1] >= end) or max(self.by_doc[doc][start]) > end

    def contains(self, doc, start, end) -> bool:
        """Whether another span has start' >= start and end' <= end."""
        starts, _, narrowest = self.tables[doc]
        after = bisect_right(starts, start)
        return (after < len(starts) and narrowest[after] <= end) or min(
            self.by_doc[doc][start]
        ) < end


def constructs(node, inside_repeat=False):
    """The constructs used in a parsed query, by name."""
    found = set()
    if isinstance(node, Repeat):
        found.add(
            {(0, 1): "?", (0, None): "*", (1, None): "+"}.get(
                (node.min, node.max),
                "{n}" if node.min == node.max else "{n,}" if node.max is None else "{n,m}",
            )
        )
        if inside_repeat:
            found.add("nested repeat")
        if isinstance(node.item, (Seq, Alt)):
            found.add("repeated group")
        return found | constructs(node.item, True)
    if isinstance(node, Alt):
        found.add("alternative")
    if isinstance(node, Token):
        return {"[]"} if node.constraint is None else constructs(node.constraint)
    if isinstance(node, Anchor):
        return {("</" if node.closing else "<") + node.structure + ">"} | (
            {"paired"} if node.paired else set()
        )
    if isinstance(node, ValueTest):
        return {"!=" if node.negated else "="} | {"%" + flag for flag in node.flags}
    if isinstance(node, Not):
        return {"!"} | constructs(node.operand)
    if isinstance(node, (And, Or)):
        return (
            {"&" if isinstance(node, And) else "|"} | constructs(node.left) | constructs(node.right)
        )
    for child in getattr(node, "items", None) or node.options:
        found |= constructs(child, inside_repeat)
    return found


@pytest.mark.slow
def test_generated_queries_obey_the_strategies(en, de):
    """300 generated queries over both sets (the 1,000 that issue 11 asks
    for are run where kwiq's own engine is compared with the oracle, which
    is what they test): each parses and evaluates;
    the longest hits are the spans no other contains, the shortest the
    spans that contain no other; together they use every construct; most
    have hits."""
    docs = en + de
    seen, with_hits = set(), 0
    for query in generate(random.Random(20240611), docs, 300):
        parsed = parse(query)
        seen |= constructs(parsed.body) | {"within " + str(parsed.within)}
        if re.search(r"\{,[0-9]", query):
            seen.add("{,m}")
        spans = evaluate(docs, parsed, "all")
        assert all(start < end <= len(docs[d].tokens) for d, start, end in spans), query
        table = Spans(spans)
        assert select(spans, "longest") == [span for span in spans if not table.contained(*span)], (
            query
        )
        assert select(spans, "shortest") == [span for span in spans if not table.contains(*span)], (
            query
        )
        with_hits += bool(spans)
    assert with_hits >= 180
    assert seen >= {
        "=",
        "!=",
        "%c",
        "%d",
        "%l",
        "&",
        "|",
        "!",
        "[]",
        "?",
        "*",
        "+",
        "{n}",
        "{n,}",
        "{n,m}",
        "{,m}",
        "alternative",
        "repeated group",
        "nested repeat",
        "<s>",
        "</s>",
        "<p>",
        "</p>",
        "<text>",
        "</text>",
        "paired",
        "within None",
        "within s",
        "within p",
        "within text",
    }


def test_generator_is_reproducible(en):
    first = list(generate(random.Random(7), en, 20))
    assert first == list(generate(random.Random(7), en, 20))
    assert first != list(generate(random.Random(8), en, 20))
    assert len(set(first)) == 20
