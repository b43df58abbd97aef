"""The kwiq command line: ``kwiq QUERY [FILE ...]``, ``kwiq QUERY -c CORPUS``
and ``kwiq build FILE ... -o CORPUS``.

A first argument "build" is the subcommand; ``kwiq -- build`` searches for
the word "build".

Documents: each FILE is one, a directory gives the files below it that
``--include`` names (``*.txt`` by default; how many others it left out is
said on standard error) and a glob every file it matches, as
``Corpus.from_files`` reads them; no FILE searches the embedded letter.
When the corpus searched has more than one document, each line of the
text format starts with its document's name: the FILE as given or as
found (relative to its directory for a file found below one), which is
also its id in a corpus that ``kwiq build`` saves, so ``kwiq QUERY FILE
...`` and ``kwiq QUERY -c CORPUS`` built from the same FILEs print the same
bytes. ``kwiq build`` refuses a CORPUS that is one of its FILEs.

The text format fits each line in ``--width`` characters. The name column
takes at most a third of it: as wide as the corpus's longest name, with a
longer name cut at its start ("…" where cut), so that the file name shows.
The rest is the concordance laid out as ``Concordance.format`` does: the
matches in one column, the contexts cut to fit. Lines are made and written
LINES_PER_WRITE at a time, so output starts at once and memory stays flat
whatever their number; the match column is therefore set by the widest
match of the first LINES_PER_WRITE lines, and a wider match later takes its
room from its right context (a match is never cut: one wider than the room
left of the column runs past the width).

The csv, tsv and json formats give the Line fields, then ``query``, the
QUERY as given, as ``Concordance.to_csv`` writes them.

Exit status as grep: 0 when lines were found (also when ``--limit`` shows
fewer) or a corpus was built, 1 when none, 2 on an error. A usage error (no
argument, a bad number, encoding or error handler, an unknown sort key, an
argument that is not valid text in the locale's encoding) is the usage and
one line from argparse, or one line "kwiq: ..."; so is any other error (a
missing or undecodable FILE, an empty query, a damaged CORPUS). Never a
traceback. A reader that leaves early (``| head``) is not an error.
"""

from __future__ import annotations

import argparse
import codecs
import csv
import io
import os
import sys
from collections.abc import Callable, Hashable, Iterable, Iterator, Sequence
from typing import NoReturn, TextIO, cast

from kwiq import __version__
from kwiq._args import MAX_U32
from kwiq._concordance import (
    SORT_KEY_NAMES,
    Concordance,
    Line,
    defused,
    json_encoder,
    json_value,
    sort_key_names,
)
from kwiq._corpus import Corpus, of_files, sample
from kwiq._files import DEFAULT_INCLUDE, FileDecodeError, Files, check_codec, expand, skipped_note
from kwiq._query import QueryError
from kwiq._saved import FormatError
from kwiq._views import shortened

BUILD_HINT = 'to search for the word "build", write: kwiq -- build [FILE ...]'

# Lines made, laid out and written at a time (see the module docstring).
LINES_PER_WRITE = 1024
# --width at most: wider than any terminal, and padding lines to it stays cheap.
MAX_WIDTH = 10_000
# The csv, tsv and json columns.
FIELDS = Line._fields + ("query",)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="kwiq",
        description="Keyword-in-context lines for QUERY in FILEs, or in a saved CORPUS "
        "(default: the embedded 1962 letter from Khrushchev to Kennedy). A "
        "query of several tokens is a phrase. 'kwiq build FILE ... -o CORPUS' "
        "saves a corpus to search again without reading the FILEs.",
        epilog=BUILD_HINT[0].upper() + BUILD_HINT[1:] + ".",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    parser.add_argument("query", metavar="QUERY")
    # A default, so that argparse does not count FILE as required.
    parser.add_argument(
        "files",
        metavar="FILE",
        nargs="*",
        default=[],
        help="text files, directories (the --include files below) or "
        "globs ('corpus/**/*.txt', quoted); '-' reads standard input",
    )
    parser.add_argument(
        "-c",
        "--corpus",
        metavar="CORPUS",
        help="search a corpus saved by 'kwiq build' instead of FILEs",
    )
    parser.add_argument(
        "-w",
        "--window",
        type=_number(0),
        default=5,
        help="words of context on each side (default 5)",
    )
    parser.add_argument(
        "--chars",
        type=_number(1),
        metavar="N",
        help="context in characters instead of words: on each side the "
        "whole tokens that fit in N characters of the text as written "
        "(replaces --window)",
    )
    parser.add_argument(
        "--bound",
        choices=("sentence", "paragraph"),
        help="stop each context at a sentence end or a blank line "
        "(sentence), or at a blank line only (paragraph)",
    )
    parser.add_argument("--case", action="store_true", help="match the exact case")
    parser.add_argument(
        "--cql",
        action="store_true",
        help="QUERY is CQL, the query language of CWB/CQP: "
        '\'[lemma="go"] [upos="ADP"] within s\' on annotated corpora; '
        "every token counts, and case matters unless %%c follows a value",
    )
    parser.add_argument(
        "--strategy",
        choices=("longest", "shortest", "all"),
        help="with --cql, which matches are lines: those in no longer one "
        "(longest, the default), those holding no shorter one, or all",
    )
    parser.add_argument(
        "--sort",
        type=_sort_keys,
        metavar="KEYS",
        help=f"sort the lines by KEYS, comma-separated, as AntConc does: "
        f"{SORT_KEY_NAMES} (e.g. R1,R2)",
    )
    parser.add_argument("--limit", type=_number(0, None), metavar="N", help="print at most N lines")
    parser.add_argument(
        "-f",
        "--format",
        choices=("text", "tsv", "csv", "json"),
        default="text",
        help="output format (default text); csv, tsv and "
        "json give each line's fields, then a query "
        "column",
    )
    parser.add_argument(
        "--safe",
        action="store_true",
        help="csv and tsv: put a ' before each cell that a spreadsheet would run "
        "as a formula (one starting with = + - @, a tab or CR)",
    )
    parser.add_argument(
        "--width",
        type=_number(0, MAX_WIDTH),
        default=79,
        help="line width of the text format (default 79), document names "
        "included: they take at most a third of it",
    )
    _reading_options(parser)
    return parser


