"""Corpus: documents, their ids and the index the C core builds over them."""

from __future__ import annotations

import os
from collections.abc import Callable, Hashable, Iterable, Sequence
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kwiq import (
    _analysis,
    _annotated,
    _build,
    _core,
    _explore,
    _files,
    _lemma,
    _metadata,
    _saved,
    _spacy,
)
from kwiq._analysis import COLLOCATION_MEASURES, KEYNESS_MEASURES
from kwiq._args import as_bool, as_int, query_list, window_sides
from kwiq._concordance import Concordance, attribute_names
from kwiq._cql import query_options
from kwiq._files import FileDecodeError
from kwiq._indexview import IndexView
from kwiq._saved import FormatError, PathLike
from kwiq._views import PAGE_SIZE

if TYPE_CHECKING:
    import pandas
    from matplotlib.figure import Figure

    from kwiq._explorer import Explorer

SAMPLE_NAME = "khrushchev-kennedy-1962-10-28.txt"

BOUNDS = {"sentence": _core.BOUND_SENTENCE, "paragraph": _core.BOUND_PARAGRAPH}
MAX_WIDTH = 0xFFFFFFFFFFFFFFFF
# The metadata column from_files adds with a list of encodings.
ENCODING_COLUMN = "encoding"

Window = int | tuple[int, int]


