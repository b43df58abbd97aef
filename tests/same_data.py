"""The UD dev sets of tests/data/ud/ in each annotated source's form: VRT
files and spaCy Docs written from the CoNLL-U, so that from_conllu,
from_vrt and from_spacy can be compared on the same tokens.

The conversion reads the CoNLL-U lines itself (not kwiq): tokens are the
integer-id rows, values as tests/cql_oracle.py's reader gives them, a
multiword token's words each a token with its own form (VRT and spaCy have
no multiword tokens, so "im" = "in" + "dem" is written "in dem"),
``SpaceAfter=No`` becomes ``<g/>`` or a spaCy space of False, ``# newdoc``
a ``<text id>`` (a file without one has no ``<text>``), ``# newpar`` a
``<p>`` (a document's first sentence opens one too), each sentence an
``<s>``.
"""

from __future__ import annotations

import html
from dataclasses import dataclass, field
from pathlib import Path

from cql_oracle import read_conllu

# The CoNLL-U attributes, in from_conllu's order, as VRT columns.
VRT_ATTRIBUTES = ["word", "lemma", "upos", "xpos", "feats", "deprel", "head"]


@dataclass
class Sentence:
    tokens: list[dict[str, str]] = field(default_factory=list)
    space_after: list[bool] = field(default_factory=list)
    newpar: bool = False


@dataclass
class Document:
    id: str | None
    sentences: list[Sentence] = field(default_factory=list)


def documents(path: Path) -> list[Document]:
    """The documents of a CoNLL-U file, with each token's space after."""
    oracle = read_conllu(path)  # the values, as the oracle reads them
    values = iter(token for doc in oracle for token in doc.tokens)
    docs: list[Document] = []
    sentence = Sentence()
    range_last, range_space = 0, True
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("# newdoc"):
            docs.append(Document(line.split("=", 1)[1].strip() if "=" in line else None))
        elif line.startswith("# newpar"):
            sentence.newpar = True
        elif not line:
            if not docs:
                docs.append(Document(None))
            docs[-1].sentences.append(sentence)
            sentence, range_last = Sentence(), 0
        elif not line.startswith("#"):
            columns = line.split("\t")
            space = "SpaceAfter=No" not in columns[9].split("|")
            if "-" in columns[0]:
                range_last = int(columns[0].split("-")[1])
                range_space = space
            elif "." not in columns[0]:
                word = int(columns[0])
                sentence.tokens.append(next(values))
                sentence.space_after.append(
                    True if word < range_last else range_space if word == range_last else space
                )
    return docs


def write_vrt(path: Path, out: Path) -> Path:
    """A VRT file of the CoNLL-U file at path."""
    lines: list[str] = []
    for doc in documents(path):
        if doc.id is not None:
            lines.append(f'<text id="{html.escape(doc.id)}">')
        for n, sentence in enumerate(doc.sentences):
            if n == 0 or sentence.newpar:
                if n:
                    lines.append("</p>")
                lines.append("<p>")
            lines.append("<s>")
            for k, (token, space) in enumerate(zip(sentence.tokens, sentence.space_after), 1):
                lines.append("\t".join(token[attr] for attr in VRT_ATTRIBUTES))
                if not space and k < len(sentence.tokens):
                    lines.append("<g/>")
            lines.append("</s>")
        if doc.sentences:
            lines.append("</p>")
        if doc.id is not None:
            lines.append("</text>")
    out.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return out


def spacy_docs(path: Path, vocab) -> list:
    """A spaCy Doc of each document of the CoNLL-U file at path, built by
    hand: its words, spaces, lemmas, tags, morphology and dependencies, a
    whitespace token ``"\\n"`` between sentences (as the rebuilt text of
    from_conllu has a line break there; kwiq leaves it out), sentences
    from the dependency trees."""
    from spacy.tokens import Doc

    docs = []
    for document in documents(path):
        words, spaces, lemmas, pos, tags, morphs, deps, heads = ([] for _ in range(8))
        root = 0  # set at each sentence's root, read by the next sentence
        for n, sentence in enumerate(document.sentences):
            if n:
                words.append("\n")
                spaces.append(False)
                lemmas.append("\n")
                pos.append("SPACE")
                tags.append("_SP")
                morphs.append("")
                deps.append("dep")
                heads.append(root)  # in the sentence before, as spaCy puts it
            start = len(words)
            for k, (token, space) in enumerate(zip(sentence.tokens, sentence.space_after), 1):
                words.append(token["word"])
                spaces.append(space and k < len(sentence.tokens))
                lemmas.append(token["lemma"])
                pos.append(token["upos"] or None)
                tags.append(token["xpos"])
                morphs.append(token["feats"])
                deps.append(token["deprel"])
                head = int(token["head"]) if token["head"] else 0
                heads.append(start + head - 1 if head else len(heads))
                if not head:
                    root = len(heads) - 1
        docs.append(
            Doc(
                vocab,
                words=words,
                spaces=spaces,
                lemmas=lemmas,
                pos=pos,
                tags=tags,
                morphs=morphs,
                deps=deps,
                heads=heads,
            )
        )
    return docs


def three_corpora(path: Path, directory: Path) -> dict:
    """The corpora of the CoNLL-U file at path through each source:
    ``conllu``, ``vrt`` (written into directory) and, when spaCy is
    installed, ``spacy``; each source's documents in the same order."""
    import kwiq

    corpora = {
        "conllu": kwiq.Corpus.from_conllu(path, progress=False),
        "vrt": kwiq.Corpus.from_vrt(
            write_vrt(path, directory / (path.stem + ".vrt")), VRT_ATTRIBUTES, progress=False
        ),
    }
    try:
        import spacy
    except ImportError:
        return corpora
    corpora["spacy"] = kwiq.Corpus.from_spacy(
        spacy_docs(path, spacy.blank("xx").vocab), progress=False
    )
    return corpora


def hits(corpus, query: str, **options) -> list[tuple[int, int, int]]:
    """The hits of a query as (document number, start, end), so that
    corpora whose ids differ compare."""
    number = {doc: k for k, doc in enumerate(corpus.ids)}
    return [
        (number[line.doc], line.start, line.end) for line in corpus.kwic(query, window=0, **options)
    ]
