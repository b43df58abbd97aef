"""The kwiq command line: ``kwiq QUERY [FILE ...]``.

Exit status as grep: 0 when lines were found, 1 when none, 2 on an error.
"""
from __future__ import annotations

import argparse
import csv
import json
import sys
from typing import Sequence

from kwiq._concordance import Line
from kwiq._corpus import Corpus, sample
from kwiq._files import FileDecodeError, expand
from kwiq._query import QueryError


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="kwiq",
        description="Keyword-in-context lines for QUERY in FILEs (default: the embedded "
                    "1962 letter from Khrushchev to Kennedy). A query of several tokens "
                    "is a phrase.",
    )
    parser.add_argument("query", metavar="QUERY")
    parser.add_argument("files", metavar="FILE", nargs="*",
                        help="text files, directories (every file below) or globs "
                             "('corpus/**/*.txt', quoted); '-' reads standard input")
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
    parser.add_argument("--width", type=_non_negative, default=79,
                        help="line width of the text format (default 79)")
    parser.add_argument("--encoding", default="utf-8", help="encoding of FILEs (default utf-8)")
    parser.add_argument("--threads", type=_positive, metavar="N",
                        help="threads that read and tokenize FILEs (default: the CPUs, at "
                             "most 8)")
    return parser


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
        return Corpus._from_paths(paths, names, encoding, "strict", paths, threads,
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


def _write(conc, fmt: str, width: int, show_doc: bool, out) -> None:
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
        json.dump([line._asdict() for line in conc], out, ensure_ascii=False, indent=1)
        out.write("\n")
    else:
        writer = csv.writer(out, delimiter="\t" if fmt == "tsv" else ",", lineterminator="\n")
        writer.writerow(Line._fields)
        writer.writerows(conc)


def main(argv: Sequence[str] | None = None) -> int:
    # Intermixed, so options may also stand between QUERY and the FILEs.
    args = _parser().parse_intermixed_args(argv)
    try:
        corpus = _corpus(args.files, args.encoding, args.threads)
        conc = corpus.kwic(args.query, window=args.window, case=args.case, width=args.chars,
                           bound=args.bound)
    except (_Error, QueryError) as error:
        print(f"kwiq: {error}", file=sys.stderr)
        return 2
    # A terminal or pipe that cannot take some character gets an escape,
    # not a traceback in the middle of the output.
    sys.stdout.reconfigure(errors="backslashreplace")
    try:
        _write(conc, args.format, args.width, len(args.files) > 1, sys.stdout)
        sys.stdout.flush()
    except BrokenPipeError:
        # The reader (head, less) has gone; that is not an error of ours.
        sys.stderr.close()
        return 0
    return 0 if len(conc) else 1


if __name__ == "__main__":
    sys.exit(main())
