#!/usr/bin/env python3
"""Generate csrc/core/kw_unicode_tables.h: code point classes, case folding
and upper case for the C core.

The tables come from this interpreter's unicodedata module and str.casefold(), so the
Unicode version is pinned: the C core and the pure-Python paths must tokenize and fold
identically, which only holds if both see the same Unicode data.

The Unicode data is Unicode, Inc.'s, under the Unicode License Agreement - Data Files and
Software (SPDX: Unicode-DFS-2016): the header says so, and csrc/core/UNICODE-LICENSE.txt,
shipped in the sdist and the wheel, holds the notice that licence asks to go with copies.

Usage:
    python3.11 tools/gen_unicode_tables.py           # rewrite the header
    python3.11 tools/gen_unicode_tables.py --check   # exit 1 if the header is stale (CI)
"""

import argparse
import platform
import sys
import unicodedata
from collections import Counter
from pathlib import Path

UNICODE_VERSION = "14.0.0"
FOLD_MAX = 3
MAX_CP = 0x10FFFF

# 128 code points per stage-2 block: with Unicode 14.0.0 this gives fewer than 256 distinct
# blocks, so stage-1 entries fit in a byte, and smaller tables than 256-point blocks.
SHIFT = 7

REPO = Path(__file__).resolve().parents[1]
OUTPUT = REPO / "csrc" / "core" / "kw_unicode_tables.h"
OUTPUT_NAME = "csrc/core/kw_unicode_tables.h"
SCRIPT_NAME = "tools/gen_unicode_tables.py"

# The values of enum kw_cp_class; the header's enum is written from these.
SPACE, WORD, MARK, SOLO, PUNCT = range(5)
CLASS_NAMES = ("KW_CP_SPACE", "KW_CP_WORD", "KW_CP_MARK", "KW_CP_SOLO", "KW_CP_PUNCT")

# The White_Space property lives in PropList.txt, which unicodedata does not expose, so the
# Unicode 14.0.0 list is written out here; the version pin keeps it from silently aging.
WHITE_SPACE = frozenset(
    [
        *range(0x0009, 0x000D + 1),
        0x0020,
        0x0085,
        0x00A0,
        0x1680,
        *range(0x2000, 0x200A + 1),
        0x2028,
        0x2029,
        0x202F,
        0x205F,
        0x3000,
    ]
)

# Han and kana are written without spaces, so each such character is a word of its own.
# unicodedata exposes no Script property, so the character name decides; only names of
# category L* or N* count (IDEOGRAPHIC SPACE, say, stays whitespace and the ideographic
# punctuation stays punctuation).
SOLO_NAME_PREFIXES = (
    "CJK UNIFIED IDEOGRAPH-",
    "CJK COMPATIBILITY IDEOGRAPH-",
    "HIRAGANA ",
    "KATAKANA ",
    "KATAKANA-HIRAGANA ",
    "HALFWIDTH KATAKANA ",
    "HALFWIDTH KATAKANA-HIRAGANA ",
    "HENTAIGANA ",
    "IDEOGRAPHIC ",
    "HANGZHOU NUMERAL ",
)

# kwiq folds the typographic apostrophe to the ASCII one so "don’t" matches "don't".
EXTRA_FOLDS = {0x2019: (0x0027,)}

WRAP = 100


def cp_class(cp):
    if cp in WHITE_SPACE:
        return SPACE
    ch = chr(cp)
    major = unicodedata.category(ch)[0]
    if major in "LN":
        return SOLO if unicodedata.name(ch, "").startswith(SOLO_NAME_PREFIXES) else WORD
    if major == "M":
        return MARK
    return PUNCT


def cp_upper(cp):
    """1 for an upper-case or title-case letter (general category Lu or Lt), else 0."""
    return int(unicodedata.category(chr(cp)) in ("Lu", "Lt"))


def cp_fold(cp):
    if cp in EXTRA_FOLDS:
        return EXTRA_FOLDS[cp]
    return tuple(map(ord, chr(cp).casefold()))


