"""The kwiq command line: ``kwiq QUERY [FILE ...]``, ``kwiq QUERY -c CORPUS``
and ``kwiq build FILE ... -o CORPUS``.

A first argument "build" is the subcommand; ``kwiq -- build`` searches for
the word "build". Exit status as grep: 0 when lines were found (or a corpus
was built), 1 when none, 2 on an error.
"""
from __future__ import annotations

import argparse
import csv
import json
import sys
from typing import Sequence

from kwiq import __version__
from kwiq._concordance import Line, defused
from kwiq._corpus import Corpus, of_files, sample
from kwiq._files import FileDecodeError, expand
from kwiq._query import QueryError
from kwiq._saved import FormatError

BUILD_HINT = 'to search for the word "build", write: kwiq -- build [FILE ...]'


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
    parser.add_argument("files", metavar="FILE", nargs="*",
                        help="text files, directories (every file below) or globs "
                             "('corpus/**/*.txt', quoted); '-' reads standard input")
    parser.add_argument("-c", "--corpus", metavar="CORPUS",
                        help="search a corpus saved by 'kwiq build' instead of FILEs")
    parser.add_argument("-w", "--window", type=_non_negative, default=5,
                        help="words of context on each side (default 5)")
    parser.add_argument("--chars", type=_positive, metavar="N",
                        help="context in characters instead of words: on each side the "
                             "whole tokens that fit in N characters of the text as written "
                             "(replaces --window)")
    parser.add_argument("--bound", choices=("sentence", "paragraph"),
                        help="stop each context at a sentence end or a blank line "
                             "(sentence), or at a blank line only (paragraph)")
    parser.add_argument("--case", action="store_true", help="match the exact case")
    parser.add_argument("-f", "--format", choices=("text", "tsv", "csv", "json"),
                        default="text", help="output format (default text)")
    parser.add_argument("--safe", action="store_true",
                        help="csv and tsv: put a ' before each cell that a spreadsheet would run "
                             "as a formula (one starting with = + - @, a tab or CR)")
    parser.add_argument("--width", type=_non_negative, default=79,
                        help="line width of the text format (default 79)")
    parser.add_argument("--encoding", default="utf-8", help="encoding of FILEs (default utf-8)")
    _threads_option(parser)
    return parser


class _BuildParser(argparse.ArgumentParser):
    """Its errors say how to search for "build", in case that was meant."""

    def error(self, message: str):  # type: ignore[override]
        super().error(f"{message} ({BUILD_HINT})")


def _build_parser() -> argparse.ArgumentParser:
    parser = _BuildParser(
        prog="kwiq build",
        description="Build a corpus of FILEs, one document each (its id the FILE as "
                    "given, or as found below a directory), and save it to CORPUS, for "
                    "'kwiq QUERY -c CORPUS'.",
        epilog=BUILD_HINT[0].upper() + BUILD_HINT[1:] + ".",
    )
    parser.add_argument("files", metavar="FILE", nargs="+",
                        help="text files, directories (every file below) or globs "
                             "('corpus/**/*.txt', quoted); '-' reads standard input")
    parser.add_argument("-o", "--output", metavar="CORPUS",
                        help="the file to write (replaced if it exists)")
    parser.add_argument("--encoding", default="utf-8", help="encoding of FILEs (default utf-8)")
    _threads_option(parser)
    return parser


def _threads_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--threads", type=_positive, metavar="N",
                        help="threads that read and tokenize FILEs (default: the CPUs, at "
                             "most 8)")


def _non_negative(value: str) -> int:
    number = int(value)
    if number < 0:
        raise argparse.ArgumentTypeError(f"must be >= 0, not {number}")
    return number


def _positive(value: str) -> int:
    number = int(value)
    if number <= 0:
        raise argparse.ArgumentTypeError(f"must be > 0, not {number}")
    return number


class _Error(Exception):
    """An error of the command line's input: reported on stderr, exit status 2."""