class _BuildParser(argparse.ArgumentParser):
    """Its errors say how to search for "build", in case that was meant."""

    def error(self, message: str) -> NoReturn:
        super().error(f"{message} ({BUILD_HINT})")


def _build_parser() -> argparse.ArgumentParser:
    parser = _BuildParser(
        prog="kwiq build",
        description="Build a corpus of FILEs, one document each (its id the FILE as "
        "given, or its path relative to a directory given), and save it to "
        "CORPUS, for 'kwiq QUERY -c CORPUS'.",
        epilog=BUILD_HINT[0].upper() + BUILD_HINT[1:] + ".",
    )
    parser.add_argument(
        "files",
        metavar="FILE",
        nargs="+",
        help="text files, directories (the --include files below) or "
        "globs ('corpus/**/*.txt', quoted); '-' reads standard input",
    )
    parser.add_argument(
        "-o",
        "--output",
        metavar="CORPUS",
        help="the file to write (replaced if it exists; never one of the FILEs)",
    )
    _reading_options(parser)
    return parser


def _reading_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--encoding", type=_encoding, default="utf-8", help="encoding of FILEs (default utf-8)"
    )
    parser.add_argument(
        "--errors",
        type=_error_handler,
        default="strict",
        help="what to do with bytes that do not decode: strict (an error, "
        "the default), replace, ignore, backslashreplace...",
    )
    parser.add_argument(
        "--include",
        action="append",
        metavar="GLOB",
        help=f"the names of the files a directory gives (default "
        f"{DEFAULT_INCLUDE}; repeat for several, '*' for every file)",
    )
    parser.add_argument(
        "--threads",
        type=_number(1),
        metavar="N",
        help="threads that read and tokenize FILEs (default: the CPUs, at most 8)",
    )


# argparse words a type's error from the function's name unless it raises
# ArgumentTypeError, so each check below raises only that.


def _number(low: int, high: int | None = MAX_U32) -> Callable[[str], int]:
    """A check of a whole number from low to high (no limit when None)."""
    span = f">= {low}" if high is None else f"from {low} to {high}"

    def number(value: str) -> int:
        try:
            result = int(value)
        except ValueError:
            result = None
        if result is None or result < low or (high is not None and result > high):
            raise argparse.ArgumentTypeError(f"must be a whole number {span}, not {value!r}")
        return result

    return number


def _encoding(value: str) -> str:
    """A text encoding (LookupError names an unknown one, or one that is not
    for text, such as base64)."""
    try:
        b"a".decode(value)
    except LookupError as error:
        raise argparse.ArgumentTypeError(str(error)) from None
    except UnicodeDecodeError:
        pass  # one byte is too few for it (utf-16): a text encoding all the same
    return value


def _error_handler(value: str) -> str:
    """A decoding error handler whose text a corpus can hold."""
    try:
        check_codec("utf-8", value)
    except LookupError:
        raise argparse.ArgumentTypeError(f"unknown error handler {value!r}") from None
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r} only encodes; it cannot decode") from None
    try:
        b"\xff".decode("ascii", value).encode("utf-8")
    except UnicodeDecodeError:
        pass  # it raises, as strict does
    except UnicodeEncodeError:
        raise argparse.ArgumentTypeError(
            f"{value!r} decodes to lone surrogates, which a corpus cannot hold"
        ) from None
    return value


