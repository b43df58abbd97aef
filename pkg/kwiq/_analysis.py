"""Counts and statistics over a Corpus: frequency lists, n-grams, clusters,
collocates, keyness and dispersion. Each function but keyness takes the
corpus's IndexView (kwiq._indexview), which kwiq.dask's partitions hand
over as well; the Corpus methods of the same names document them.

The C core does the counting (csrc/core/kw_stats.c: one pass over the token
stream, hash tables of n-grams, window cooccurrences from a hit list); this
module turns the counts into measures with numpy and into pandas
DataFrames. Every function returns a sorted DataFrame with a fresh
RangeIndex. The formulas are in docs/guide/statistics.md.

Words are counted by their case-folded form (the fold groups the index
builds, as queries fold) unless said otherwise; punctuation tokens are
never words, and windows and n-grams count words only, as kwic windows do.
With ``attr`` another attribute's values are counted in their place, as
``Corpus.freq`` says (the core keys the same tokens by that attribute's
types: kw_index_attr_freq and its kin).

A view (Corpus.subset, Corpus.where) counts over its documents alone: the
core is given the view's document mask (counts read only those documents'
token ranges) and its hits are those kwic keeps, in those documents.
"""

from __future__ import annotations

import collections
import functools
import io
from collections.abc import Hashable, Iterable, Sequence
from typing import TYPE_CHECKING, Any

from kwiq import _annotated, _core
from kwiq._args import as_bool, check_side, collocation_sides, each_window, int_in, query_list
from kwiq._indexview import IndexView
from kwiq._views import doc_labels, shortened

if TYPE_CHECKING:
    import pandas
    from matplotlib.figure import Figure

    from kwiq._corpus import Corpus

# The collocation measures, in the order of the default `measures`.
COLLOCATION_MEASURES = ("mi", "mi3", "t", "z", "ll", "dice", "logdice")
KEYNESS_MEASURES = ("ll", "log_ratio", "perc_diff")
# The longest n-gram or cluster the core counts (KW_MAX_GRAM).
MAX_GRAM = 8
# Hardie (2014): a zero frequency counts as 0.5 tokens in the log ratio
# (of the larger corpus: see keyness).
LOG_RATIO_ZERO = 0.5


def libs() -> tuple[Any, Any]:
    """numpy and pandas, which every count and statistic needs."""
    try:
        import numpy as np
        import pandas as pd
    except ImportError:
        raise ImportError(
            "counts and statistics need pandas: pip install pandas (or pip install 'kwiq[pandas]')"
        ) from None
    return np, pd


def u32(np: Any, data: bytes) -> Any:
    return np.frombuffer(data, dtype=np.uint32)


def _check_corpus(corpus: Any, name: str) -> None:
    from kwiq._corpus import Corpus

    if not isinstance(corpus, Corpus):
        raise TypeError(f"{name} must be a kwiq.Corpus, not {type(corpus).__name__}")


def check_measures(measures: Any, known: tuple[str, ...]) -> list[str]:
    if isinstance(measures, str):
        measures = (measures,)
    try:
        names: list[str] = list(dict.fromkeys(measures))
    except TypeError:
        raise TypeError(
            f"measures must be a sequence of names, not {type(measures).__name__}"
        ) from None
    for m in names:
        if not isinstance(m, str):
            raise TypeError(f"a measure name must be a str, not {type(m).__name__}")
        if m not in known:
            raise ValueError(f"unknown measure {m!r}; the measures are {', '.join(known)}")
    return names


def hits_of(
    view: IndexView, query: str | Iterable[str], case: bool, strategy: int | None = None
) -> _core.Hits:
    """The hits of a query (or a list of queries) as kwic finds them, its
    arguments checked as kwic checks them (a CQL strategy code, or None for
    the plain query language: kwiq._cql.query_options)."""
    return view.find(query_list(query), as_bool(case, "case"), strategy)


def sorted_rows(frame: pandas.DataFrame, by: list[str], ascending: list[bool]) -> pandas.DataFrame:
    ordered = frame.sort_values(by, ascending=ascending, kind="mergesort")
    renumbered: pandas.DataFrame = ordered.reset_index(drop=True)
    return renumbered


def attr_of(view: IndexView, attr: str) -> int:
    """The number of a token attribute of the view's index (ValueError
    listing them for an unknown one)."""
    return _annotated.attribute_number(view.index, attr)


