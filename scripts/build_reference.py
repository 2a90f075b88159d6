#!/usr/bin/env python3
"""Build the clean-reference n-gram tables shipped in models/.

Usage::

    python scripts/corpora.py build/corpora          # export the corpora by split
    python scripts/build_reference.py --corpus build/corpora/ref.jsonl --out models/

Counts 1- to 3-grams over the ``ref`` split of the clean corpora (see
scripts/corpora.py), replaces unigram estimates with wordfreq's web-scale
frequencies and blends in wordsegment's web bigram counts, then prunes to a
size budget.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from spincheck.training import build_reference, external_statistics, iter_jsonl_paragraphs  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--corpus", type=Path, nargs="+", default=[Path("build/corpora/ref.jsonl")])
    parser.add_argument("--out", type=Path, default=ROOT / "models")
    parser.add_argument("--max-bigrams", type=int, default=3_000_000)
    parser.add_argument("--max-trigrams", type=int, default=3_000_000)
    parser.add_argument("--min-trigram-count", type=int, default=2)
    args = parser.parse_args(argv)
    def texts():
        return (p for path in args.corpus for p in iter_jsonl_paragraphs(path))

    reference = build_reference(
        texts,
        external=external_statistics(),
        max_bigrams=args.max_bigrams,
        max_trigrams=args.max_trigrams,
        min_trigram_count=args.min_trigram_count,
        info={"corpus": [str(p) for p in args.corpus]},
        progress=True,
    )
    reference.save(args.out)
    print(json.dumps(reference.info, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
