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

from typing import Any

EXTRA = 'pip install "kwiq[lemma]"'

Languages = str | tuple[str, ...] | list[str] | None


def _simplemma() -> Any:
    try:
        import simplemma
    except ImportError:
        raise ImportError(f"lemmatize= needs simplemma, which is not installed: {EXTRA}") from None
    return simplemma


def check(lemmatize: Languages) -> tuple[str, ...] | None:
    """The language codes of a ``lemmatize=`` argument (None: no lemma), each
    one simplemma supports; ImportError naming the extra without simplemma,
    ValueError for a language it does not support, TypeError for another
    type. Checked before the build, so a bad argument costs no build."""
    if lemmatize is None:
        return None
    if isinstance(lemmatize, str):
        languages: tuple[str, ...] = (lemmatize,)
    elif isinstance(lemmatize, (tuple, list)) and lemmatize:
        languages = tuple(lemmatize)
    else:
        raise TypeError(
            "lemmatize must be a language code such as 'en', or a tuple of them "
            f"tried in order, not {lemmatize!r}"
        )
    for language in languages:
        if not isinstance(language, str):
            raise TypeError(f"lemmatize: a language code is a str such as 'en', not {language!r}")
    simplemma = _simplemma()
    for language in languages:
        try:
            simplemma.is_known("kwiq", lang=language)
        except ValueError:
            raise ValueError(
                f"lemmatize: simplemma does not support the language "
                f"{language!r}; it takes codes such as 'en', 'de', 'fr'"
            ) from None
    return languages


def add(index: Any, languages: tuple[str, ...] | None) -> None:
    """Add the attribute ``lemma`` to a just built index (nothing when
    languages is None): simplemma's lemma of each word form as written, its
    own form for punctuation."""
    if languages is None:
        return
    lemmatize = _simplemma().lemmatize
    lang = languages[0] if len(languages) == 1 else languages
    forms, is_word = index.vocabulary(False)
    index.add_type_attr(
        "lemma",
        [lemmatize(form, lang=lang) if word else form for form, word in zip(forms, is_word)],
    )