def forms_of(view: IndexView, number: int) -> list[str]:
    """The form of each postings group of attribute ``number``: the folded
    forms for word, the values for any other; fetched once."""
    if number == 0:
        return view.vocabulary().folded
    forms = view.shared.attr_forms.get(number)
    if forms is None:
        forms = view.shared.attr_forms[number] = view.index.attr_forms(number)
    return forms


def _by_count_and_forms(np: Any, view: IndexView, ids: Any, counts: Any, number: int = 0) -> Any:
    """The order of rows of postings groups of attribute ``number`` (ids:
    one row of groups each; fold groups for word) by count descending, then
    by their forms joined with spaces, in code-point order. The groups'
    ranks give that order without comparing a string (see
    kw_index_attr_ranks)."""
    ranks = u32(np, view.index.attr_ranks(number))
    keys = [ranks[ids[:, k]] for k in range(ids.shape[1] - 1, -1, -1)]
    return np.lexsort(keys + [-counts.astype(np.int64)])


def joined(np: Any, forms: list[str], ids: Any) -> Any:
    """The forms of each row of ids joined by spaces, as an object array
    (numpy adds the str columns, with no Python loop over the rows)."""
    forms = np.array(forms, dtype=object)
    joined = forms[ids[:, 0]] if len(ids) else np.array([], dtype=object)
    for k in range(1, ids.shape[1]):
        joined = joined + " " + forms[ids[:, k]]
    return joined


# ---- frequency lists ----


def _freq_counts(view: IndexView, case: bool) -> tuple[Any, Any]:
    """Tokens and documents of every fold group (or surface type, with
    case), as uint32 arrays by id, over the corpus or view: counted by the
    core once, then kept in the view (the index never changes)."""
    np, _ = libs()
    cached = view.freq_cache.get(case)
    if cached is None:
        _, counts, docs, _ = view.index.freq(case, view.mask)
        cached = view.freq_cache[case] = (u32(np, counts), u32(np, docs))
    return cached


def group_counts(view: IndexView) -> Any:
    """The tokens of every fold group, a uint32 array by id, in the corpus
    or view (a whole corpus has them from its build)."""
    np, _ = libs()
    if view.mask is None:
        return u32(np, view.index.group_counts())
    return _freq_counts(view, False)[0]


def attr_counts(view: IndexView, number: int, punctuation: bool) -> tuple[Any, Any, int]:
    """Tokens and documents of every value of attribute ``number`` (not
    word), uint32 arrays by type id, and the tokens counted: every token,
    or the word tokens alone unless ``punctuation``; counted by the core
    once, then kept in the view."""
    np, _ = libs()
    key = ("attr", number, punctuation)
    cached = view.freq_cache.get(key)
    if cached is None:
        _, counts, docs, total = view.index.freq(False, view.mask, number, not punctuation)
        cached = view.freq_cache[key] = (u32(np, counts), u32(np, docs), total)
    return cached


def freq(
    view: IndexView,
    case: bool = False,
    min_count: int = 1,
    punctuation: bool = False,
    attr: str = "word",
) -> pandas.DataFrame:
    """``Corpus.freq`` (documented there) over ``view``."""
    np, pd = libs()
    case = as_bool(case, "case")
    punctuation = as_bool(punctuation, "punctuation")
    min_count = int_in(min_count, "min_count", 1)
    number = attr_of(view, attr)
    key = ("frame", case, punctuation, number)
    full = view.freq_cache.get(key)
    if full is None:
        full = view.freq_cache[key] = (
            _attr_freq_frame(np, pd, view, number, punctuation)
            if number
            else _freq_frame(np, pd, view, case, punctuation)
        )
    # Rows run by count descending, so those kept by min_count come first;
    # the copy leaves the kept frame as it was, whatever the caller does.
    kept = int((full["count"].to_numpy() >= min_count).sum())
    copied: pandas.DataFrame = (full if kept == len(full) else full.iloc[:kept]).copy()
    return copied


def counted_forms(
    np: Any, view: IndexView, case: bool, punctuation: bool
) -> tuple[list[str], Any, Any, Any]:
    """What a frequency list counts: the forms (fold groups, or surface
    types with case), their tokens and documents (_freq_counts), and a bool
    array of the forms counted: words, or every form with punctuation."""
    vocabulary = view.vocabulary()
    counts, docs = _freq_counts(view, case)
    forms, is_word = (
        (vocabulary.surface, vocabulary.surface_is_word)
        if case
        else (vocabulary.folded, vocabulary.folded_is_word)
    )
    counted = (
        np.ones(len(counts), dtype=bool)
        if punctuation
        else np.frombuffer(is_word, dtype=np.uint8).astype(bool)
    )
    return forms, counts, docs, counted