def build():
    """Pack class, folding and upper case of every code point into the two-stage tables."""
    # A record is (class, fold length, fold, upper): the fold is a delta when it is a single
    # code point, so runs of letters that fold alike (a whole cased alphabet) share one record.
    keys = []
    for cp in range(MAX_CP + 1):
        fold = cp_fold(cp)
        if not 1 <= len(fold) <= FOLD_MAX:
            sys.exit(f"U+{cp:04X} folds to {len(fold)} code points; KW_FOLD_MAX is {FOLD_MAX}")
        keys.append(
            (cp_class(cp), len(fold), fold[0] - cp if len(fold) == 1 else fold, cp_upper(cp))
        )

    # Frequent records get small indices, which keeps the decimal tables short.
    key_count = Counter(keys)
    first_seen = {}
    for cp, key in enumerate(keys):
        first_seen.setdefault(key, cp)
    rec_keys = sorted(key_count, key=lambda k: (-key_count[k], first_seen[k]))
    default = (PUNCT, 1, 0, 0)
    if rec_keys[0] != default:
        sys.exit(
            "the most common record is not PUNCT without folding or upper case; the "
            "layout assumes it"
        )
    rec_index = {k: i for i, k in enumerate(rec_keys)}

    seq = []
    seq_start = {}
    records = []
    for cls, length, fold, upper in rec_keys:
        if length > 1:
            if fold not in seq_start:
                seq_start[fold] = len(seq)
                seq.extend(fold)
            fold = seq_start[fold]
        records.append((fold, cls, length, upper))

    # Everything past the last block that holds anything but the default record is left out
    # of stage 1: planes 4-13 are unassigned and planes 15-16 are private use.
    rec_of = [rec_index[k] for k in keys]
    last = max(cp for cp, r in enumerate(rec_of) if r != 0)
    block = 1 << SHIFT
    limit = ((last >> SHIFT) + 1) << SHIFT
    chunks = [tuple(rec_of[b : b + block]) for b in range(0, limit, block)]
    chunk_count = Counter(chunks)
    first_chunk = {}
    for i, c in enumerate(chunks):
        first_chunk.setdefault(c, i)
    blocks = sorted(chunk_count, key=lambda c: (-chunk_count[c], first_chunk[c]))
    block_index = {c: i for i, c in enumerate(blocks)}
    stage1 = [block_index[c] for c in chunks]
    stage2 = [r for c in blocks for r in c]

    ascii_class = [cp_class(cp) for cp in range(128)]
    for cp in range(128):
        expected = cp + 32 if 0x41 <= cp <= 0x5A else cp
        if cp_fold(cp) != (expected,):
            sys.exit(f"U+{cp:04X}: the ASCII fast path assumes only A-Z fold (to a-z)")
        if cp_upper(cp) != (0x41 <= cp <= 0x5A):
            sys.exit(f"U+{cp:04X}: the ASCII fast path assumes only A-Z are upper case")

    # Decode every code point the way the C code will, so a packing bug cannot reach the header.
    for cp in range(MAX_CP + 1):
        r = stage2[(stage1[cp >> SHIFT] << SHIFT) | (cp & (block - 1))] if cp < limit else 0
        fold, cls, length, upper = records[r]
        got = (cp + fold,) if length == 1 else tuple(seq[fold : fold + length])
        if cls != cp_class(cp) or got != cp_fold(cp) or upper != cp_upper(cp):
            sys.exit(f"U+{cp:04X}: packed tables decode wrongly")

    return dict(
        records=records,
        seq=seq,
        stage1=stage1,
        stage2=stage2,
        limit=limit,
        ascii_class=ascii_class,
        nblocks=len(blocks),
    )


def uint_type(max_value):
    return "uint8_t" if max_value <= 0xFF else "uint16_t"


def array(decl, items):
    lines = [decl + " = {"]
    line = "   "
    for item in items:
        if len(line) + 1 + len(item) + 1 > WRAP:
            lines.append(line)
            line = "   "
        line += " " + item + ","
    lines.append(line)
    lines.append("};")
    return "\n".join(lines)


def code_point_list(cps):
    """Like "0009-000D, 0020": runs of consecutive code points become ranges."""
    cps = sorted(cps)
    runs = []
    for cp in cps:
        if runs and runs[-1][1] == cp - 1:
            runs[-1][1] = cp
        else:
            runs.append([cp, cp])
    return ", ".join(f"{a:04X}" if a == b else f"{a:04X}-{b:04X}" for a, b in runs)


