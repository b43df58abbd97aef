"""The annotated benchmark corpus, for bench/cql.py.

The text is the benchmark corpus of bench/compare.py (its documents of
100,000 characters), cut into tokens by kwiq's tokenizer and into sentences
after each token ".", "!" or "?" (and after 200 tokens, so that verse and
tables do not make sentences of thousands of tokens). Each token is tagged
by a lookup tagger learned from the English UD dev set in tests/data/ud/:
the most frequent lemma and UPOS of its lowercased form there (ties: the
first seen); an unknown form gets its lowercased form as lemma and UPOS
``X``. The corpus is written as CoNLL-U (one file a document, ``# newdoc
id``, ``SpaceAfter=No`` where the text had no space, the other columns
``_``) and as VRT (``<text id>``, ``<s>``, word, lemma and upos columns).

Usage:
    python bench/annotated.py --mb 10 --out /tmp/kwiq-annotated
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
from collections import Counter, defaultdict
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from compare import corpus_docs  # noqa: E402

UD_DEV = HERE.parent / "tests" / "data" / "ud" / "en_ewt-ud-dev.conllu"
SENTENCE_ENDS = {".", "!", "?"}
MAX_SENTENCE = 200


def lookup_tagger(path: Path = UD_DEV) -> dict[str, tuple[str, str]]:
    """Lowercased form -> its most frequent (lemma, upos) in a CoNLL-U file."""
    seen: dict[str, Counter] = defaultdict(Counter)
    for line in path.read_text(encoding="utf-8").splitlines():
        columns = line.split("\t")
        if len(columns) == 10 and columns[0].isdigit():
            seen[columns[1].lower()][(columns[2], columns[3])] += 1
    return {form: counts.most_common(1)[0][0] for form, counts in seen.items()}


def sentences(text: str, tokenize) -> list[list[tuple[str, bool]]]:
    """The text's tokens, each with whether white space follows it, cut
    into sentences as the module docstring says."""
    result, sentence, at = [], [], 0
    tokens = tokenize(text)
    for i, token in enumerate(tokens):
        start = text.find(token, at)
        at = start + len(token)
        space_after = at < len(text) and text[at].isspace()
        sentence.append((token, space_after))
        if token in SENTENCE_ENDS or len(sentence) == MAX_SENTENCE or i == len(tokens) - 1:
            result.append(sentence)
            sentence = []
    return result


def write(megabytes: int, folder: Path) -> dict:
    """Write the corpus under folder/conllu and folder/vrt once; return the
    sizes (a STAMP.json beside them remembers them)."""
    import kwiq

    stamp = folder / "STAMP.json"
    if stamp.exists():
        return json.loads(stamp.read_text())
    if folder.exists():
        shutil.rmtree(folder)
    (folder / "conllu").mkdir(parents=True)
    (folder / "vrt").mkdir()
    tag = lookup_tagger()
    info = {"docs": 0, "tokens": 0, "text_bytes": 0, "conllu_bytes": 0, "vrt_bytes": 0}
    for number, doc in enumerate(corpus_docs(megabytes)):
        conllu, vrt, lines = [f"# newdoc id = d{number:05d}"], [f'<text id="d{number:05d}">'], []
        for sentence in sentences(doc, kwiq.tokenize):
            conllu.append(
                "# text = " + "".join(t + (" " if s else "") for t, s in sentence).rstrip()
            )
            vrt.append("<s>")
            for k, (token, space_after) in enumerate(sentence, 1):
                lemma, upos = tag.get(token.lower(), (token.lower(), "X"))
                misc = "_" if space_after or k == len(sentence) else "SpaceAfter=No"
                conllu.append(f"{k}\t{token}\t{lemma}\t{upos}\t_\t_\t_\t_\t_\t{misc}")
                vrt.append(f"{token}\t{lemma}\t{upos}")
            conllu.append("")
            vrt.append("</s>")
            lines.append("".join(t + (" " if s else "") for t, s in sentence).rstrip())
            info["tokens"] += len(sentence)
        vrt.append("</text>")
        conllu_bytes = ("\n".join(conllu) + "\n").encode("utf-8")
        vrt_bytes = ("\n".join(vrt) + "\n").encode("utf-8")
        (folder / "conllu" / f"d{number:05d}.conllu").write_bytes(conllu_bytes)
        (folder / "vrt" / f"d{number:05d}.vrt").write_bytes(vrt_bytes)
        info["docs"] += 1
        info["text_bytes"] += len("\n".join(lines).encode("utf-8"))
        info["conllu_bytes"] += len(conllu_bytes)
        info["vrt_bytes"] += len(vrt_bytes)
    stamp.write_text(json.dumps(info))
    return info


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mb", type=int, default=100, help="megabytes of text (default 100)")
    parser.add_argument("--out", type=Path, required=True, help="the folder to write")
    args = parser.parse_args()
    print(json.dumps(write(args.mb, args.out)))


if __name__ == "__main__":
    main()