def _freq_frame(
    np: Any, pd: Any, view: IndexView, case: bool, punctuation: bool
) -> pandas.DataFrame:
    """The whole frequency list (min_count 1), made once per corpus."""
    forms, counts, docs, counted = counted_forms(np, view, case, punctuation)
    total = int(counts[counted].sum(dtype=np.uint64))
    rows = np.flatnonzero(counted & (counts >= 1))
    if not case:  # fold groups: their ranks give the order
        rows = rows[_by_count_and_forms(np, view, rows.reshape(-1, 1), counts[rows])]
    count = counts[rows].astype(np.int64)
    frame = pd.DataFrame(
        {
            "word": [forms[i] for i in rows.tolist()],
            "count": count,
            "per_million": count * 1e6 / total if total else count.astype(np.float64),
            "docs": docs[rows].astype(np.int64),
        }
    )
    return sorted_rows(frame, ["count", "word"], [False, True]) if case else frame


def _attr_freq_frame(
    np: Any, pd: Any, view: IndexView, number: int, punctuation: bool
) -> pandas.DataFrame:
    """The whole frequency list of attribute ``number`` (not word)."""
    counts, docs, total = attr_counts(view, number, punctuation)
    rows = np.flatnonzero(counts)
    rows = rows[_by_count_and_forms(np, view, rows.reshape(-1, 1), counts[rows], number)]
    forms = forms_of(view, number)
    count = counts[rows].astype(np.int64)
    frame: pandas.DataFrame = pd.DataFrame(
        {
            view.index.attributes()[number]: [forms[i] for i in rows.tolist()],
            "count": count,
            "per_million": count * 1e6 / total if total else count.astype(np.float64),
            "docs": docs[rows].astype(np.int64),
        }
    )
    return frame


# ---- n-grams and clusters ----


def ngrams(view: IndexView, n: int, min_count: int = 2, attr: str = "word") -> pandas.DataFrame:
    """``Corpus.ngrams`` (documented there) over ``view``."""
    np, pd = libs()
    n = int_in(n, "n", 1, MAX_GRAM)
    min_count = int_in(min_count, "min_count", 1)
    number = attr_of(view, attr)
    ids, counts, docs, _ = view.index.ngrams(n, min_count, view.mask, number)
    ids, counts = u32(np, ids).reshape(-1, n), u32(np, counts)
    order = _by_count_and_forms(np, view, ids, counts, number)
    frame: pandas.DataFrame = pd.DataFrame(
        {
            "ngram": joined(np, forms_of(view, number), ids[order]),
            "count": counts[order].astype(np.int64),
            "docs": u32(np, docs)[order].astype(np.int64),
        }
    )
    return frame


def clusters(
    view: IndexView,
    query: str | Iterable[str],
    n: int,
    side: str = "right",
    *,
    case: bool = False,
    min_count: int = 1,
    strategy: int | None = None,
    attr: str = "word",
) -> pandas.DataFrame:
    """``Corpus.clusters`` (documented there) over ``view``."""
    np, pd = libs()
    n = int_in(n, "n", 1, MAX_GRAM)
    min_count = int_in(min_count, "min_count", 1)
    check_side(side)
    number = attr_of(view, attr)
    hits = hits_of(view, query, case, strategy)
    ids, counts, _, _ = view.index.clusters(hits, n, side == "left", min_count, number)
    ids, counts = u32(np, ids).reshape(-1, n), u32(np, counts)
    order = _by_count_and_forms(np, view, ids, counts, number)
    frame: pandas.DataFrame = pd.DataFrame(
        {
            "cluster": joined(np, forms_of(view, number), ids[order]),
            "count": counts[order].astype(np.int64),
        }
    )
    return frame


# ---- collocates ----


