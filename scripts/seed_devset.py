#!/usr/bin/env python3
"""Labelled paragraphs from the seed articles in ../shared/seeds (built on the fly).

The seed articles are copyrighted news, so they stay out of the repository;
this script derives the labelled set from them wherever ../shared is present:

- every body paragraph of 000-003 (originals) -> label 0;
- each paragraph of 004 (a content farm's copy of 000) -> label 1 when its
  words differ from the closest paragraph of 000 beyond house style (quotes,
  "U.S."/"US", numbers), else 0.

Paragraphs shorter than 12 words (headlines, captions, boilerplate) are left
out. Usage: ``python scripts/seed_devset.py [--seeds DIR] [--out FILE]``.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from spincheck.text import split_paragraphs, tokenize  # noqa: E402

DEFAULT_SEEDS = ROOT.parent / "shared" / "seeds"
MIN_WORDS = 12
# A copied paragraph whose words overlap the original's less than this was
# reworded (spun); above it, only house style or a word or two changed.
SPUN_BELOW = 0.93


def _words(text: str) -> list[str]:
    """Words with house style folded: "U.S."/"US", quotes, UK/US spelling ("travelled")."""
    out = []
    for t in tokenize(text):
        if t in (".", ","):
            continue
        out.append(t.replace(".", "").replace("ll", "l").replace("our", "or"))
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
        best = max((_overlap(w, o) for o in original_words), default=0.0)
        if best < 0.5:
            continue  # not from the original article (e.g. site boilerplate)
        rows.append({"id": f"004-{i}", "text": p, "label": int(best < SPUN_BELOW), "overlap": round(best, 3)})
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