class Corpus:
    """Documents tokenized and indexed by the C core.

    ``texts`` is an iterable of str; ``ids`` an iterable of distinct hashable
    ids, one per text (default ``0 .. n-1``). The corpus keeps its own copy
    of the text, so the strings passed in may be dropped. On any bad input
    the constructor raises and nothing is built.

    ``metadata``: one row per document, as a pandas DataFrame (its index is
    ignored: row i is document i) or a list of dicts (keys are columns; a
    key missing from a dict is NaN there). Column names must be str.
    TypeError for another type, ValueError for a wrong number of rows.
    ``corpus.metadata`` gives it back; ``subset`` and ``where`` choose
    documents by it; ``kwic(meta=...)`` puts columns of it on lines.

    ``threads``: how many threads tokenize (default: the CPUs this process
    may use, at most 8; 1 builds in the calling thread). The documents are
    cut into consecutive runs, one a thread, tokenized with the GIL
    released; the corpus is the same, type ids and all, whatever the
    count. A corpus under 1 MB a thread uses fewer threads.

    ``lemmatize``: a language code (``"en"``, ``"de"``, ...) or a tuple of
    codes tried in order, as simplemma takes them: the tokens get a second
    attribute, ``lemma``, from simplemma (``pip install "kwiq[lemma]"``),
    for ``[lemma="be"]``, ``freq(attr="lemma")`` and the rest
    (docs/guide/annotated.md, "Lemmas of plain text"). ImportError without simplemma,
    ValueError for a language it does not support.

    A Corpus pickles, for other processes: a loaded one as a reference to
    its file, a built one as its saved bytes, a view as its corpus and its
    documents (docs/guide/corpora.md, "Pickling").
    """

    def __init__(
        self,
        texts: Iterable[str],
        ids: Iterable[Hashable] | None = None,
        metadata: Any = None,
        *,
        threads: int | None = None,
        lemmatize: _lemma.Languages = None,
    ):
        if isinstance(texts, (str, bytes)):
            raise TypeError(
                "texts must be an iterable of str, not a single "
                f"{type(texts).__name__}; wrap one text in a list"
            )
        texts = list(texts)
        for i, text in enumerate(texts):
            if not isinstance(text, str):
                raise document_error(text, i, None)
        ids = check_ids(ids, len(texts))
        metadata = _metadata.check(metadata, len(texts))
        threads = _build.check_threads(threads)
        languages = _lemma.check(lemmatize)

        def describe(i: int, error: BaseException) -> BaseException:
            return document_error(texts[i], i, ids[i])

        index = _build.build([len(text) for text in texts], texts.__getitem__, describe, threads)
        _lemma.add(index, languages)
        self._set(index, ids, metadata)

    def _set(self, index: _core.Index, ids: list[Hashable], metadata: Any) -> None:
        """A whole corpus over index: every document, none left out."""
        self._index_view = IndexView.whole(index, ids, metadata)

    @property
    def _index(self) -> _core.Index:
        """The core's index (a view's is its corpus's), for the tests that
        check the index of a corpus they build."""
        return self._index_view.index

    @classmethod
    def from_pandas(
        cls,
        df: Any,
        text: str = "text",
        id: str | None = None,
        *,
        threads: int | None = None,
        lemmatize: _lemma.Languages = None,
    ) -> Corpus:
        """A corpus of the rows of a pandas DataFrame: column ``text`` holds
        the texts, column ``id`` (if given) the ids (default ``0 .. n-1``),
        and every other column becomes metadata. ValueError for a column
        the frame has not. ``threads`` and ``lemmatize`` as for
        ``Corpus()``."""
        pd = _metadata.pandas()
        if not isinstance(df, pd.DataFrame):
            raise TypeError(f"from_pandas() takes a pandas DataFrame, not {type(df).__name__}")
        for what, name in (("text", text), ("id", id)):
            if name is not None and name not in df.columns:
                raise ValueError(
                    f"{what}={name!r} is not a column of the DataFrame; its "
                    f"columns are {', '.join(map(repr, df.columns))}"
                )
        ids = None if id is None else df[id].tolist()
        rest = df.drop(columns=[c for c in (text, id) if c is not None])
        return cls(df[text].tolist(), ids, rest, threads=threads, lemmatize=lemmatize)

    @classmethod
    def from_files(
        cls,
        paths: PathLike | Iterable[PathLike],
        encoding: str = "utf-8",
        errors: str = "strict",
        ids: str | Callable[[Path], Hashable] = "path",
        threads: int | None = None,
        progress: bool = True,
        metadata: Any = None,
        include: str | Sequence[str] = _files.DEFAULT_INCLUDE,
        lemmatize: _lemma.Languages = None,
    ) -> Corpus:
        """A corpus of text files, one document a file.

        ``paths``: a file, a directory, a glob (``"corpus/**/*.txt"``; ``**``
        is any depth), or a list of these. A directory gives the files below
        it whose name matches ``include`` (``"*.txt"`` by default; a glob or
        a list of globs, ``"*"`` for every file), hidden ones left out; the
        files it leaves out are named in a ``kwiq.SkippedFilesWarning`` (how
        many, and the first few), so a folder's README does not become a
        document unnoticed. Files come in the order given; a directory's or
        a glob's files sorted by their path components. Only regular files
        are read: a FIFO or a device named is refused (OSError) before it
        is opened; directories and globs leave them out, follow symbolic
        links, and give each file once, also in a symlink loop.
        FileNotFoundError for a path that does not exist, or a directory or
        glob without a file.

        The files are read as they are tokenized, a batch of a few MB at a
        time a thread, so memory holds the corpus being built and little
        more (a file is read whole). With ``encoding="utf-8"`` and
        ``errors="strict"`` the bytes go to the core untouched, which checks
        that they are UTF-8; otherwise Python's codec decodes them with
        ``errors`` (e.g. ``"replace"``; a handler that cannot decode, such
        as ``"namereplace"``, is a ValueError before any file is read).
        ``encoding`` may be a list, e.g. ``["utf-8", "cp1252"]`` for a
        folder of mixed encodings: each file is decoded by the first that
        decodes it strictly, the last taking ``errors``, and the metadata
        gets a column ``"encoding"`` naming the one used for each file (a
        list and a metadata column of that name are a ValueError). A file
        that cannot be decoded raises ``kwiq.FileDecodeError``, a
        UnicodeDecodeError whose message names the file and the byte offset
        (``.path``, ``.start``) and says which arguments would read it; when
        several cannot, the first in corpus order. Its traceback ends here,
        at this call, rather than in kwiq's build machinery.

        ``ids``: ``"path"`` (the path as str: as given, and for a file found
        below a directory, its path relative to that directory), ``"name"``
        (the file's name), ``"index"`` (0, 1, ...) or a function of the path
        (a ``pathlib.Path`` that opens it) giving each file's id. Ids must
        be distinct (ValueError otherwise).

        ``threads`` and ``lemmatize`` as for ``Corpus()``. ``progress``: a
        progress bar (tqdm, on standard error) when the build takes longer
        than a second.
        ``metadata`` as for ``Corpus()``, one row per file in corpus order
        (or a function of the path giving each file's row, a dict).
        """
        _files.check_codec(encoding, errors)
        languages = _lemma.check(lemmatize)
        files = _files.expand(paths, include)
        _files.warn_skipped(files, include, stacklevel=2)
        if callable(metadata):
            metadata = [metadata(Path(path)) for path in files.paths]
        try:
            return of_files(
                cls,
                files.paths,
                files.paths,
                encoding,
                errors,
                file_ids(files, ids),
                threads,
                progress,
                metadata,
                languages,
            )
        except FileDecodeError as error:
            # The file is at fault, not kwiq's machinery that met it.
            raise error.with_traceback(None) from None

    @classmethod
    def from_conllu(
        cls,
        paths: PathLike | Iterable[PathLike],
        *,
        attrs: Sequence[str] | None = None,
        progress: bool = True,
        include: str | Sequence[str] = _annotated.CONLLU_INCLUDE,
    ) -> Corpus:
        """An annotated corpus of CoNLL-U files (Universal Dependencies),
        read in C a file at a time, with the GIL released.

        Which rows are tokens, and what they hold:

        - Tokens are the syntactic words: the rows whose ID is an integer. A
          multiword token's range row (``4-5 im`` over ``in`` + ``dem``) is not
          a token; each of its words keeps its own form as ``word`` and has the
          character span of the whole surface token, since the text holds "im".
          Empty nodes (``8.1``) are left out.
        - Attributes: ``lemma``, ``upos``, ``xpos``, ``feats``, ``deprel`` and
          ``head``, the columns as written, or those of them ``attrs`` names (in
          its order; each costs memory). A column that is exactly ``_`` is the
          empty string, except FORM (``_`` is an underscore token) and the
          LEMMA of an underscore token.
        - The text of a document is rebuilt from the surface forms (a
          multiword token's, or a word's outside one), a space after each
          unless its MISC says ``SpaceAfter=No``, none after a sentence's last
          token, and a line break between sentences: each sentence's line is
          its ``# text``.
        - Structures: ``s``, each sentence; ``p``, paragraphs, each starting at
          a document's first sentence or at a sentence with ``# newpar`` and
          running to the next start (a document without ``# newpar`` is one
          paragraph).
        - Documents: ``# newdoc`` starts one, its id the ``id =`` value; the
          sentences before a file's first ``# newdoc`` (all of a file without
          one) are a document without id. A document without id is named as
          ``from_files`` names its file, followed by ``#k`` (its number in the
          file, from 1) when the file holds more than one document.

        ``paths`` are read as ``from_files`` reads them (files, directories,
        globs), a directory's files matching ``include``. A progress bar
        (tqdm) shows for reads longer than a second, unless
        ``progress=False``. FormatError ``"FILE, line N: what"`` for
        malformed input (rows without 10 tab-separated columns, a bad ID, a
        multiword token whose range does not match the words after it, a
        last sentence without its closing blank line, bytes that are not
        UTF-8) and for an id given twice; nothing is built then.
        """
        index, ids = _annotated.read_conllu(paths, as_bool(progress, "progress"), include, attrs)
        return of_index(cls, index, ids, None)

    @classmethod
    def from_vrt(
        cls,
        paths: PathLike | Iterable[PathLike],
        attrs: Sequence[str] = (),
        *,
        structures: Sequence[str] = _annotated.VRT_STRUCTURES,
        metadata: bool = True,
        progress: bool = True,
        include: str | Sequence[str] = _annotated.VRT_INCLUDE,
    ) -> Corpus:
        """An annotated corpus of VRT files: CWB's vertical text, as
        CQPweb, Sketch Engine and NoSketch Engine exchange it, read in C a
        file at a time with the GIL released.

        - A line is markup when it starts (after any spaces) with ``<`` and
          a letter, ``/``, ``?`` or ``!``; every other line that is not
          blank is a token, so ``<``, ``<3`` and ``&amp;`` are tokens as
          written. A token line's columns, separated by tabs, are its
          attributes: the first is ``word``, and ``attrs`` names the others
          in order, e.g. ``["lemma", "upos"]``, as ``cwb-encode -P`` does
          (a list that starts with ``word``, naming every column as CQPweb
          lists them, means the same). Values are taken as written: no XML
          entity is decoded and ``_`` is not the empty string (an empty
          column is). Every token counts as a token.
        - Tags stand alone on their lines: ``<name a="v" ...>``,
          ``</name>`` and ``<g/>``; ``<?...>`` and ``<!...>`` lines
          (declarations, one-line comments) are skipped. ``<text>`` is a
          document; ``structures`` (default ``s`` and ``p``) name the
          elements that become structures, the regions of tokens they
          enclose (their XML attributes are not kept). ``<g/>`` ("glue")
          says the tokens around it have no space between them. Elements
          nest, one of each name open at a time.
        - Documents: each ``<text>`` element, its ``id`` attribute its id
          and its other attributes its metadata (strings, XML entities
          decoded; pandas needed, or ``metadata=False`` to leave them out).
          A file without ``<text>`` is one document; a file with ``<text>``
          has no token or structure outside one. A document without id is
          named as ``from_files`` names its file, followed by ``#k`` (its
          number in the file, from 1) when the file holds more than one.
        - The text of a document is rebuilt from the words: between two
          tokens a line break if a tag of ``s`` or ``p`` stands between
          them (so each sentence is a line, as from CoNLL-U), else nothing
          if ``<g/>`` does, else a space.

        ``paths``, ``include`` (default ``*.vrt``) and ``progress`` as
        ``from_conllu`` takes them. FormatError ``"FILE, line N: what"``
        for malformed input (a token line with too few or too many
        columns, or an empty word; a malformed tag, an unknown element,
        tags that do not nest, a closing tag of no open element, an element
        left open at the end of the file, tokens outside ``<text>`` in a
        file of ``<text>`` elements, bytes that are not UTF-8, an attribute
        given twice in a ``<text>`` tag) and for an id given twice; nothing
        is built then. ValueError for repeated or reserved names.
        """
        index, ids, rows = _annotated.read_vrt(
            paths, attrs, structures, as_bool(progress, "progress"), include
        )
        keep = as_bool(metadata, "metadata") and rows is not None
        return of_index(cls, index, ids, _metadata.check(rows, len(ids)) if keep else None)

    @classmethod
    def from_spacy(
        cls,
        docs: Iterable[Any],
        attrs: Sequence[str] | None = None,
        *,
        ids: Iterable[Hashable] | None = None,
        metadata: Any = None,
        progress: bool = True,
    ) -> Corpus:
        """An annotated corpus of spaCy Docs (e.g. ``nlp.pipe(texts)``),
        one document a Doc, each read at once (``Doc.to_array``) and added
        in C with the GIL released.

        - The text of a document is ``doc.text``; its tokens are the Doc's
          tokens except whitespace tokens (``token.is_space``), each with
          the span ``token.idx .. token.idx + len(token.text)`` and the word
          ``token.text``.
        - Attributes: ``lemma`` (``lemma_``), ``upos`` (``pos_``), ``xpos``
          (``tag_``), ``feats`` (``str(morph)``), ``deprel`` (``dep_``),
          ``head`` and ``ner`` (``ent_type_``, without the IOB part); all
          by default, or those ``attrs`` names, in its order. ``head`` is
          CoNLL-U's HEAD: the number of the token's head in its sentence,
          counting tokens from 1, ``0`` for a root. A value the Doc does not
          have (no lemmatizer; ``head`` of a Doc without dependencies) is
          the empty string.
        - Structures: ``s``, the Doc's sentences (``doc.sents``) when it
          has sentence boundaries (set by hand, a sentencizer or a parser);
          a Doc without has no ``s`` regions. Sentences of whitespace only
          are left out.

        ``ids`` and ``metadata`` as ``Corpus()`` takes them (ids ``0 ..
        n-1`` by default). A progress bar (tqdm) shows for builds longer
        than a second, unless ``progress=False``. TypeError for an item
        that is not a Doc; FormatError naming the Doc's index for a Doc
        from another Vocab than the first; nothing is built then.
        """
        index, n_docs = _spacy.read_spacy(docs, attrs, as_bool(progress, "progress"))
        ids = check_ids(ids, n_docs)
        return of_index(cls, index, ids, _metadata.check(metadata, n_docs))

    def save(self, path: PathLike) -> None:
        """Write the corpus to ``path`` as one file that ``Corpus.load``
        reads back in a fraction of the time a build takes.

        The file holds the text, the index and the ids; the same corpus
        always gives the same bytes. It is written under a temporary name
        beside ``path`` and then renamed over it, so a file at ``path`` is
        never left half written, nor written into in place, and a corpus
        loaded from it keeps working. A symbolic link at ``path`` is written
        through: its target is replaced, the link stays a link. Only a
        regular file is replaced: a directory, a FIFO or a device at
        ``path`` is refused (OSError) before anything is written.
        Ids must be str, int, float, bool, None or tuples of them (TypeError
        otherwise, before anything is written); so must metadata values,
        which the file keeps with each column's dtype.

        A view (``subset``, ``where``) saves only its documents, with their
        ids and metadata: the file is the one ``Corpus`` would save if
        built from those documents alone, which costs a build of them (a
        plain corpus's texts are tokenized anew; an annotated one's tokens,
        attributes and structures are copied).
        """
        view = self._index_view
        if view.docs is not None:
            self._standalone().save(path)
            return
        metadata = None if view.metadata is None else _metadata.encode(view.metadata)
        _saved.write(view.index, _saved.encode_ids(view.ids, metadata), path)

    @classmethod
    def load(cls, path: PathLike, mmap: bool = True) -> Corpus:
        """The corpus saved at ``path`` by ``save``, answering every query
        exactly as the saved one did.

        Every byte of the file is checked first (the layout, a checksum per
        section, every count, offset and id): a file that is not a saved
        corpus, is cut short, damaged, or of a newer format raises
        ``kwiq.FormatError`` naming what is wrong. Only a regular file is
        read: a FIFO or a device is refused (OSError) before it is opened.

        ``mmap=True`` (the default) maps the file and reads it in place:
        loading costs little more than the check, and the pages are shared
        with the page cache and other processes. The corpus keeps the
        mapping while it, or a Concordance of it, lives, and the file must
        stay as it is meanwhile: replacing it (a rename over it, as
        ``save`` and most tools that save do, or deleting it) is safe, but
        writing into it (``cp other.kwiq path``, which truncates and
        rewrites the same file) kills the process with SIGBUS or SIGSEGV.
        ``mmap=False`` reads the file into memory of the corpus's own, so
        nothing done to the file afterwards can touch it; it costs a read
        of the whole file and its size in memory.
        """
        mapped = as_bool(mmap, "mmap")
        index, blob, checksum = _saved.read(path, mapped)
        try:
            ids, metadata = _saved.decode_ids(blob, index.n_docs)
            if metadata is not None:
                metadata = _metadata.decode(metadata, index.n_docs)
        except FormatError as error:
            raise FormatError(f"{os.fspath(path)}: {error}") from None
        return of_view(
            cls,
            IndexView.whole(
                index, ids, metadata, ("file", os.path.abspath(os.fspath(path)), checksum, mapped)
            ),
        )

    @property
    def n_docs(self) -> int:
        """Number of documents."""
        view = self._index_view
        return view.index.n_docs if view.docs is None else len(view.docs)

    @property
    def n_tokens(self) -> int:
        """Number of tokens, words and punctuation."""
        view = self._index_view
        if view.docs is None:
            return view.index.n_tokens
        lengths = memoryview(view.index.doc_lengths()).cast("I")
        return sum(lengths[d] for d in view.docs)

    @property
    def ids(self) -> tuple[Hashable, ...]:
        """The document ids, in order."""
        view = self._index_view
        if view.docs is None:
            return tuple(view.ids)
        return tuple(view.ids[d] for d in view.docs)

    @property
    def metadata(self) -> pandas.DataFrame:
        """The metadata as a new pandas DataFrame: one row per document, in
        corpus order, indexed by the document ids (an index named ``doc``,
        as the ``doc`` column of concordances), one column per metadata
        column (none when the corpus was given no metadata)."""
        pd = _metadata.pandas()
        view = self._index_view
        index = (
            pd.Index(list(self.ids), name="doc", tupleize_cols=False, dtype=object)
            if any(isinstance(doc_id, tuple) for doc_id in view.ids)
            else pd.Index(list(self.ids), name="doc")
        )
        if view.metadata is None:
            empty: pandas.DataFrame = pd.DataFrame(index=index)
            return empty
        rows = view.metadata if view.docs is None else view.metadata.take(view.docs)
        frame: pandas.DataFrame = rows.copy()
        frame.index = index
        return frame

    def __len__(self) -> int:
        return self.n_docs

    def __reduce__(
        self,
    ) -> tuple[Callable[[type[Corpus], IndexView], Corpus], tuple[type[Corpus], IndexView]]:
        # As its IndexView travels (IndexView.__reduce__): a loaded corpus
        # by its file, a built one by its saved bytes, a view as its corpus
        # and its documents.
        return (of_view, (type(self), self._index_view))

    def __copy__(self) -> Corpus:
        copied = object.__new__(type(self))
        copied.__dict__.update(self.__dict__)
        return copied

    def __repr__(self) -> str:
        documents = "document" if self.n_docs == 1 else "documents"
        view = self._index_view
        of = "" if view.docs is None else f" (a view of {view.index.n_docs:,})"
        return f"<kwiq.Corpus: {self.n_docs:,} {documents}{of}, {self.n_tokens:,} tokens>"

    def text(self, doc: Hashable) -> str:
        """The text of the document with id ``doc``."""
        return self._index_view.index.doc_text(self._doc_number(doc))

    def _doc_number(self, doc: Hashable) -> int:
        view = self._index_view
        position = view.shared.position(doc)
        if view.mask is not None and not view.mask[position]:
            raise KeyError(f"document {doc!r} is not in this view")
        return position

    # ---- annotation (kwiq._annotated) ----

    @property
    def attributes(self) -> tuple[str, ...]:
        """The names of the token attributes: ``word`` first, then those
        of an annotated source (``lemma``, ``upos``, ...)."""
        return self._index_view.index.attributes()

    @property
    def structures(self) -> tuple[str, ...]:
        """The names of the structures: ``text`` (the documents) first,
        then those of an annotated source (``s``, ``p``, ...), or on plain
        text ``s`` and ``p``: the stretches between the sentence ends and
        between the paragraph breaks of ``kwic``'s ``bound`` (a paragraph
        break ends a sentence too), found when first asked for."""
        return self._index_view.index.structures()

    def tokens(self, doc: Hashable, attr: str = "word") -> list[str]:
        """The value of attribute ``attr`` of each token of document
        ``doc``, in order. ValueError listing the attributes for an unknown
        one."""
        return _annotated.doc_values(self._index_view.index, self._doc_number(doc), attr)

    def regions(self, structure: str, doc: Hashable) -> list[tuple[int, int]]:
        """The regions of ``structure`` (e.g. ``"s"``) in document
        ``doc``: ``(start, end)`` token positions within it, end exclusive,
        as hits count them. ValueError listing the structures for an
        unknown one."""
        return _annotated.doc_regions(self._index_view.index, self._doc_number(doc), structure)

    # ---- views over some documents ----

    def subset(self, mask_or_ids: Any) -> Corpus:
        """A view over some documents of this corpus (or view): a Corpus
        that every method accepts, answering as a Corpus built from those
        documents alone would (same ids, same lines, same counts and
        statistics), without copying the text or the index: queries run on
        the whole index and the core keeps only the hits in the chosen
        documents, and counts read only their token ranges.

        ``mask_or_ids``: a mask, one bool per document of this corpus or
        view (a list, a numpy array or a pandas Series of bool; ValueError
        for a wrong length), or else ids of its documents (KeyError for one
        it has not). A non-empty sequence of bools only is a mask (so ids
        that are all bools cannot be chosen by id). The view keeps corpus
        order whatever the order given; repeated ids count once.
        """
        view = self._index_view
        docs = view.doc_numbers()
        items = as_items(mask_or_ids)
        if is_mask(items, len(docs)):
            chosen = [d for d, keep in zip(docs, items) if keep]
        else:
            wanted = set()
            for doc_id in items:
                position = view.shared.position(doc_id)
                if view.mask is not None and not view.mask[position]:
                    raise KeyError(f"document {doc_id!r} is not in this view")
                wanted.add(position)
            chosen = sorted(wanted)
        return self._of_docs(chosen)

    def where(self, **equalities: Any) -> Corpus:
        """A view (as ``subset`` makes) over the documents whose metadata
        has ``column == value`` for every keyword given; a collection (a
        list, tuple, set, range, array: any iterable but a str) means "is
        one of these", and None means "is missing" (NaN or None). ``corpus.where(author="Austen",
        year=[1811, 1813])``. ValueError for a column the metadata has not;
        no keyword gives a view of every document."""
        view = self._index_view
        names = _metadata.column_names(view.metadata, list(equalities), "where()")
        if not names:
            return self._of_docs(view.doc_numbers())
        frame = view.metadata if view.docs is None else view.metadata.take(view.docs)
        keep = _metadata.matching(frame, equalities)
        return self._of_docs([d for d, k in zip(view.doc_numbers(), keep.tolist()) if k])

    def _of_docs(self, docs: list[int]) -> Corpus:
        """The view of this corpus's documents numbered ``docs`` (sorted)."""
        view = object.__new__(type(self))
        view.__dict__.update(self.__dict__)
        view._index_view = self._index_view.of_docs(docs)
        return view

    def _standalone(self) -> Corpus:
        """A Corpus built from this view's documents alone."""
        view = self._index_view
        metadata = None if view.metadata is None else view.metadata.take(view.doc_numbers())
        if view.index.annotated():
            index = _annotated.copy_documents(view.index, view.doc_numbers())
            return of_view(Corpus, IndexView.whole(index, list(self.ids), metadata))
        texts = [view.index.doc_text(d) for d in view.doc_numbers()]
        return Corpus(texts, list(self.ids), metadata)

    def kwic(
        self,
        query: str | Iterable[str],
        window: Window = 5,
        case: bool | None = None,
        *,
        width: int | None = None,
        bound: str | None = None,
        meta: str | Iterable[str] | None = None,
        show: str | Iterable[str] | None = None,
        syntax: str = "plain",
        strategy: str = "longest",
    ) -> Concordance:
        """Keyword-in-context lines for ``query``, in the query language of
        docs/guide/queries.md: words, phrases, globs (``peace*``), ``*`` for any word
        and ``/regex/``. A list of queries gives one Concordance whose
        ``query`` column (in DataFrames) says which query found each line.
        ``case=True`` matches the exact case, otherwise (``False``, the
        default) case-folded forms.

        ``syntax="cql"``: the queries are CQL, the query language of
        CWB/CQP (README, "CQL"): ``[lemma="go"] [upos="ADP"]``,
        ``[upos="ADJ"]+ [upos="NOUN"] within s``. Every token counts,
        punctuation too, and matching is case-sensitive, as in CQP: a value
        followed by ``%c`` is matched case-insensitively, so ``case=`` does
        not apply, and giving it raises ValueError. ``strategy`` says which
        matches of a variable-length query are hits: ``"longest"`` (every
        match not contained in a longer one), ``"shortest"`` (every match
        containing no shorter one) or ``"all"``. A line's ``start`` and
        ``end`` are the match's token positions in its document.

        How much context each line shows:

        - ``window``: words of context on each side, or a ``(left, right)``
          pair for uneven sides; punctuation inside the window is shown but
          not counted.
        - ``width``: characters instead of words. Each side holds as many
          whole tokens as fit in ``width`` characters of the text as written
          (counted from the match outward, the white space between
          included; a run of white space shown as one space still counts
          as written). A token is never cut. When ``width`` is given,
          ``window`` is ignored.
        - ``bound``: ``"paragraph"`` stops the contexts at a blank line (two
          line breaks between two tokens, other white space allowed between
          them). ``"sentence"`` also stops them at a sentence end: ".", "!"
          or "?" followed by white space and a token that starts with an
          upper-case letter (category Lu or Lt), except a "." written right
          after an initial ("J.") or one of the abbreviations Mr Mrs Ms
          Messrs Mme Mlle Dr Prof Rev Hon St Mt Jr Sr Gen Col Capt Lt Sgt
          Gov Sen Rep vs (in any case). A quote or bracket between the mark
          and the next word hides the sentence end. The sentence's closing
          mark is shown in the right context. A bound only shortens what
          ``window`` or ``width`` give. On plain text the structures ``s``
          and ``p`` are the stretches between these boundaries, so
          contexts and CQL's ``within s`` agree. On an annotated corpus with
          sentences (the structure ``s``, ``corpus.structures``), the
          contexts stop at the edges of those instead, whatever the text
          says, and ``"paragraph"`` at the edges of its ``p`` regions if it
          has them: a context never holds a token of another region (or of
          the stretch between two regions) than the match's first token, on
          the left, or its last token, on the right.

        ``meta``: metadata columns (a name or a list of names) each line
        carries after its Line fields: lines are then of a Line subclass
        made for this concordance, with one more field per column
        (``line.year``), and the exports and the HTML view show them.
        Columns used so must be named as Python identifiers (not starting
        with ``_``) other than the Line fields and ``query``; ValueError
        for a column the metadata has not or such a name.

        ``show``: token attributes (a name or a list of names of
        ``corpus.attributes``) shown after each word, as CQPweb shows
        tagged text: the left context, the match and the right context are
        then each their tokens written ``form/value`` (``form/lemma/upos``
        with two attributes, in the order given), the word form as the
        corpus has it, joined by one space, e.g. ``"the/DET war/NOUN"``.
        The contexts hold the same tokens as without ``show``; the text's
        own spacing is not kept, and a value holding "/" is written as it
        is. Lines, the text and HTML views and every export (to_pandas,
        to_csv, to_json) show the tokens so; ``char_start``/``char_end``
        still locate the match in the text. ValueError listing the
        attributes for an unknown one.

        Raises TypeError or ValueError for a bad argument; QueryError (a
        ValueError) for a query with no token, or a malformed CQL query.
        """
        queries = query_list(query)
        left, right = window_sides(window)
        case, strategy_code = query_options(syntax, case, strategy)
        context = (left, right, _check_width(width), _check_bound(bound))
        view = self._index_view
        meta_names = _metadata.line_columns(view.metadata, meta)
        shown = attribute_names(view.index, show, "show")
        window = (left, right) if isinstance(window, (tuple, list)) else left
        return Concordance(
            view.find(queries, case, strategy_code),
            view,
            query=query if isinstance(query, str) else queries,
            queries=queries,
            window=window,
            case=case,
            width=width,
            bound=bound,
            context=context,
            meta=meta_names,
            show=shown,
        )

    def explore(
        self,
        query: str | None = None,
        *,
        window: int = 5,
        case: bool = False,
        page_size: int = PAGE_SIZE,
        syntax: str = "plain",
    ) -> Explorer:
        """An interactive concordance of this corpus in a notebook (a
        widget: kwiq._explorer.Explorer says what it does), showing
        ``query`` (in ``syntax``, "plain" or "cql") if given. Needs
        anywidget (``pip install 'kwiq[explore]'``)."""
        return _explore.explorer_class()(
            self, query, window=window, case=case, page_size=page_size, syntax=syntax
        )

    # ---- counts and statistics, made by kwiq._analysis over this corpus's
    # IndexView ----

    def freq(
        self,
        case: bool = False,
        min_count: int = 1,
        punctuation: bool = False,
        *,
        attr: str = "word",
    ) -> pandas.DataFrame:
        """A frequency list: a DataFrame with columns ``word, count,
        per_million, docs``, one row per word seen at least ``min_count``
        times, sorted by ``count`` descending, then ``word`` in code-point
        order (not a locale's collation).

        - ``word``: the case-folded form (``case=False``: "Peace" and "peace"
          are one word, "peace"), or the form as written (``case=True``).
        - ``count``: its tokens in the corpus.
        - ``per_million``: ``count / total * 1,000,000``, where ``total`` is
          the number of tokens counted: every word token, or (with
          ``punctuation=True``) every token, words and punctuation. The rows
          dropped by ``min_count`` still count in ``total``.
        - ``docs``: the documents in which it occurs at least once.

        Punctuation tokens are listed only with ``punctuation=True``.

        ``attr`` counts another token attribute (``corpus.attributes``, e.g.
        ``"lemma"`` or ``"upos"``) in place of the word: its values as
        written (``case`` applies to the word alone), the first column named
        after it; a token is punctuation or a word by its word form, as
        everywhere. ``ngrams``, ``clusters``, ``collocates`` and ``keyness``
        take ``attr`` with this meaning. ValueError listing the attributes
        for an unknown one.

        The counts are made once per corpus (or view) and case, and the whole
        list once per ``case`` and ``punctuation``; the corpus keeps them (its
        index never changes), so a later call costs a copy of the kept rows.
        """
        return _analysis.freq(self._index_view, case, min_count, punctuation, attr)

    def ngrams(self, n: int, min_count: int = 2, *, attr: str = "word") -> pandas.DataFrame:
        """N-grams: a DataFrame with columns ``ngram, count, docs``, one row per
        sequence of ``n`` consecutive words (1 <= n <= 8) seen at least
        ``min_count`` times, sorted by ``count`` descending, then ``ngram`` in
        code-point order.

        An n-gram lies within one document and never across a punctuation
        token (as a phrase query never crosses one): "war, peace" holds no
        bigram. Words are case-folded; ``ngram`` is the words joined by one
        space; ``docs`` the documents in which it occurs. ``attr``: as in
        ``freq`` (``"upos"`` gives part-of-speech n-grams).
        """
        return _analysis.ngrams(self._index_view, n, min_count, attr)

    def clusters(
        self,
        query: str | Iterable[str],
        n: int,
        side: str = "right",
        *,
        case: bool | None = None,
        min_count: int = 1,
        syntax: str = "plain",
        strategy: str = "longest",
        attr: str = "word",
    ) -> pandas.DataFrame:
        """Clusters as AntConc makes them: a DataFrame with columns ``cluster,
        count``, sorted by ``count`` descending, then ``cluster`` in code-point
        order.

        ``query`` is found as ``kwic`` finds it (the query language, ``case``,
        ``syntax`` and ``strategy`` as there, a list of queries). A cluster is
        ``n`` tokens (1 <= n <= 8): the match, then (``side="right"``) or
        before it (``side="left"``) as many consecutive words of its document
        as make ``n`` tokens, with no punctuation among those words or between
        them and the match. A match with no such words (at a document edge or
        before punctuation), or longer than ``n`` tokens, makes no cluster.
        ``cluster`` is the case-folded tokens joined by one space, so a glob's
        matches give several clusters ("peace of", "peaceful relations", ...).
        Clusters seen fewer than ``min_count`` times are dropped. ``attr``: as
        in ``freq``.
        """
        case, strategy_code = query_options(syntax, case, strategy)
        return _analysis.clusters(
            self._index_view,
            query,
            n,
            side,
            case=case,
            min_count=min_count,
            strategy=strategy_code,
            attr=attr,
        )

    def collocates(
        self,
        query: str | Iterable[str],
        window: int | tuple[int, int] = 5,
        left: int | None = None,
        right: int | None = None,
        min_count: int = 2,
        measures: Sequence[str] = COLLOCATION_MEASURES,
        *,
        case: bool | None = None,
        counting: str = "positions",
        syntax: str = "plain",
        strategy: str = "longest",
        attr: str = "word",
    ) -> pandas.DataFrame:
        """Collocates of ``query``: a DataFrame with columns ``word, observed,
        expected``, then one column per measure named as in ``measures``, one
        row per word seen at least ``min_count`` times in the windows, sorted
        by the first measure descending (then ``observed`` descending, then
        ``word``; by ``observed`` when ``measures`` is empty).

        ``query`` is found as ``kwic`` finds it (``case``, ``syntax`` and
        ``strategy`` as there). Each match's window holds the
        ``left`` words before it and the ``right`` words after it (both
        ``window`` unless given; ``window`` may also be a ``(left, right)``
        pair, as in ``kwic``), inside its document; punctuation is skipped
        and not counted, as kwic windows count words; the match's own tokens
        are not in its window (another match's may be). Words are
        case-folded.

        ``counting`` says how windows are counted, and so which marginal
        stands for the node:

        - ``"positions"`` (the default; Evert 2008, surface cooccurrence):
          a token inside the windows of several matches is counted once,
          and R1 is the window positions (below). Every word token of the
          corpus falls in one cell of the table, so every measure is that
          of a true contingency table.
        - ``"windows"``: each match's window is counted on its own (a token
          in two windows counts twice) and R1 is the node's frequency, the
          matches (``hits``), as conc, AntConc and Sketch Engine count:
          ``mi`` is then ``log2(O11 * N / (hits * C1))`` and ``logdice``
          ``14 + log2(2 * O11 / (hits + C1))``, the numbers those tools
          give on the same tokens (conc's exactly: tests/test_compare_tools.py).
          They come out about ``log2(R1 / hits)`` above the positions'.
          The windows then make no table of four cells (O11 may exceed
          R1), so ``ll`` is Evert's simple-ll, ``2 * (O11 * ln(O11 / E11)
          - (O11 - E11))``, signed as below; the other measures read O11,
          E11, R1 and C1 as written.

        The contingency table (Evert 2008, surface cooccurrence) classifies
        every word token of the corpus: in a window or not, the collocate or
        not::

                            collocate    other words
            in a window     O11          O12            R1
            elsewhere       O21          O22            R2
                            C1           C2             N

        - ``N``: the word tokens of the corpus;
        - ``R1``: the window positions actually observed: distinct word tokens
          inside at least one window (fewer than ``hits * (left + right)`` at
          document edges and where windows overlap); with
          ``counting="windows"``, the matches;
        - ``C1``: the collocate's frequency, its tokens in the whole corpus;
        - ``O11`` (``observed``): its tokens inside the windows (with
          ``counting="windows"``, once for each window a token is in);
        - ``E11`` (``expected``) ``= R1 * C1 / N``, and
          ``Eij = Ri * Cj / N`` for the other cells.

        Measures (Evert 2005, 2008; logDice from Rychlý 2008), logs to base 2
        except in ``ll``:

        - ``mi``: ``log2(O11 / E11)``
        - ``mi3``: ``log2(O11 ** 3 / E11)``
        - ``t``: ``(O11 - E11) / sqrt(O11)``
        - ``z``: ``(O11 - E11) / sqrt(E11)``
        - ``ll``: ``2 * sum(Oij * ln(Oij / Eij))`` over the four cells
          (``0 ln 0 = 0``), negated where ``O11 < E11`` (signed log-likelihood)
        - ``dice``: ``2 * O11 / (R1 + C1)``
        - ``logdice``: ``14 + log2(dice)``; R1 stands for Rychlý's f(x), the
          node's frequency, as in Evert's Dice.

        ``frame.attrs`` holds ``N``, ``R1`` and ``hits`` (the matches).

        ``attr`` (as in ``freq``) counts the collocates' values of that
        attribute, e.g. ``"lemma"``, in a column named after it; the
        windows are the same, and ``N`` and ``C1`` count word tokens.
        """
        case, strategy_code = query_options(syntax, case, strategy)
        return _analysis.collocates(
            self._index_view,
            query,
            window,
            left,
            right,
            min_count,
            measures,
            case=case,
            counting=counting,
            strategy=strategy_code,
            attr=attr,
        )

    def keyness(
        self,
        reference: Corpus,
        measures: Sequence[str] = KEYNESS_MEASURES,
        *,
        case: bool = False,
        punctuation: bool = False,
        attr: str = "word",
    ) -> pandas.DataFrame:
        """``kwiq.keyness(self, reference, ...)``: the keywords of this corpus
        against ``reference``, as its docstring says."""
        return _analysis.keyness(
            self, reference, measures, case=case, punctuation=punctuation, attr=attr
        )

    def dispersion(
        self,
        query: str | Iterable[str],
        *,
        case: bool | None = None,
        syntax: str = "plain",
        strategy: str = "longest",
    ) -> pandas.DataFrame:
        """Where ``query`` occurs: a DataFrame with columns ``doc, position,
        relative``, one row per match (as ``kwic`` finds them, ``case``,
        ``syntax`` and ``strategy`` as there), in corpus order. ``doc`` is the
        document's id, ``position`` the match's first token's position in it
        (``Line.start``), ``relative`` that position divided by the
        document's length in tokens (0 <= relative < 1)."""
        case, strategy_code = query_options(syntax, case, strategy)
        return _analysis.dispersion(self._index_view, query, case=case, strategy=strategy_code)

    def plot_dispersion(
        self,
        queries: str | Iterable[str],
        *,
        case: bool | None = None,
        scale: str = "relative",
        syntax: str = "plain",
        strategy: str = "longest",
    ) -> Figure:
        """A lexical dispersion plot (an "x-ray" plot, as quanteda's
        textplot_xray draws it): one panel per query (a str or a list of
        str, each found as ``kwic`` finds it), titled with the query and its
        matches, and in each a row per document, a vertical tick at each
        match. The rows are the documents with a match of any query, those
        with the most matches first (ties in corpus order), at most
        kwiq._analysis.PLOT_MAX_ROWS rows in all panels together, so the
        figure keeps a readable height; the title says when documents were
        left out. Documents are named as the concordance views name them
        (kwiq._views.doc_labels). ``scale="relative"`` puts each match at
        ``position / document length`` (0 to 1), ``"absolute"`` at its
        token position. Returns a ``matplotlib.figure.Figure`` that a
        notebook shows as a PNG without pyplot or ``%matplotlib``;
        ``fig.savefig(path)`` writes it. Needs matplotlib.
        """
        case, strategy_code = query_options(syntax, case, strategy)
        return _analysis.plot_dispersion(
            self._index_view, queries, case=case, scale=scale, strategy=strategy_code
        )


