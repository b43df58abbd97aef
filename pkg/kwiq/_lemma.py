"""The ``lemma`` attribute of a plain-text corpus, from simplemma.

``Corpus(texts, lemmatize="en")`` (and ``from_files``, ``from_pandas``)
adds to kwiq's own tokens an attribute ``lemma``, by the rules of
docs/guide/annotated.md, "Lemmas of plain text". simplemma sees one form at
a time, without context, so every token of one form has the same lemma: it
is asked once a distinct form of the corpus (its vocabulary: about 100,000
forms for 30 MB of English, against 6 million tokens), and the core writes
each token's lemma from that map in C (Index.add_type_attr).
"""
from __future__ import annotations

from typing import Any, Optional, Union

EXTRA = 'pip install "kwiq[lemma]"'

Languages = Union[str, tuple, list, None]


def _simplemma() -> Any:
    try:
        import simplemma
    except ImportError:
        raise ImportError(f"lemmatize= needs simplemma, which is not installed: {EXTRA}") \
            from None
    return simplemma


def check(lemmatize: Languages) -> Optional[tuple[str, ...]]:
    """The language codes of a ``lemmatize=`` argument (None: no lemma), each
    one simplemma supports; ImportError naming the extra without simplemma,
    ValueError for a language it does not support, TypeError for another
    type. Checked before the build, so a bad argument costs no build."""
    if lemmatize is None:
        return None
    if isinstance(lemmatize, str):
        languages = (lemmatize,)
    elif isinstance(lemmatize, (tuple, list)) and lemmatize:
        languages = tuple(lemmatize)
    else:
        raise TypeError("lemmatize must be a language code such as 'en', or a tuple of them "
                        f"tried in order, not {lemmatize!r}")
    for language in languages:
        if not isinstance(language, str):
            raise TypeError(f"lemmatize: a language code is a str such as 'en', not "
                            f"{language!r}")
    simplemma = _simplemma()
    for language in languages:
        try:
            simplemma.is_known("kwiq", lang=language)
        except ValueError:
            raise ValueError(f"lemmatize: simplemma does not support the language "
                             f"{language!r}; it takes codes such as 'en', 'de', 'fr'") from None
    return languages


def add(index: Any, languages: Optional[tuple[str, ...]]) -> None:
    """Add the attribute ``lemma`` to a just built index (nothing when
    languages is None): simplemma's lemma of each word form as written, its
    own form for punctuation."""
    if languages is None:
        return
    lemmatize = _simplemma().lemmatize
    lang = languages[0] if len(languages) == 1 else languages
    forms, is_word = index.vocabulary(False)
    index.add_type_attr("lemma", [lemmatize(form, lang=lang) if word else form
                                  for form, word in zip(forms, is_word)])


def carry(index: Any, docs: list[int], new_index: Any) -> None:
    """Give new_index, built by the tokenizer from the texts of documents
    ``docs`` of ``index``, the lemmas those documents have in ``index``
    (a view saved alone keeps them, with no simplemma): when every form
    there has one lemma, as a lemmatized corpus's forms have; else (an
    annotated corpus's lemmas, which depend on context) nothing."""
    attrs = index.attributes()
    if "lemma" not in attrs:
        return
    lemma_attr = attrs.index("lemma")
    lengths = memoryview(index.doc_lengths()).cast("I")
    starts = [0]
    for length in lengths:
        starts.append(starts[-1] + length)
    lemma_of: dict[int, int] = {}
    for d in docs:
        words = memoryview(index.attr_types(0, starts[d], starts[d + 1])).cast("I")
        lemmas = memoryview(index.attr_types(lemma_attr, starts[d], starts[d + 1])).cast("I")
        for word, lemma in zip(words, lemmas):
            if lemma_of.setdefault(word, lemma) != lemma:
                return
    forms = index.vocabulary(False)[0]
    lemma_forms = index.attr_forms(lemma_attr)
    by_form = {forms[word]: lemma_forms[lemma] for word, lemma in lemma_of.items()}
    new_forms = new_index.vocabulary(False)[0]
    if all(form in by_form for form in new_forms):
        new_index.add_type_attr("lemma", [by_form[form] for form in new_forms])
