#!/usr/bin/env python3
"""Labelled paragraphs from the seed articles in ../shared/seeds (built on the fly).

The seed articles are copyrighted news, so they stay out of the repository;
this script derives the labelled set from them wherever ../shared is present:

- every body paragraph of 000-003 (originals) -> label 0;
- each paragraph of 004 (a content farm's copy of 000) -> label 1 when its
  words differ from the closest paragraph of 000 beyond house style (quotes,
  "U.S."/"US", numbers), else 0. Its ``replacements`` are the short spans
  that differ from that paragraph word for word ("highest" for "top"), found
  by aligning the two, in the format of the synthetic held-out set, so that
  evidence can be checked against what the real spinner replaced.

Paragraphs shorter than 12 words (headlines, captions, boilerplate) are left
out. Usage: ``python scripts/seed_devset.py [--seeds DIR] [--out FILE]``.
"""

from __future__ import annotations

import argparse
import difflib
import hashlib
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from spincheck.text import split_paragraphs, tokenize, tokenize_with_offsets  # noqa: E402

DEFAULT_SEEDS = ROOT.parent / "shared" / "seeds"
MIN_WORDS = 12
# A copied paragraph whose words overlap the original's less than this was
# reworded (spun); above it, only house style or a word or two changed.
SPUN_BELOW = 0.93
# Aligned spans longer than this are rewording or reordering, not a swap.
MAX_SWAP_TOKENS = 3


def _fold(token: str) -> str:
    return token.replace(".", "").replace("ll", "l").replace("our", "or")


def _words(text: str) -> list[str]:
    """Words with house style folded: "U.S."/"US", quotes, UK/US spelling ("travelled")."""
    return [_fold(t) for t in tokenize(text) if t not in (".", ",")]


def replacements(copy: str, original: str) -> list[list]:
    """``[start, end, original, replacement]`` for each short span of ``copy`` that
    differs from ``original`` beyond house style, offsets into ``copy``."""
    a, a_off = tokenize_with_offsets(copy)
    b, b_off = tokenize_with_offsets(original)
    out = []
    matcher = difflib.SequenceMatcher(None, [_fold(t) for t in a], [_fold(t) for t in b], autojunk=False)
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op != "replace" or i2 - i1 > MAX_SWAP_TOKENS or j2 - j1 > MAX_SWAP_TOKENS:
            continue
        if not any(t.isalpha() for t in a[i1:i2]) or not any(t.isalpha() for t in b[j1:j2]):
            continue  # numbers and punctuation are house style
        if i2 - i1 == j2 - j1:
            # word for word ("reliable partner" -> "dependable associate"): one swap
            # per word, as a spinner makes them. A phrase swapped whole for one of
            # the same length ("in terms of" -> "by way of") is counted word by word
            # too, so no single suggestion can match it: a small undercount.
            spans = [
                ((i, i + 1), (j, j + 1))
                for i, j in zip(range(i1, i2), range(j1, j2))
                if a[i].isalpha() and _fold(a[i]) != _fold(b[j])
            ]
        else:
            spans = [((i1, i2), (j1, j2))]
        for (ai, aj), (bi, bj) in spans:
            start, end = a_off[ai][0], a_off[aj - 1][1]
            out.append([start, end, original[b_off[bi][0] : b_off[bj - 1][1]], copy[start:end]])
    return out


def _paragraphs(path: Path) -> list[str]:
    text = path.read_text(encoding="utf-8")
    paras = [text[s.start : s.end] for s in split_paragraphs(text)]
    return [p for p in paras if len(_words(p)) >= MIN_WORDS]


def _overlap(a: list[str], b: list[str]) -> float:
    from collections import Counter

    ca, cb = Counter(a), Counter(b)
    common = sum((ca & cb).values())
    return common / max(len(a), len(b), 1)


def build(seeds: Path) -> list[dict]:
    files = sorted(seeds.glob("*.txt"))
    by_prefix = {f.name[:3]: f for f in files}
    original = _paragraphs(by_prefix["000"])
    original_words = [_words(p) for p in original]
    rows = []
    for prefix in ("000", "001", "002", "003"):
        for i, p in enumerate(_paragraphs(by_prefix[prefix])):
            rows.append({"id": f"{prefix}-{i}", "text": p, "label": 0})
    for i, p in enumerate(_paragraphs(by_prefix["004"])):
        w = _words(p)
        overlaps = [_overlap(w, o) for o in original_words]
        best = max(overlaps, default=0.0)
        if best < 0.5:
            continue  # not from the original article (e.g. site boilerplate)
        row = {"id": f"004-{i}", "text": p, "label": int(best < SPUN_BELOW), "overlap": round(best, 3)}
        if row["label"]:
            row["replacements"] = replacements(p, original[overlaps.index(best)])
        rows.append(row)
    return rows


def seed_hashes(seeds: Path) -> dict[str, str]:
    return {f.name: hashlib.sha256(f.read_bytes()).hexdigest() for f in sorted(seeds.glob("*.txt"))}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seeds", type=Path, default=DEFAULT_SEEDS)
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args(argv)
    rows = build(args.seeds)
    out = open(args.out, "w", encoding="utf-8") if args.out else sys.stdout
    for r in rows:
        out.write(json.dumps(r, ensure_ascii=False) + "\n")
    spun = sum(r["label"] for r in rows if r["id"].startswith("004"))
    print(f"{len(rows)} paragraphs, {spun} spun", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