def kwic(
    texts: str | Iterable[str],
    query: str | Iterable[str],
    window: Window = 5,
    case: bool | None = None,
    *,
    width: int | None = None,
    bound: str | None = None,
    syntax: str = "plain",
    strategy: str = "longest",
) -> Concordance:
    """One-shot KWIC over one text or a list of texts: ``window`` words each
    side or a ``(left, right)`` pair, or ``width`` characters each side;
    ``bound`` "sentence" or "paragraph" stops contexts there; ``syntax`` and
    ``strategy`` for CQL (see Corpus.kwic)."""
    corpus = Corpus([texts] if isinstance(texts, str) else texts)
    return corpus.kwic(
        query, window=window, case=case, width=width, bound=bound, syntax=syntax, strategy=strategy
    )


def sample() -> Corpus:
    """The embedded corpus: Chairman Khrushchev's letter to President
    Kennedy of 28 October 1962, one document with its file name as id."""
    # One name a joinpath: Python 3.10's Traversable takes no more.
    text = (
        resources.files("kwiq").joinpath("data").joinpath(SAMPLE_NAME).read_text(encoding="utf-8")
    )
    return Corpus([text], ids=[SAMPLE_NAME])


def tokenize(text: str) -> list[str]:
    """The tokens of ``text`` as the index sees them, in their written form."""
    return [text[start:end] for start, end, _ in _core.tokenize(text)]


