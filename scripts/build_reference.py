#!/usr/bin/env python3
"""Build clean-reference n-gram tables like those shipped in models/, on their own.

Usage::

    python scripts/corpora.py build/corpora          # export the corpora by split
    python scripts/build_reference.py --corpus build/corpora/ref.jsonl --out build/reference/

Counts 1- to 3-grams over the ``ref`` split of the clean corpora (see
scripts/corpora.py), keeps the corpus's ``--max-bigrams`` / ``--max-trigrams``
most frequent n-grams, replaces unigram estimates with wordfreq's web-scale
frequencies and blends in wordsegment's web bigram counts and the n-grams of the
installed CMU Sphinx language models (which the caps do not bound). The shipped
model is rebuilt whole by scripts/train.py, which counts the same way: tables
written into a model directory would no longer match its card.json, so such an
``--out`` is refused.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))

from script_args import check_not_a_model, positive_int  # noqa: E402

from spincheck.training import build_reference, external_statistics, iter_jsonl_paragraphs  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument(
        "--corpus",
        type=Path,
        nargs="+",
        default=[ROOT / "build" / "corpora" / "ref.jsonl"],
        help="JSONL files of paragraphs, as scripts/corpora.py exports them (default: build/corpora/ref.jsonl)",
    )
    parser.add_argument(
        "--out",
        type=Path,
        default=ROOT / "build" / "reference",
        help="directory for the tables (default: build/reference)",
    )
    parser.add_argument(
        "--max-bigrams", type=positive_int, default=3_000_000, help="corpus bigrams kept (default: 3000000)"
    )
    parser.add_argument(
        "--max-trigrams", type=positive_int, default=3_000_000, help="corpus trigrams kept (default: 3000000)"
    )
    parser.add_argument(
        "--min-trigram-count",
        type=positive_int,
        default=2,
        help="corpus trigrams seen fewer times are left out (default: 2)",
    )
    args = parser.parse_args(argv)
    missing = [str(p) for p in args.corpus if not p.is_file()]
    if missing:
        parser.error(f"no such corpus file: {', '.join(missing)} (export one with scripts/corpora.py)")
    check_not_a_model(parser, args.out, "the new tables")

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
    if not reference.info["tokens"]:  # records without a "text" field: empty tables are no reference
        parser.error(f'no paragraphs in the "text" field of {", ".join(map(str, args.corpus))}')
    args.out.mkdir(parents=True, exist_ok=True)
    reference.save(args.out)
    print(json.dumps(reference.info, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