def _g2(np: Any, cells: list[tuple[Any, Any, Any]]) -> Any:
    """Log-likelihood G2 = 2 * sum(O * ln(O / E)) over cells (O, E, O - E)
    whose O - E sum to 0, computed as 2 * sum(E * h((O - E) / E)) with
    h(r) = (1 + r) ln(1 + r) - r >= 0 (the two are equal because the O - E
    sum to 0). Every term is >= 0, so nothing cancels in the sum, and h is
    a series for small r, so G2 stays accurate when O is close to E, where
    the textbook sum loses digits."""
    total = 0.0
    for o, e, diff in cells:
        r = np.maximum(diff / e, -1.0)
        small = np.abs(r) < 1e-3
        rs = np.where(small, r, 0.0)
        series = (
            rs
            * rs
            * (1 / 2 - rs * (1 / 6 - rs * (1 / 12 - rs * (1 / 20 - rs * (1 / 30 - rs / 42)))))
        )
        rl = np.where(small | (o == 0), 0.0, r)
        h = np.where(small, series, np.where(o == 0, 1.0, (1.0 + rl) * np.log1p(rl) - rl))
        total = total + e * h
    return 2.0 * total


def collocates(
    view: IndexView,
    query: str | Iterable[str],
    window: int | tuple[int, int] = 5,
    left: int | None = None,
    right: int | None = None,
    min_count: int = 2,
    measures: Sequence[str] = COLLOCATION_MEASURES,
    *,
    case: bool = False,
    counting: str = "positions",
    strategy: int | None = None,
    attr: str = "word",
) -> pandas.DataFrame:
    """``Corpus.collocates`` (documented there) over ``view``."""
    np, pd = libs()
    left, right = collocation_sides(window, left, right)
    min_count = int_in(min_count, "min_count", 1)
    measures = check_measures(measures, COLLOCATION_MEASURES)
    windows = each_window(counting)
    number = attr_of(view, attr)
    hits = hits_of(view, query, case, strategy)
    index = view.index
    ids, counts, _, r1 = index.collocates(hits, left, right, windows, number)
    ids, counts = u32(np, ids), u32(np, counts)
    if number:  # C1 and N count word tokens, as the windows do
        counts_of_groups, _, n_words = attr_counts(view, number, False)
    else:
        counts_of_groups = group_counts(view)
        is_word = np.frombuffer(view.vocabulary().folded_is_word, dtype=np.uint8).astype(bool)
        n_words = int(counts_of_groups[is_word].sum(dtype=np.uint64))

    keep = counts >= min_count
    ids = ids[keep]
    forms = forms_of(view, number)
    frame = collocation_table(
        np,
        pd,
        [forms[i] for i in ids.tolist()],
        counts[keep],
        counts_of_groups[ids],
        n_words,
        r1,
        len(hits),
        measures,
        windows,
        word_ranks=u32(np, index.attr_ranks(number))[ids],
    )
    return frame.rename(columns={"word": attr}) if number else frame


def collocation_table(
    np: Any,
    pd: Any,
    words: list[str],
    observed: Any,
    c1: Any,
    n_words: int,
    r1: int,
    hits: int,
    measures: list[str],
    windows: bool,
    word_ranks: Any = None,
) -> pandas.DataFrame:
    """The collocates frame from counts: each word's tokens in the windows
    (``observed``, O11) and in the corpus (``c1``), the corpus's word tokens
    (N), the window positions (R1, unless ``windows``: counting="windows",
    whose R1 is the matches) and the matches; sorted, with attrs, whatever
    the counts come from, one index or partial counts merged. ``word_ranks``:
    each word's place in code-point order where the caller has it (an
    index's group ranks); otherwise the words are sorted here."""
    o11 = np.asarray(observed).astype(np.float64)
    c1 = np.asarray(c1).astype(np.float64)
    if windows:
        r1 = hits
    n, r1f = float(n_words), float(r1)
    e11 = r1f * c1 / n if n else o11 * 0.0
    columns = {"observed": o11, "expected": e11}
    with np.errstate(divide="ignore", invalid="ignore"):
        for m in measures:
            if m == "mi":
                columns[m] = np.log2(o11 / e11)
            elif m == "mi3":
                columns[m] = np.log2(o11**3 / e11)
            elif m == "t":
                columns[m] = (o11 - e11) / np.sqrt(o11)
            elif m == "z":
                columns[m] = (o11 - e11) / np.sqrt(e11)
            elif m == "ll" and windows:
                # simple-ll (Evert 2008): windows that overlap make no
                # table of four cells, so only O11 and E11 enter.
                d = o11 - e11
                columns[m] = np.where(d < 0, -1.0, 1.0) * _g2(np, [(o11, e11, d)])
            elif m == "ll":
                r2, c2 = n - r1f, n - c1
                d = o11 - e11  # every cell's O - E is d or -d
                cells = [
                    (o11, e11, d),
                    (r1f - o11, r1f * c2 / n, -d),
                    (c1 - o11, r2 * c1 / n, -d),
                    (n - r1f - c1 + o11, r2 * c2 / n, d),
                ]
                columns[m] = np.where(d < 0, -1.0, 1.0) * _g2(np, cells)
            elif m == "dice":
                columns[m] = 2.0 * o11 / (r1f + c1)
            else:  # logdice
                columns[m] = 14.0 + np.log2(2.0 * o11 / (r1f + c1))
    # By the first measure descending (NaN last), then observed descending,
    # then the word in code-point order.
    if word_ranks is None:
        place = {word: i for i, word in enumerate(sorted(words))}
        word_ranks = np.fromiter((place[word] for word in words), dtype=np.int64, count=len(words))
    keys = [np.asarray(word_ranks), -o11] + ([-columns[measures[0]]] if measures else [])
    order = np.lexsort(keys)
    columns = {name: column[order] for name, column in columns.items()}
    columns["observed"] = columns["observed"].astype(np.int64)
    frame = pd.DataFrame({"word": [words[i] for i in order.tolist()], **columns})
    frame.attrs.update(N=n_words, R1=int(r1), hits=hits)
    table: pandas.DataFrame = frame
    return table