def index_view(corpus: Corpus) -> IndexView:
    """What the corpus (or view) is over its index, for the code that reads
    it on its behalf: its counts (kwiq._analysis) and kwiq.dask's tasks."""
    return corpus._index_view


def of_view(cls: type[Corpus], view: IndexView) -> Corpus:
    """A ``cls`` that is ``view``, as Corpus.__reduce__ sends it."""
    corpus = cls.__new__(cls)
    corpus._index_view = view
    return corpus


def of_index(cls: type[Corpus], index: _core.Index, ids: list[Hashable], metadata: Any) -> Corpus:
    """A whole corpus (a ``cls``) over an index built or loaded elsewhere,
    with every document's id and metadata (checked), by number."""
    corpus = cls.__new__(cls)
    corpus._set(index, ids, metadata)
    return corpus


def of_files(
    cls: type[Corpus],
    files: list[str],
    names: list[str],
    encoding: str,
    errors: str,
    ids: Sequence[Hashable] | None,
    threads: int | None,
    progress: bool,
    metadata: Any = None,
    languages: tuple[str, ...] | None = None,
) -> Corpus:
    """The corpus (a ``cls``) of files ("-": standard input), as
    Corpus.from_files builds it, names[i] naming file i in errors, with
    lemmas in ``languages`` (checked by _lemma.check) unless None."""
    raw = _files.check_codec(encoding, errors)
    threads = _build.check_threads(threads)
    ids = check_ids(ids, len(files))
    metadata = _metadata.check(metadata, len(files))
    # The encoding of each file, kept as metadata when there was a choice.
    used = None if isinstance(encoding, str) else [None] * len(files)
    if used is not None and metadata is not None and ENCODING_COLUMN in metadata.columns:
        raise ValueError(
            f"a list of encodings adds the metadata column {ENCODING_COLUMN!r}, "
            "which the metadata has already"
        )
    sizes = [0 if path == "-" else os.stat(path).st_size for path in files]
    load = _files.reader(files, encoding, errors, raw, names, used)

    def describe(i: int, error: BaseException) -> BaseException:
        if isinstance(error, UnicodeDecodeError):
            return _files.utf8_error(names[i], error.object, error.start)
        return UnicodeEncodeError(
            "utf-8",
            "",
            0,
            0,
            f"{names[i]}: decoding with errors={errors!r} made a lone "
            "surrogate, which a corpus cannot hold",
        )

    bar = _build.Progress(sum(sizes), bool(progress))
    try:
        index = _build.build(sizes, load, describe, threads, bar)
        if languages is not None:
            bar.note("lemmatizing")
            _lemma.add(index, languages)
    except FileDecodeError as error:
        # Its context, the codec's error it replaces, holds the whole file.
        error.__context__ = None
        raise
    finally:
        bar.close()
    if used is not None:
        metadata = _metadata.with_column(metadata, ENCODING_COLUMN, used, len(files))
    return of_index(cls, index, ids, metadata)