def _corpus(files: Sequence[str], encoding: str, threads: int | None) -> Corpus:
    """The corpus of FILEs, read and tokenized by Corpus.from_files's
    machinery ("-" for standard input); the embedded letter without FILEs."""
    if not files:
        return sample()
    try:
        paths = [path for arg in files for path in (["-"] if arg == "-" else expand(arg))]
        seen: set[str] = set()
        for path in paths:
            if path in seen:
                raise _Error(f"{path}: a FILE is given twice")
            seen.add(path)
        names = ["standard input" if path == "-" else path for path in paths]
        # A progress bar only for a person watching (and only after a second).
        return of_files(Corpus, paths, names, encoding, "strict", paths, threads,
                        progress=sys.stderr.isatty())
    except FileDecodeError as error:
        raise _Error(f"{error.path}: cannot decode byte {error.start} as {encoding} "
                     f"({error.reason}); try --encoding") from None
    except OSError as error:
        if error.filename is None:
            raise _Error(str(error)) from None
        raise _Error(f"{error.filename}: {error.strerror}") from None
    except LookupError as error:
        raise _Error(str(error)) from None


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
        corpus = _corpus(args.files, args.encoding, args.threads)
        corpus.save(args.output)
    except _Error as error:
        print(f"kwiq: {error}", file=sys.stderr)
        return 2
    except OSError as error:
        print(f"kwiq: {error.filename or args.output}: {error.strerror}", file=sys.stderr)
        return 2
    print(f"{args.output}: {corpus.n_docs:,} documents, {corpus.n_tokens:,} tokens")
    return 0


def _write(conc, fmt: str, width: int, show_doc: bool, out, safe: bool = False) -> None:
    if fmt == "text":
        text = conc.format(width=width)
        if show_doc and text:
            # Pad the names so that the matches stay in one column.
            docs = [f"{line.doc}:" for line in conc]
            pad = max(map(len, docs))
            text = "\n".join(f"{doc:<{pad}} {row}" for doc, row in zip(docs, text.split("\n")))
        if text:
            out.write(text + "\n")
    elif fmt == "json":
        # One object a line, written as the lines come, never all in memory.
        encode = json.JSONEncoder(ensure_ascii=False).encode
        separator = "\n"
        out.write("[")
        for line in conc:
            out.write(separator + encode(line._asdict()))
            separator = ",\n"
        out.write("\n]\n" if len(conc) else "]\n")
    else:
        writer = csv.writer(out, delimiter="\t" if fmt == "tsv" else ",", lineterminator="\n")
        writer.writerow(Line._fields)
        writer.writerows((tuple(map(defused, line)) for line in conc) if safe else conc)


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == ["build"]:
        return build(argv[1:])
    # Intermixed, so options may also stand between QUERY and the FILEs.
    parser = _parser()
    args = parser.parse_intermixed_args(argv)
    if args.corpus is not None and args.files:
        parser.error("give FILEs or --corpus, not both")
    try:
        corpus = _saved(args.corpus) if args.corpus is not None \
            else _corpus(args.files, args.encoding, args.threads)
        conc = corpus.kwic(args.query, window=args.window, case=args.case, width=args.chars,
                           bound=args.bound)
    except (_Error, QueryError) as error:
        print(f"kwiq: {error}", file=sys.stderr)
        return 2
    # A terminal or pipe that cannot take some character gets an escape,
    # not a traceback in the middle of the output.
    sys.stdout.reconfigure(errors="backslashreplace")
    try:
        several = corpus.n_docs > 1 if args.corpus is not None else len(args.files) > 1
        _write(conc, args.format, args.width, several, sys.stdout, args.safe)
        sys.stdout.flush()
    except BrokenPipeError:
        # The reader (head, less) has gone; that is not an error of ours.
        sys.stderr.close()
        return 0
    return 0 if len(conc) else 1


if __name__ == "__main__":
    sys.exit(main())