# ---- keyness ----


def keyness(
    target: Corpus,
    reference: Corpus,
    measures: Sequence[str] = KEYNESS_MEASURES,
    *,
    case: bool = False,
    punctuation: bool = False,
    attr: str = "word",
) -> pandas.DataFrame:
    """Keywords of ``target`` against ``reference`` (two ``kwiq.Corpus``):
    a DataFrame with columns ``word, target, reference`` (the word's tokens
    in each), then one column per measure named as in ``measures``, one row
    per word of either corpus, sorted by the first measure descending (then
    ``target`` descending, then ``word``).

    Words are counted as ``freq`` counts them (``case``, ``punctuation``,
    ``attr``; with another attribute than word, the column ``word`` is
    named after it, and each corpus must have it).
    With f1, f2 the word's frequencies and N1, N2 the tokens counted in the
    target and the reference:

    - ``ll``: log-likelihood (Rayson & Garside 2000): with
      ``E1 = N1 * (f1 + f2) / (N1 + N2)`` and
      ``E2 = N2 * (f1 + f2) / (N1 + N2)``,
      ``2 * (f1 * ln(f1 / E1) + f2 * ln(f2 / E2))`` (``0 ln 0 = 0``),
      negated where ``f1 / N1 < f2 / N2``, so words typical of the
      reference sort last.
    - ``log_ratio``: ``log2((f1 / N1) / (f2 / N2))`` (Hardie 2014). A
      zero frequency counts as 0.5 tokens of the larger corpus: its
      rate is ``0.5 / max(N1, N2)``, so the measure stays finite, and that
      rate is below every rate of a word seen at least once in either
      corpus, so the sign of the log ratio is always the sign of
      ``f1 / N1 - f2 / N2``: a word absent from the target scores below
      0, one absent from the reference above 0. (Hardie's 0.5 in place of
      the zero frequency itself, normalised by its own corpus, gives a
      word seen only in a larger reference a positive score when its
      frequency there is small; with N1 = N2 the two agree.)
    - ``perc_diff``: %DIFF, ``100 * (f1 / N1 - f2 / N2) / (f2 / N2)``
      (Gabrielatos & Marchi 2012), ``inf`` where f2 = 0.
    """
    np, pd = libs()
    _check_corpus(target, "target")
    _check_corpus(reference, "reference")
    measures = check_measures(measures, KEYNESS_MEASURES)
    if not isinstance(attr, str):
        raise TypeError(f"an attribute is named by a str, not {type(attr).__name__}")
    return keyness_of_freqs(np, pd, target, reference, measures, case, punctuation, attr)