def is_mask(items: list[Any], n_docs: int) -> bool:
    """Whether subset() was given a mask (a non-empty list of bools only)
    rather than ids; ValueError for a mask without one bool per document."""
    if not items or not all(type(item) is bool for item in items):
        return False
    if len(items) != n_docs:
        raise ValueError(
            f"a mask of {len(items)} bools for {n_docs} documents; "
            "a mask needs one bool per document"
        )
    return True


def as_items(mask_or_ids: Any) -> list[Any]:
    if isinstance(mask_or_ids, (str, bytes)):
        raise TypeError(
            "subset() takes a mask or a list of ids, not a single "
            f"{type(mask_or_ids).__name__}; wrap one id in a list"
        )
    if hasattr(mask_or_ids, "to_numpy"):  # a pandas Series or Index
        mask_or_ids = mask_or_ids.to_numpy()
    if hasattr(mask_or_ids, "dtype") and hasattr(mask_or_ids, "tolist"):  # numpy
        items: list[Any] = mask_or_ids.tolist()
        return items
    try:
        return list(mask_or_ids)
    except TypeError:
        raise TypeError(
            f"subset() takes a mask or a list of ids, not {type(mask_or_ids).__name__}"
        ) from None


def check_ids(ids: Iterable[Hashable] | None, n: int) -> list[Hashable]:
    if ids is None:
        return list(range(n))
    if isinstance(ids, (str, bytes)):
        raise TypeError("ids must be an iterable of ids, not a single str")
    ids = list(ids)
    if len(ids) != n:
        raise ValueError(f"{len(ids)} ids for {n} texts")
    seen: set[Hashable] = set()
    for i, doc_id in enumerate(ids):
        try:
            hash(doc_id)
        except TypeError:
            raise TypeError(f"id {i} ({type(doc_id).__name__}) is not hashable") from None
        if doc_id in seen:
            raise ValueError(f"id {doc_id!r} is given twice; ids must be distinct")
        seen.add(doc_id)
    return ids


