#!/usr/bin/env python3
"""Labelled paragraphs from the seed articles in ../shared/seeds (built on the fly).

The seed articles are copyrighted news, so they stay out of the repository;
this script derives the labelled set from them wherever ../shared is present:

- every body paragraph of 000-003 (originals) -> label 0;
- each paragraph of 004 (a content farm's copy of 000) -> label 1 when its
  words differ from the closest paragraph of 000 beyond house style (quotes,
  "U.S."/"US", "US"/"United States", numbers), else 0. Its ``replacements`` are the short spans
  that differ from that paragraph word for word ("highest" for "top"), found
  by aligning the two (``spincheck.compare``, as ``spincheck compare`` does), in the format of
  the synthetic held-out set, so that evidence can be checked against what the real spinner
  replaced.

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
sys.path.insert(0, str(ROOT / "scripts"))

from script_args import check_output_dir  # noqa: E402

from spincheck.compare import align, words  # noqa: E402
from spincheck.text import split_paragraphs  # noqa: E402

DEFAULT_SEEDS = ROOT.parent / "shared" / "seeds"
MIN_WORDS = 12


def _long_enough(paragraph: str) -> bool:
    return len(words(paragraph)) >= MIN_WORDS


def build(seeds: Path) -> list[dict]:
    by_prefix = {f.name[:3]: f for f in sorted(seeds.glob("*.txt"))}
    text = {prefix: by_prefix[prefix].read_text(encoding="utf-8") for prefix in ("000", "001", "002", "003", "004")}
    rows = []
    for prefix in ("000", "001", "002", "003"):
        paragraphs = [text[prefix][s.start : s.end] for s in split_paragraphs(text[prefix])]
        for i, p in enumerate(p for p in paragraphs if _long_enough(p)):
            rows.append({"id": f"{prefix}-{i}", "text": p, "label": 0})
    copied = [m for m in align(text["000"], text["004"]).paragraphs if _long_enough(m.text)]
    for i, m in enumerate(copied):
        if m.label is None:
            continue  # not from the original article (e.g. site boilerplate)
        row = {"id": f"004-{i}", "text": m.text, "label": m.label, "overlap": round(m.overlap, 3)}
        if m.label:
            row["replacements"] = [[r.start, r.end, r.original, r.replacement] for r in m.swaps]
        rows.append(row)
    return rows


def seed_hashes(seeds: Path) -> dict[str, str]:
    return {f.name: hashlib.sha256(f.read_bytes()).hexdigest() for f in sorted(seeds.glob("*.txt"))}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument(
        "--seeds", type=Path, default=DEFAULT_SEEDS, help="the seed articles (default: ../shared/seeds)"
    )
    parser.add_argument("--out", type=Path, default=None, help="JSONL file to write (default: stdout)")
    args = parser.parse_args(argv)
    missing = [prefix for prefix in ("000", "001", "002", "003", "004") if not any(args.seeds.glob(f"{prefix}*.txt"))]
    if missing:
        parser.error(f"--seeds {args.seeds} lacks the articles {', '.join(missing)} (see ../shared/seeds)")
    check_output_dir(parser, "--out", args.out)
    rows = build(args.seeds)
    out = open(args.out, "w", encoding="utf-8") if args.out else sys.stdout
    for r in rows:
        out.write(json.dumps(r, ensure_ascii=False) + "\n")
    spun = sum(r["label"] for r in rows if r["id"].startswith("004"))
    print(f"{len(rows)} paragraphs, {spun} spun", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
