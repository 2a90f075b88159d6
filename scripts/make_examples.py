#!/usr/bin/env python3
"""Make examples/spun.txt from examples/clean.txt with the shipped lexicon, reproducibly.

Usage (from the repository root)::

    python scripts/make_examples.py                        # writes examples/spun.txt
    python scripts/make_examples.py --check                # exits 1 if it is out of date
    python scripts/make_examples.py --labelled dev.jsonl   # also a labelled file for `spincheck evaluate`

Each paragraph is spun on its own (so the paragraph layout is kept) with the synthetic spinner
over the whole lexicon (``split="all"``) at a heavy rate: half of the swappable phrases are
replaced, the way a content farm runs a spinner. The title line is kept as it is.
The labelled file holds every paragraph of both texts with its label (0 clean, 1 spun). It is not
kept in examples/, where ``spincheck score examples/`` would pick it up.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))

from script_args import check_input_file, check_output_dir  # noqa: E402

from spincheck import Detector  # noqa: E402
from spincheck.spinner import Spinner  # noqa: E402
from spincheck.text import split_paragraphs  # noqa: E402

SEED = 7
RATE = 0.5
MIN_WORDS = 12  # shorter lines (the title) are not spun


def spin_text(text: str, spinner: Spinner, rng: np.random.Generator) -> str:
    """``text`` with each long enough paragraph spun; everything between paragraphs kept."""
    out, pos = [], 0
    for span in split_paragraphs(text):
        paragraph = text[span.start : span.end]
        out.append(text[pos : span.start])
        if len(paragraph.split()) >= MIN_WORDS:
            paragraph = spinner.spin(paragraph, rng, rate=RATE).text
        out.append(paragraph)
        pos = span.end
    out.append(text[pos:])
    return "".join(out)


def labelled(clean: str, spun: str) -> str:
    """JSONL of every paragraph of ``clean`` (label 0) and ``spun`` (label 1)."""
    rows = [
        {"text": text[s.start : s.end], "label": label}
        for text, label in ((clean, 0), (spun, 1))
        for s in split_paragraphs(text)
    ]
    return "".join(json.dumps(row, ensure_ascii=False) + "\n" for row in rows)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--clean", type=Path, default=ROOT / "examples" / "clean.txt", help="text to spin (default: examples/clean.txt)"
    )
    parser.add_argument(
        "--out",
        type=Path,
        default=ROOT / "examples" / "spun.txt",
        help="spun text to write (default: examples/spun.txt)",
    )
    parser.add_argument("--labelled", type=Path, help="also write the paragraphs with labels here (JSONL)")
    parser.add_argument("--check", action="store_true", help="only check that the outputs are up to date")
    args = parser.parse_args(argv)
    check_input_file(parser, "--clean", args.clean)
    check_output_dir(parser, "--out", args.out)
    check_output_dir(parser, "--labelled", args.labelled)
    lexicon = Detector.load().model.lexicon
    clean = args.clean.read_text(encoding="utf-8")
    spun = spin_text(clean, Spinner(lexicon, split="all"), np.random.default_rng(SEED))
    outputs = {args.out: spun}
    if args.labelled:
        outputs[args.labelled] = labelled(clean, spun)
    if args.check:
        stale = [
            str(path) for path, text in outputs.items() if not path.exists() or path.read_text(encoding="utf-8") != text
        ]
        if stale:
            print(f"out of date: {', '.join(stale)}; run python scripts/make_examples.py", file=sys.stderr)
            return 1
        return 0
    for path, text in outputs.items():
        path.write_text(text, encoding="utf-8")
        print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