def comment(indent, *parts):
    """A wrapped C comment; each part is a sentence fragment, or a tuple of words never split."""
    words = []
    for part in parts:
        words.extend(part if isinstance(part, tuple) else part.split(" "))
    pad = " " * indent
    lines = []
    line = pad + "/*"
    for word in words:
        if len(line) + 1 + len(word) > WRAP - 3:
            lines.append(line)
            line = pad + " *"
        line += " " + word
    lines.append(line + " */")
    return "\n".join(lines)


def render(t):
    records, seq, stage1, stage2 = t["records"], t["seq"], t["stage1"], t["stage2"]
    nrec, nblocks, block = len(records), t["nblocks"], 1 << SHIFT
    s1_type, s2_type = uint_type(nblocks - 1), uint_type(nrec - 1)
    solo_prefixes = tuple(f'"{p}",' for p in SOLO_NAME_PREFIXES[:-2])
    solo_prefixes += (f'"{SOLO_NAME_PREFIXES[-2]}"', "or", f'"{SOLO_NAME_PREFIXES[-1]}".')
    index_expr = f"kw_ut_stage2[(kw_ut_stage1[cp >> {SHIFT}] << {SHIFT}) | (cp & {block - 1})]"
    rec_items = [
        f"{{{fold}, {CLASS_NAMES[cls]}, {length}, {upper}}}" for fold, cls, length, upper in records
    ]
    return f"""\
/* Generated by {SCRIPT_NAME} from Unicode {UNICODE_VERSION} (Python unicodedata and
 * str.casefold()). Do not edit by hand: change the generator and rerun it with CPython 3.11.
 * tests/test_unicode_tables.py fails when this file is stale (it runs the generator with
 * --check).
 *
 * Licence. These tables are derived from the Unicode Character Database {UNICODE_VERSION},
 * Copyright (c) 1991-2021 Unicode, Inc., under the Unicode License Agreement - Data Files
 * and Software (SPDX: Unicode-DFS-2016); its notice is csrc/core/UNICODE-LICENSE.txt.
 *
 * Layout. Every code point maps to a record {{fold, cls, fold_len, upper}} in kw_ut_recs:
 *   - fold_len 1: the folding is cp + fold (fold 0: the code point does not fold). Storing
 *     a delta lets every letter of a cased alphabet share one record.
 *   - fold_len 2 or 3: the folding is kw_ut_seq[fold .. fold + fold_len - 1].
 *   - upper 1: general category Lu or Lt (an upper-case or title-case letter).
 * The record index of cp is {index_expr}:
 * stage 1 picks one of the {nblocks} distinct {block}-code-point blocks, which stage 2 stores
 * once each. Code points at or above KW_UT_LIMIT (0x{t["limit"]:X}) are all record 0
 * (punctuation, no folding, not upper case) and are not in stage 1. ASCII skips the lookup:
 * its class comes from kw_ut_ascii_class, and only A-Z fold (to a-z) or are upper case.
 * Sizes: {nrec} records, {len(seq)} sequence code points, {len(stage1)} stage-1 entries
 * ({s1_type}), {len(stage2)} stage-2 entries ({s2_type}).
 */
#ifndef KW_UNICODE_TABLES_H
#define KW_UNICODE_TABLES_H

#include <stdint.h>

#define KW_UNICODE_VERSION "{UNICODE_VERSION}"
#define KW_FOLD_MAX {FOLD_MAX}

enum kw_cp_class {{
{comment(4, "The White_Space property: U+" + code_point_list(WHITE_SPACE) + ".")}
    KW_CP_SPACE = {SPACE},
    /* General category L* or N*, except KW_CP_SOLO. */
    KW_CP_WORD = {WORD},
    /* General category M*: combining marks stay inside the word they follow. */
    KW_CP_MARK = {MARK},
{
        comment(
            4,
            "Han and kana, written without spaces, so each is a word of its own: category "
            "L* or N* and a name starting",
            solo_prefixes,
        )
    }
    KW_CP_SOLO = {SOLO},
    /* Everything else: punctuation, symbols, controls, format characters, surrogates,
     * private use, unassigned code points and anything above U+10FFFF. */
    KW_CP_PUNCT = {PUNCT}
}};

struct kw_ut_rec {{
    int32_t fold;
    uint8_t cls;
    uint8_t fold_len;
    uint8_t upper;
}};

#define KW_UT_SHIFT {SHIFT}
#define KW_UT_LIMIT 0x{t["limit"]:X}u

{array("static const uint8_t kw_ut_ascii_class[128]", [str(c) for c in t["ascii_class"]])}

{array(f"static const struct kw_ut_rec kw_ut_recs[{nrec}]", rec_items)}

{array(f"static const uint32_t kw_ut_seq[{len(seq)}]", [f"0x{cp:04X}" for cp in seq])}

{array(f"static const {s1_type} kw_ut_stage1[{len(stage1)}]", [str(b) for b in stage1])}

{array(f"static const {s2_type} kw_ut_stage2[{nblocks} * {block}]", [str(r) for r in stage2])}

static inline const struct kw_ut_rec *kw_ut_lookup(uint32_t cp)
{{
    if (cp >= KW_UT_LIMIT)
        return &kw_ut_recs[0];
    uint32_t base = (uint32_t)kw_ut_stage1[cp >> KW_UT_SHIFT] << KW_UT_SHIFT;
    return &kw_ut_recs[kw_ut_stage2[base | (cp & ((1u << KW_UT_SHIFT) - 1))]];
}}

/* Code points above U+10FFFF are KW_CP_PUNCT. */
static inline enum kw_cp_class kw_cp_class(uint32_t cp)
{{
    if (cp < 0x80)
        return (enum kw_cp_class)kw_ut_ascii_class[cp];
    return (enum kw_cp_class)kw_ut_lookup(cp)->cls;
}}

/* Full case folding (CaseFolding.txt statuses C and F, i.e. str.casefold() per code point),
 * plus U+2019 RIGHT SINGLE QUOTATION MARK -> U+0027 APOSTROPHE. Writes 1 to KW_FOLD_MAX code
 * points to out (cp itself when it does not fold) and returns how many. */
static inline int kw_cp_fold(uint32_t cp, uint32_t out[KW_FOLD_MAX])
{{
    if (cp < 0x80) {{
        out[0] = cp - 0x41u < 26u ? cp + 0x20u : cp;
        return 1;
    }}
    const struct kw_ut_rec *r = kw_ut_lookup(cp);
    if (r->fold_len == 1) {{
        /* Unsigned wraparound adds a negative delta without signed-overflow concerns. */
        out[0] = cp + (uint32_t)r->fold;
        return 1;
    }}
    for (int i = 0; i < r->fold_len; i++)
        out[i] = kw_ut_seq[r->fold + i];
    return r->fold_len;
}}

/* 1 if cp is an upper-case or title-case letter (general category Lu or Lt), else 0.
 * Code points above U+10FFFF are not. */
static inline int kw_cp_is_upper(uint32_t cp)
{{
    if (cp < 0x80)
        return cp - 0x41u < 26u;
    return kw_ut_lookup(cp)->upper;
}}

/* 1 if kw_cp_fold changes cp, else 0: lets callers skip folding. */
static inline int kw_cp_folds(uint32_t cp)
{{
    if (cp < 0x80)
        return cp - 0x41u < 26u;
    const struct kw_ut_rec *r = kw_ut_lookup(cp);
    return r->fold_len != 1 || r->fold != 0;
}}

#endif /* KW_UNICODE_TABLES_H */
"""


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--check",
        action="store_true",
        help=f"exit 1 if {OUTPUT_NAME} differs from what would be generated",
    )
    args = parser.parse_args()

    if unicodedata.unidata_version != UNICODE_VERSION:
        print(
            f"{SCRIPT_NAME}: needs Unicode {UNICODE_VERSION} (CPython 3.11), but Python "
            f"{platform.python_version()} has Unicode {unicodedata.unidata_version}",
            file=sys.stderr,
        )
        return 1

    text = render(build())
    if args.check:
        # Bytes, not text: a checkout that rewrote line endings must fail too.
        try:
            current = OUTPUT.read_bytes()
        except OSError as e:
            print(f"{OUTPUT_NAME}: cannot read: {e}", file=sys.stderr)
            return 1
        if current != text.encode("ascii"):
            print(f"{OUTPUT_NAME} is out of date; run python3.11 {SCRIPT_NAME}", file=sys.stderr)
            return 1
        return 0

    OUTPUT.parent.mkdir(exist_ok=True)
    with open(OUTPUT, "w", encoding="ascii", newline="\n") as f:
        f.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