def _sort_keys(value: str) -> list[str]:
    try:
        return sort_key_names([key.strip() for key in value.split(",")])
    except ValueError as error:
        raise argparse.ArgumentTypeError(str(error)) from None


def _undecodable(argv: Iterable[str]) -> str | None:
    """The first argument that the locale's encoding could not decode (its
    bad bytes are lone surrogates), if any."""
    for arg in argv:
        try:
            arg.encode("utf-8")
        except UnicodeEncodeError:
            return arg
    return None


class _Error(Exception):
    """An error of the command line's input: reported on stderr, exit status 2."""


def _inputs(files: Sequence[str], include: list[str] | None) -> Files:
    """The files FILEs name, as Corpus.from_files finds them ("-": standard
    input), their names the ids (see the module docstring); the files that
    directories left out are said on standard error."""
    patterns = include or DEFAULT_INCLUDE
    found = Files([], [], [])
    try:
        for arg in files:
            listed = Files(["-"], ["-"], []) if arg == "-" else expand(arg, patterns)
            note = skipped_note(listed, patterns, "--include '*'")
            if note is not None:
                print(f"kwiq: {note}", file=sys.stderr)
            found.paths.extend(listed.paths)
            found.names.extend(listed.names)
    except OSError as error:
        raise _os_error(error) from None
    for what, items in (
        ("a FILE is given twice", found.paths),
        ("two FILEs have this name", found.names),
    ):
        seen: set[str] = set()
        for item in items:
            if item in seen:
                raise _Error(f"{item}: {what}")
            seen.add(item)
    return found


def _corpus(
    files: Sequence[str], encoding: str, errors: str, threads: int | None, include: list[str] | None
) -> Corpus:
    """The corpus of FILEs, read and tokenized by Corpus.from_files's
    machinery; the embedded letter without FILEs."""
    if not files:
        return sample()
    return _build_of(_inputs(files, include), encoding, errors, threads)


def _build_of(inputs: Files, encoding: str, errors: str, threads: int | None) -> Corpus:
    names = ["standard input" if path == "-" else path for path in inputs.paths]
    try:
        # A progress bar only for a person watching (and only after a second).
        return of_files(
            Corpus,
            inputs.paths,
            names,
            encoding,
            errors,
            inputs.names,
            threads,
            progress=sys.stderr.isatty(),
        )
    except FileDecodeError as error:
        other = (
            "another --encoding"
            if codecs.lookup(encoding).name == "cp1252"
            else "--encoding cp1252"
        )
        raise _Error(
            f"{error.path}: cannot decode as {encoding} at byte offset {error.start} "
            f"({error.reason}); try {other} or --errors replace"
        ) from None
    except UnicodeEncodeError as error:
        raise _Error(error.reason) from None
    except UnicodeError as error:
        # A codec that refuses --errors (idna takes only strict).
        raise _Error(str(error)) from None
    except OSError as error:
        raise _os_error(error) from None


def _os_error(error: OSError) -> _Error:
    if error.filename is None:
        return _Error(str(error))
    return _Error(f"{error.filename}: {error.strerror}")


def _check_output(output: str, inputs: Files) -> None:
    """_Error when the CORPUS to write is one of the FILEs (also through a
    link), which the build reads and the save would replace."""
    try:
        target = os.stat(output)
    except OSError:
        return  # nothing there yet, or nothing the save could write through
    for path in inputs.paths:
        if path != "-" and os.path.samestat(target, os.stat(path)):
            raise _Error(
                f"{output}: is the FILE {path}; a build does not write over its "
                "input (give another -o CORPUS)"
            )


def _saved(path: str) -> Corpus:
    try:
        return Corpus.load(path)
    except OSError as error:
        raise _Error(f"{error.filename or path}: {error.strerror}") from None
    except FormatError as error:
        raise _Error(str(error)) from None


def build(argv: Sequence[str]) -> int:
    """``kwiq build FILE ... -o CORPUS``."""
    parser = _build_parser()
    args = parser.parse_intermixed_args(argv)
    if args.output is None:
        parser.error("-o CORPUS is required")
    try:
        inputs = _inputs(args.files, args.include)
        _check_output(args.output, inputs)
        corpus = _build_of(inputs, args.encoding, args.errors, args.threads)
        corpus.save(args.output)
    except _Error as error:
        print(f"kwiq: {error}", file=sys.stderr)
        return 2
    except OSError as error:
        print(f"kwiq: {error.filename or args.output}: {error.strerror}", file=sys.stderr)
        return 2
    print(f"{args.output}: {corpus.n_docs:,} documents, {corpus.n_tokens:,} tokens")
    return 0