def _check_width(width: object) -> int:
    """Characters of context each side, 0 for none (count words)."""
    if width is None:
        return 0
    width = as_int(width, "width", "a positive int or None")
    if width <= 0:
        raise ValueError(f"width must be a positive int (characters each side), not {width}")
    if width > MAX_WIDTH:
        raise ValueError(f"width must be < 2**64, not {width}")
    return width


def _check_bound(bound: Any) -> int:
    """The core's code for a bound name."""
    if bound is None:
        return _core.BOUND_NONE
    if not isinstance(bound, str):
        raise TypeError(
            f"bound must be None, 'sentence' or 'paragraph', not {type(bound).__name__}"
        )
    try:
        return BOUNDS[bound]
    except KeyError:
        raise ValueError(f"bound must be None, 'sentence' or 'paragraph', not {bound!r}") from None


def document_error(text: Any, i: int, doc_id: Hashable) -> Exception:
    """The error for document i, a text that is not str (TypeError) or
    holds a lone surrogate (UnicodeEncodeError). It keeps ``document``
    (i), ``text`` and ``doc_id``, so that kwiq.dask can name the document
    by its place in the whole collection rather than in its partition."""
    if not isinstance(text, str):
        error: Exception = TypeError(f"document {i} is {type(text).__name__}, not str")
    else:
        try:
            text.encode("utf-8")
        except UnicodeEncodeError as bad:
            error = UnicodeEncodeError(
                "utf-8",
                text,
                bad.start,
                bad.end,
                f"lone surrogate in document {i} (id {doc_id!r}): not valid Unicode text",
            )
        else:
            error = UnicodeEncodeError("utf-8", text, 0, 0, f"document {i} (id {doc_id!r})")
    # Attributes of kwiq's own, which the exception classes do not declare.
    error.document, error.text, error.doc_id = i, text, doc_id  # type: ignore[attr-defined]
    return error


def file_ids(files: _files.Files, ids: Any) -> list[Hashable] | None:
    """The ids of from_files: "path", "name", "index" (None) or ids(Path)."""
    if callable(ids):
        return [ids(Path(path)) for path in files.paths]
    if isinstance(ids, str) and ids == "path":
        return list(files.names)
    if isinstance(ids, str) and ids == "name":
        return [os.path.basename(path) for path in files.paths]
    if isinstance(ids, str) and ids == "index":
        return None
    raise ValueError(f"ids must be 'path', 'name', 'index' or a function of the path, not {ids!r}")