def keyness_of_freqs(
    np: Any,
    pd: Any,
    target: Any,
    reference: Any,
    measures: list[str],
    case: bool,
    punctuation: bool,
    attr: str = "word",
) -> pandas.DataFrame:
    """keyness_table from each side's ``freq()``, whatever kind of corpus
    (one index, a view, partitions on Dask: target and reference) gives it."""
    counted = []
    # attr is passed only when asked, for a corpus whose freq() takes none.
    by_attr: dict[str, Any] = {} if attr == "word" else {"attr": attr}
    for which, corpus in (("target", target), ("reference", reference)):
        frame = corpus.freq(case=case, punctuation=punctuation, **by_attr)
        n = int(frame["count"].sum())
        if n == 0:
            raise ValueError(
                f"the {which} corpus has no {'tokens' if punctuation else 'words'} to count"
            )
        counted.append((frame.set_index(attr)["count"], n))
    (f1s, n1), (f2s, n2) = counted
    frame = keyness_table(np, pd, f1s, n1, f2s, n2, measures)
    return frame.rename(columns={"word": attr}) if attr != "word" else frame


def keyness_table(
    np: Any, pd: Any, f1s: Any, n1: int, f2s: Any, n2: int, measures: list[str]
) -> pandas.DataFrame:
    """The keyness frame from counts: f1s and f2s, Series of the tokens of
    each word (the index) in the target and the reference, and N1, N2 the
    tokens counted in each; sorted."""
    both = pd.concat({"target": f1s, "reference": f2s}, axis=1).fillna(0)
    words = both.index.tolist()
    f1 = both["target"].to_numpy(dtype=np.float64)
    f2 = both["reference"].to_numpy(dtype=np.float64)
    columns = {"word": words, "target": f1.astype(np.int64), "reference": f2.astype(np.int64)}
    n1f, n2f = float(n1), float(n2)
    with np.errstate(divide="ignore", invalid="ignore"):
        for m in measures:
            if m == "ll":
                e1 = n1f * (f1 + f2) / (n1f + n2f)
                e2 = n2f * (f1 + f2) / (n1f + n2f)
                d = (f1 * n2f - f2 * n1f) / (n1f + n2f)  # f1 - E1 = E2 - f2
                g2 = _g2(np, [(f1, e1, d), (f2, e2, -d)])
                columns[m] = np.where(d < 0, -1.0, 1.0) * g2
            elif m == "log_ratio":
                absent = LOG_RATIO_ZERO / max(n1f, n2f)
                a = np.where(f1 == 0, absent, f1 / n1f)
                b = np.where(f2 == 0, absent, f2 / n2f)
                columns[m] = np.log2(a / b)
            else:  # perc_diff
                p1, p2 = f1 / n1f, f2 / n2f
                columns[m] = np.where(f2 == 0, np.inf, 100.0 * (p1 - p2) / p2)
    frame = pd.DataFrame(columns)
    by = ([measures[0]] if measures else []) + ["target", "word"]
    return sorted_rows(frame, by, [False] * (len(by) - 1) + [True])


# ---- dispersion ----


def locate(
    view: IndexView, query: str | Iterable[str], case: bool, strategy: int | None = None
) -> tuple[Any, Any, Any]:
    """Document numbers and in-document positions of the matches, and the
    length in tokens of every document."""
    np, _ = libs()
    hits = hits_of(view, query, case, strategy)
    docs, starts = view.index.locate(hits)
    return (
        np.frombuffer(docs, dtype=np.uint64).astype(np.int64),
        u32(np, starts).astype(np.int64),
        u32(np, view.index.doc_lengths()).astype(np.int64),
    )


def dispersion(
    view: IndexView, query: str | Iterable[str], *, case: bool = False, strategy: int | None = None
) -> pandas.DataFrame:
    """``Corpus.dispersion`` (documented there) over ``view``."""
    np, pd = libs()
    docs, starts, lengths = locate(view, query, case, strategy)
    ids = view.ids
    frame: pandas.DataFrame = pd.DataFrame(
        {
            "doc": [ids[d] for d in docs.tolist()],
            "position": starts,
            "relative": starts / lengths[docs] if len(docs) else starts.astype(np.float64),
        }
    )
    return frame


# Longer ids and queries are cut in plot_dispersion's labels, which would
# otherwise squeeze the plot out of its figure.
LABEL_ID_CHARS = 40
LABEL_QUERY_CHARS = 30
# plot_dispersion's rows: this many inches each, and at most PLOT_MAX_ROWS
# of them in all panels together (at least PLOT_MIN_DOCS documents a panel),
# so that the figure stays readable however many documents match.
PLOT_ROW_INCHES = 0.22
PLOT_MAX_ROWS = 60
PLOT_MIN_DOCS = 5