def _chunks(conc: Concordance, limit: int | None) -> Iterator[list[Line]]:
    """The first ``limit`` lines of conc (all when None), LINES_PER_WRITE at a time."""
    stop = len(conc) if limit is None else min(limit, len(conc))
    for start in range(0, stop, LINES_PER_WRITE):
        yield list(conc[start : min(start + LINES_PER_WRITE, stop)])


def _write_text(
    chunks: Iterator[list[Line]], out: TextIO, width: int, ids: Sequence[Hashable] | None
) -> None:
    """The text format (see the module docstring); names from ids, if given."""
    room = min(max(len(str(doc)) for doc in ids), width // 3 - 2) if ids else 0
    # A name, its ":" and a space before the concordance.
    text_width = width - room - 2 if room > 0 else width
    side = None
    for lines in chunks:
        if side is None:
            side = max((text_width - max(len(line.match) for line in lines)) // 2, 0)
        rows = []
        for line in lines:
            left = line.left[-side:] if side else ""
            # The right context follows its own match, so the text reads on.
            right = line.right[: max(text_width - side - len(line.match), 0)]
            name = f"{shortened(str(line.doc), room) + ':':<{room + 1}} " if room > 0 else ""
            rows.append(f"{name}{left:>{side}}{line.match}{right}".rstrip() + "\n")
        out.write("".join(rows))


def write(
    conc: Concordance,
    out: TextIO,
    fmt: str = "text",
    *,
    width: int = 79,
    ids: Sequence[Hashable] | None = None,
    safe: bool = False,
    limit: int | None = None,
) -> None:
    """Write the first ``limit`` lines of conc (all when None) to out in fmt
    (text, csv, tsv or json), as the module docstring says, a chunk of lines
    at a time; ``ids``, the corpus's, when the text format names documents;
    ``safe`` as Concordance.to_csv takes it."""
    chunks = _chunks(conc, limit)
    if fmt == "text":
        _write_text(chunks, out, width, ids)
        return
    rows = ((*line, conc.query) for lines in chunks for line in lines)
    if fmt == "json":
        encode = json_encoder()
        separator = "\n"
        out.write("[")
        for row in rows:
            out.write(separator + encode(dict(zip(FIELDS, json_value(row)))))
            separator = ",\n"
        out.write("]\n" if separator == "\n" else "\n]\n")
    else:
        writer = csv.writer(out, delimiter="\t" if fmt == "tsv" else ",", lineterminator="\n")
        writer.writerow(FIELDS)
        writer.writerows((tuple(map(defused, row)) for row in rows) if safe else rows)


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    bad = _undecodable(argv)
    if bad is not None:
        print(
            f"kwiq: argument {bad!r} is not valid text in the locale's encoding "
            f"({sys.getfilesystemencoding()})",
            file=sys.stderr,
        )
        return 2
    if argv[:1] == ["build"]:
        return build(argv[1:])
    parser = _parser()
    if not argv:
        parser.error("give a QUERY to search for ('kwiq --help' tells more)")
    # Intermixed, so options may also stand between QUERY and the FILEs.
    args = parser.parse_intermixed_args(argv)
    if args.corpus is not None and args.files:
        parser.error("give FILEs or --corpus, not both")
    if args.cql and args.case:
        parser.error(
            "--case does not apply to --cql, whose matching is case-sensitive: "
            "write %c after a value to ignore case"
        )
    if args.strategy is not None and not args.cql:
        parser.error("--strategy applies to --cql queries only")
    try:
        corpus = (
            _saved(args.corpus)
            if args.corpus is not None
            else _corpus(args.files, args.encoding, args.errors, args.threads, args.include)
        )
        conc = corpus.kwic(
            args.query,
            window=args.window,
            case=None if args.cql else args.case,
            width=args.chars,
            bound=args.bound,
            syntax="cql" if args.cql else "plain",
            strategy=args.strategy or "longest",
        )
    except (_Error, QueryError) as error:
        print(f"kwiq: {error}", file=sys.stderr)
        return 2
    if args.sort is not None:
        conc = conc.sort(*args.sort)
    # A terminal or pipe that cannot take some character gets an escape,
    # not a traceback in the middle of the output.
    cast(io.TextIOWrapper, sys.stdout).reconfigure(errors="backslashreplace")
    try:
        write(
            conc,
            sys.stdout,
            args.format,
            width=args.width,
            ids=corpus.ids if corpus.n_docs > 1 else None,
            safe=args.safe,
            limit=args.limit,
        )
        sys.stdout.flush()
    except BrokenPipeError:
        # The reader (head, less) has gone; that is not an error of ours.
        sys.stderr.close()
        return 0
    return 0 if len(conc) else 1


if __name__ == "__main__":
    sys.exit(main())
