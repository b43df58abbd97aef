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
from kwiq._corpus import Corpus, QueryError, sample


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="kwiq",
        description="Keyword-in-context lines for QUERY in FILEs (default: the embedded "
                    "1962 letter from Khrushchev to Kennedy). A query of several tokens "
                    "is a phrase.",
    )
    parser.add_argument("query", metavar="QUERY")
    parser.add_argument("files", metavar="FILE", nargs="*",
                        help="UTF-8 text files; '-' reads standard input")
    parser.add_argument("-w", "--window", type=_non_negative, default=5,
                        help="words of context on each side (default 5)")
    parser.add_argument("--case", action="store_true", help="match the exact case")
    parser.add_argument("-f", "--format", choices=("text", "tsv", "csv", "json"),
                        default="text", help="output format (default text)")
    parser.add_argument("--width", type=_non_negative, default=79,
                        help="line width of the text format (default 79)")
    parser.add_argument("--encoding", default="utf-8", help="encoding of FILEs (default utf-8)")
    return parser


def _non_negative(value: str) -> int:
    number = int(value)
    if number < 0:
        raise argparse.ArgumentTypeError(f"must be >= 0, not {number}")
    return number


def _read(path: str, encoding: str) -> str:
    data = sys.stdin.buffer.read() if path == "-" else open(path, "rb").read()
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as error:
        name = "standard input" if path == "-" else path
        raise SystemExit(f"kwiq: {name}: cannot decode byte {error.start} as {encoding} "
                         f"({error.reason}); try --encoding") from None


def _corpus(files: Sequence[str], encoding: str) -> Corpus:
    if not files:
        return sample()
    try:
        texts = [_read(path, encoding) for path in files]
    except OSError as error:
        raise SystemExit(f"kwiq: {error.filename}: {error.strerror}") from None
    except LookupError as error:
        raise SystemExit(f"kwiq: {error}") from None
    ids = list(dict.fromkeys(files))
    if len(ids) != len(files):
        raise SystemExit("kwiq: a FILE is given twice")
    return Corpus(texts, ids=ids)


def _write(conc, fmt: str, width: int, show_doc: bool, out) -> None:
    if fmt == "text":
        text = conc.format(width=width)
        if show_doc:
            text = "\n".join(f"{line.doc}: {row}"
                             for line, row in zip(conc, text.split("\n")))
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
    args = _parser().parse_args(argv)
    corpus = _corpus(args.files, args.encoding)
    try:
        conc = corpus.kwic(args.query, window=args.window, case=args.case)
    except QueryError as error:
        print(f"kwiq: {error}", file=sys.stderr)
        return 2
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