def plot_dispersion(
    view: IndexView,
    queries: str | Iterable[str],
    *,
    case: bool = False,
    scale: str = "relative",
    strategy: int | None = None,
) -> Figure:
    """``Corpus.plot_dispersion`` (documented there) over ``view``."""
    queries = dispersion_plot_queries(queries, scale)
    return dispersion_figure(
        [locate(view, q, case, strategy) for q in queries], view.ids, queries, scale
    )


def need_matplotlib(what: str) -> None:
    """ImportError saying how to install matplotlib, where it is not."""
    try:
        import matplotlib.figure  # noqa: F401
    except ImportError:
        raise ImportError(
            f"{what} needs matplotlib: pip install matplotlib (or pip install 'kwiq[plot]')"
        ) from None


def dispersion_plot_queries(queries: str | Iterable[str], scale: str) -> list[str]:
    """plot_dispersion's queries as a list, once matplotlib is found and
    ``scale`` checked."""
    need_matplotlib("plot_dispersion()")
    if scale not in ("relative", "absolute"):
        raise ValueError(f"scale must be 'relative' or 'absolute', not {scale!r}")
    if isinstance(queries, str):
        return [queries]
    queries = list(dict.fromkeys(queries))
    if not queries:
        raise ValueError("an empty list of queries")
    return queries


@functools.cache
def figure_type() -> type[Figure]:
    """matplotlib's Figure with a ``_repr_png_``, so that a notebook shows
    it as a picture without pyplot, whatever the backend (IPython shows a
    bare Figure as its repr unless pyplot's inline backend is set up; where
    it is, its own PNG printer for Figure shows it, once)."""
    from matplotlib.figure import Figure

    class Plot(Figure):
        """A figure of kwiq's (plot_dispersion, Concordance.plot_by)."""

        def _repr_png_(self) -> bytes:
            buffer = io.BytesIO()
            self.savefig(buffer, format="png")
            return buffer.getvalue()

    return Plot


def dispersion_figure(
    located: list[tuple[Any, Any, Any]], ids: Sequence[Hashable], queries: list[str], scale: str
) -> Figure:
    """plot_dispersion's Figure, from each query's (document numbers,
    positions, document lengths) as locate gives them and the ids of the
    documents by number."""
    np, _ = libs()
    lengths = located[0][2]
    totals: collections.Counter[int] = collections.Counter()
    for docs, _, _ in located:
        totals.update(docs.tolist())
    most_first = sorted(totals, key=lambda d: (-totals[d], d))
    cap = max(PLOT_MIN_DOCS, PLOT_MAX_ROWS // len(queries))
    shown = most_first[:cap]
    labels = doc_labels(list(ids))
    names = [shortened(labels[d], LABEL_ID_CHARS) for d in shown]
    rows = max(len(shown), 1)
    fig = figure_type()(
        figsize=(8.0, 0.6 + len(queries) * (0.55 + PLOT_ROW_INCHES * rows)), layout="constrained"
    )
    axes = fig.subplots(len(queries), 1, sharex=True, squeeze=False)[:, 0]
    for q, (ax, (docs, starts, _)) in enumerate(zip(axes, located)):
        for row, d in enumerate(shown):
            x = starts[docs == d].astype(np.float64)
            if scale == "relative":
                x = x / lengths[d]
            ax.vlines(x, row - 0.4, row + 0.4, colors=f"C{q % 10}", linewidth=1.0)
        ax.set_yticks(range(len(shown)), names)
        ax.set_ylim(rows - 0.5, -0.5)  # the document with most matches on top
        matches = len(docs)
        ax.set_title(
            f"{shortened(queries[q], LABEL_QUERY_CHARS)!r}: {matches:,} "
            f"match{'es' if matches != 1 else ''}",
            loc="left",
            color=f"C{q % 10}",
            fontsize="medium",
        )
        if not shown:  # else the title's count says a query has none
            ax.text(0.5, 0.5, "no matches", ha="center", va="center", transform=ax.transAxes)
    if scale == "relative":
        axes[-1].set_xlim(0.0, 1.0)
        axes[-1].set_xlabel("relative position in document")
    else:
        axes[-1].set_xlim(0.0, float(max(lengths[shown].max(), 1)) if shown else 1.0)
        axes[-1].set_xlabel("token position in document")
    title = "Lexical dispersion plot"
    if len(shown) == 1:
        title += f" in {names[0]}"
    if len(most_first) > len(shown):
        title += f": the {len(shown)} of {len(most_first):,} documents with the most matches"
    fig.suptitle(title)
    return fig
